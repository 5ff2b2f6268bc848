import { bestEffort } from '../runtime/best-effort';
import type { RunEnv } from '../runtime/environment';
import { logger } from '../runtime/logger';
import { redactSecrets, redactUrlCredentials } from '../runtime/redact';
import { CLIENT_VERSION } from '../runtime/version';
import { detectNotebook, pageNotebookProbe } from './notebook';

/** Longest wait for each asynchronous probe (UA client hints, WebGPU adapter). */
export const DEFAULT_PROBE_TIMEOUT_MS = 500;

export interface BrowserRunEnvOptions {
  /** The TF.js module, for apps that import it rather than load the global `tf`. Default: `globalThis.tf`. */
  tf?: unknown;
  /** Longest wait for UA client hints and the WebGPU adapter. Default: 500 ms. */
  probeTimeoutMs?: number;
  /**
   * Ask for a WebGPU adapter to name the GPU. Chromium prints "No available adapters." to the
   * page's console when there is none, and a library must not write there: off, the run env only
   * says whether the WebGPU API exists. Default: false.
   */
  probeWebGpuAdapter?: boolean;
}

type Scope = Record<string, any>;

/**
 * Describes the browser (or Worker) the run executes in, in the spirit of Polyaxon's Python
 * `run_env` (`client_version`, `is_notebook`, `os`). Every field is best effort: a probe that is
 * unavailable or throws leaves its field out and logs one debug note. Secrets are redacted.
 */
export async function collectBrowserRunEnv(options: BrowserRunEnvOptions = {}, scope: Scope = globalThis): Promise<RunEnv> {
  const timeoutMs = options.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  const navigator: Scope | undefined = attemptSync('navigator', () => scope.navigator);
  // Privacy shims and hostile pages can make any property read throw; each is read on its own.
  const nav = (name: string) => attemptSync(`navigator.${name}`, () => navigator?.[name]);
  const [hints, webgpu] = await Promise.all([
    attempt('ua-hints', () => clientHints(navigator, timeoutMs)),
    attempt('webgpu', () => (options.probeWebGpuAdapter ? webgpuAdapter(navigator, timeoutMs) : webgpuApi(navigator))),
  ]);
  const inWorker = attemptSync('worker', () => typeof scope.WorkerGlobalScope === 'function' && scope instanceof scope.WorkerGlobalScope);
  const tf = attemptSync('tfjs', () => options.tf ?? scope.tf);
  const notebook = attemptSync('notebook', () => detectNotebook(pageNotebookProbe(scope)));
  const languages = nav('languages');

  const env: RunEnv = {
    runtime: 'browser',
    context: inWorker ? 'worker' : 'window',
    client_version: CLIENT_VERSION,
    is_notebook: notebook != null,
    notebook_kind: notebook ?? undefined,
    [inWorker ? 'worker_url' : 'page_url']: attemptSync('url', () => withoutQuery(scope.location?.href)),
    os: hints?.platform ?? nav('platform'),
    user_agent: nav('userAgent'),
    ua_hints: hints,
    language: nav('language'),
    languages: Array.isArray(languages) ? [...languages] : undefined,
    timezone: attemptSync('timezone', () => Intl.DateTimeFormat().resolvedOptions().timeZone),
    online: attemptSync('online', () => (typeof navigator?.onLine === 'boolean' ? navigator.onLine : undefined)),
    hardware_concurrency: nav('hardwareConcurrency'),
    device_memory_gb: nav('deviceMemory'),
    screen: attemptSync('screen', () => screenSize(scope)),
    webgl: attemptSync('webgl', () => webglRenderer(scope)),
    webgpu,
    tfjs_version: attemptSync('tfjs-version', () => tf?.version?.tfjs ?? tf?.version_core),
    tfjs_backend: attemptSync('tfjs-backend', () => (typeof tf?.getBackend === 'function' ? tf.getBackend() : undefined)),
  };
  return redactSecrets(withoutEmpty(env));
}

function withoutQuery(href: unknown): string | undefined {
  if (typeof href !== 'string') return undefined;
  // The query and hash often carry tokens or session ids; the path says which page it was.
  return redactUrlCredentials(href.split(/[?#]/)[0]);
}

function withoutEmpty(env: RunEnv): RunEnv {
  const kept: RunEnv = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined && value !== null && value !== '') kept[name] = value;
  return kept;
}

async function attempt<T>(probe: string, read: () => Promise<T | undefined>): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    logger.debug(`run env: ${probe} unavailable`, error);
    return undefined;
  }
}

