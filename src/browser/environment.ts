import type { CodeRef, Environment, OpenStoreOptions } from '../runtime/environment';
import type { EnvLookup } from '../runtime/settings';
import { codeRefOption, injectedCodeRef } from './code-ref';
import { captureBrowserConsole } from './console';
import { openBrowserStore } from './idb-store';
import { installPageLifecycle } from './lifecycle';
import { pageCloseSender } from './page-close/close-sender';
import { localStorageExitNotes } from './page-close/exit-spill';
import { createKeepaliveSender } from './page-close/keepalive';
import { pagePresence } from './page-close/page-presence';
import { collectBrowserRunEnv } from './run-env';
import { corsAwareKeepalive, corsAwareTransport } from './cors/cors-transport';
import { indexedDbFeatureStore, ServerFeatureMemory } from './cors/feature-memory';
import { fetchTransport } from '../outbox/transport';

/** The global a page sets to give settings to the library, e.g. `{ POLYAXON_API_HOST: '...' }`. */
export const ENV_GLOBAL = 'POLYAXON_ENV';

export type InjectedEnv = Record<string, string | number | boolean | null | undefined>;

export interface BrowserEnvironmentOptions {
  /** POLYAXON_* settings; each name falls back to `globalThis.POLYAXON_ENV`. Default: none. */
  env?: InjectedEnv;
  /** Code reference sent at create. Default: `globalThis.POLYAXON_CODE_REF`, else null. */
  codeRef?: CodeRef;
  /** The TF.js module, when it is imported rather than a global. Default: `globalThis.tf`. */
  tf?: unknown;
  /** Longest wait for each asynchronous run-env probe. Default: 500 ms. */
  probeTimeoutMs?: number;
}

/**
 * The browser and Web Worker environment. Touches only what exists: every global is checked
 * before use, so the same adapter runs in a page, a notebook output frame and a dedicated Worker.
 */
export function browserEnvironment(options: BrowserEnvironmentOptions = {}): Environment {
  const codeRef = codeRefOption(options.codeRef);
  const unrefTimer = () => {};
  // Which servers accept `Idempotency-Key` from a page, shared by the outbox, the client and the close-time send.
  const serverFeatures = new ServerFeatureMemory(indexedDbFeatureStore());
  return {
    kind: 'browser',
    getEnv: injectedEnvLookup(options.env),
    // IndexedDB, falling back to memory itself (F13, F14, F15): never rejects.
    openStore: (storeOptions: OpenStoreOptions) => openBrowserStore(storeOptions),
    runEnv: () => collectBrowserRunEnv({ tf: options.tf, probeTimeoutMs: options.probeTimeoutMs }),
    codeRef: async () => codeRef ?? injectedCodeRef(),
    isOnline: () => reportsOnline(),
    onLifecycle: (hooks) => installPageLifecycle(hooks),
    captureConsole: (sink) => captureBrowserConsole(sink),
    closeSender: pageCloseSender({
      keepalive: corsAwareKeepalive(createKeepaliveSender(), serverFeatures),
      notes: localStorageExitNotes(),
      presence: pagePresence,
    }),
    transport: corsAwareTransport(fetchTransport({ unrefTimer }), serverFeatures),
    // Browser timers never keep anything alive.
    unrefTimer,
  };
}

/**
 * Reads `options.env`, then `globalThis.POLYAXON_ENV`, at every lookup, so a page may set the
 * global after loading the script. Numbers and booleans become strings as `process.env` would hold them.
 */
export function injectedEnvLookup(env: InjectedEnv | undefined, scope: Record<string, unknown> = globalThis as never): EnvLookup {
  return (name) => {
    const injected = scope[ENV_GLOBAL];
    const globalEnv = typeof injected === 'object' && injected !== null ? (injected as InjectedEnv) : undefined;
    const value = env?.[name] ?? globalEnv?.[name];
    if (value === undefined || value === null) return undefined;
    return typeof value === 'string' ? value : String(value);
  };
}

/**
 * `navigator.onLine` of a page or Worker (both have it), best effort: only an explicit `false`
 * means offline, so a scope without a navigator, or one that throws, counts as online.
 */
export function reportsOnline(scope: { navigator?: { onLine?: unknown } } = globalThis as never): boolean {
  try {
    return scope.navigator?.onLine !== false;
  } catch {
    return true;
  }
}