function attemptSync<T>(probe: string, read: () => T): T | undefined {
  return bestEffort(probe, read, undefined);
}

/** Resolves undefined after `timeoutMs`: a browser that never answers must not hold up `create()`. */
function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** UA client hints (Chromium, secure contexts only); the high-entropy part needs a promise. */
async function clientHints(navigator: Scope | undefined, timeoutMs: number): Promise<RunEnv | undefined> {
  const data = navigator?.userAgentData;
  if (!data) return undefined;
  const brands = Array.isArray(data.brands) ? data.brands.map((b: Scope) => `${b.brand} ${b.version}`) : undefined;
  const base: RunEnv = { platform: data.platform, mobile: data.mobile, brands };
  if (typeof data.getHighEntropyValues !== 'function') return withoutEmpty(base);
  const high: Scope | undefined = await withTimeout(
    Promise.resolve(data.getHighEntropyValues(['architecture', 'bitness', 'model', 'platformVersion', 'fullVersionList'])),
    timeoutMs,
  );
  if (!high) return withoutEmpty(base);
  return withoutEmpty({
    ...base,
    platform_version: high.platformVersion,
    architecture: high.architecture,
    bitness: high.bitness,
    model: high.model,
    full_versions: Array.isArray(high.fullVersionList)
      ? high.fullVersionList.map((b: Scope) => `${b.brand} ${b.version}`)
      : undefined,
  });
}

/** Whether the page has the WebGPU API, read without asking for an adapter (which may print). */
async function webgpuApi(navigator: Scope | undefined): Promise<RunEnv | undefined> {
  return typeof navigator?.gpu?.requestAdapter === 'function' ? { api: true } : undefined;
}

async function webgpuAdapter(navigator: Scope | undefined, timeoutMs: number): Promise<RunEnv | undefined> {
  const gpu = navigator?.gpu;
  if (!gpu || typeof gpu.requestAdapter !== 'function') return undefined;
  const adapter: Scope | null | undefined = await withTimeout(Promise.resolve(gpu.requestAdapter()), timeoutMs);
  if (!adapter) return undefined;
  // `adapter.info` since Chrome 127; `requestAdapterInfo()` before it.
  const info: Scope | undefined =
    adapter.info ??
    (typeof adapter.requestAdapterInfo === 'function' ? await withTimeout(adapter.requestAdapterInfo(), timeoutMs) : undefined);
  if (!info) return { available: true };
  return withoutEmpty({
    available: true,
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
  });
}

function screenSize(scope: Scope): RunEnv | undefined {
  const screen = scope.screen;
  if (!screen) return undefined;
  return withoutEmpty({
    width: screen.width,
    height: screen.height,
    device_pixel_ratio: scope.devicePixelRatio,
    color_depth: screen.colorDepth,
  });
}

/** WebGL vendor and renderer; the unmasked names when `WEBGL_debug_renderer_info` is exposed. */
function webglRenderer(scope: Scope): RunEnv | undefined {
  const canvas =
    typeof scope.OffscreenCanvas === 'function'
      ? new scope.OffscreenCanvas(1, 1)
      : typeof scope.document?.createElement === 'function'
        ? scope.document.createElement('canvas')
        : undefined;
  const gl = canvas?.getContext?.('webgl') ?? canvas?.getContext?.('experimental-webgl');
  if (!gl) return undefined;
  try {
    const debugInfo = gl.getExtension('WEBGL_debug_renderer_info');
    return withoutEmpty({
      vendor: gl.getParameter(debugInfo ? debugInfo.UNMASKED_VENDOR_WEBGL : gl.VENDOR),
      renderer: gl.getParameter(debugInfo ? debugInfo.UNMASKED_RENDERER_WEBGL : gl.RENDERER),
      version: gl.getParameter(gl.VERSION),
    });
  } finally {
    // Browsers cap live WebGL contexts (about 16); free ours at once so TF.js's is never evicted.
    gl.getExtension('WEBGL_lose_context')?.loseContext();
  }
}
