import { createStore, del, get, set, type UseStore } from 'idb-keyval';
import { logger } from '../../runtime/logger';
import { withTimeout } from '../../runtime/timeout';

/**
 * What a server said it does beyond Polyaxon, per server origin, as its `X-Polyaxon-Tracking`
 * answer header listed it (src/server/origin-policy.ts). Only `idempotency` matters here: the
 * server deduplicates writes by `Idempotency-Key` and its CORS lets a page send that header.
 */
export interface ServerFeatures {
  idempotency: boolean;
  /** Clock time of the probe that gave this answer. */
  checkedAt: number;
}

/**
 * A verdict is trusted this long, then asked again before the next write: an origin that held a
 * real Polyaxon server may later hold a local one (the other way round heals itself, see
 * `forget`).
 */
export const FEATURES_TRUSTED_MS = 24 * 60 * 60 * 1000;
/** Longest wait for IndexedDB before going on from memory (F14: an open may never settle). */
export const FEATURE_STORE_TIMEOUT_MS = 1_000;
/** Its own small database beside the queues (`polyaxon-tracking-outbox:*`), one entry per server origin. */
export const FEATURE_DATABASE = 'polyaxon-tracking-servers';
const FEATURE_STORE = 'features';

/** Where verdicts outlive the page. Best effort: every method settles, none throws. */
export interface FeatureStore {
  read(origin: string): Promise<ServerFeatures | undefined>;
  write(origin: string, features: ServerFeatures): Promise<void>;
  remove(origin: string): Promise<void>;
}

/**
 * Per-origin verdicts in memory, read from and written to `store`. One probe per origin at a
 * time: writes of several queues to one server share it.
 */
export class ServerFeatureMemory {
  readonly #known = new Map<string, ServerFeatures>();
  readonly #asking = new Map<string, Promise<ServerFeatures>>();

  constructor(
    private readonly store: FeatureStore,
    private readonly now: () => number = Date.now,
  ) {}

  /** What is known now, without waiting (a closing page cannot): undefined when not asked yet. */
  known(origin: string): ServerFeatures | undefined {
    return this.#known.get(origin);
  }

  /**
   * The trusted verdict for `origin`: from memory, else from the store, else from `probe` (whether
   * the server takes `Idempotency-Key`), which may reject (no answer): then nothing is remembered
   * and the next call asks again.
   */
  features(origin: string, probe: () => Promise<boolean>): Promise<ServerFeatures> {
    const known = this.#known.get(origin);
    if (known && this.#trusted(known)) return Promise.resolve(known);
    let asking = this.#asking.get(origin);
    if (!asking) {
      asking = this.#ask(origin, probe).finally(() => this.#asking.delete(origin));
      this.#asking.set(origin, asking);
    }
    return asking;
  }

  /**
   * An answer from `origin` said what it does (every answer of the local server does): a lookup
   * sent before the first write then spares the probe. Written through only when the verdict changes.
   */
  observe(origin: string, idempotency: boolean): void {
    const known = this.#known.get(origin);
    const unchanged = known !== undefined && known.idempotency === idempotency && this.#trusted(known);
    const features = { idempotency, checkedAt: this.now() };
    this.#known.set(origin, features);
    if (!unchanged) void this.store.write(origin, features);
  }

  /**
   * A request that carried what the verdict allowed got no answer at all. A page sees a refused
   * preflight only as that, so the verdict may be stale (another server now behind the origin):
   * the next write asks again.
   */
  forget(origin: string): void {
    if (!this.#known.delete(origin)) return;
    void this.store.remove(origin);
  }

  async #ask(origin: string, probe: () => Promise<boolean>): Promise<ServerFeatures> {
    const stored = this.#known.has(origin) ? undefined : await this.store.read(origin);
    if (stored && this.#trusted(stored)) {
      this.#known.set(origin, stored);
      return stored;
    }
    const answer = { idempotency: await probe(), checkedAt: this.now() };
    this.#known.set(origin, answer);
    await this.store.write(origin, answer);
    return answer;
  }

  #trusted(features: ServerFeatures): boolean {
    const age = this.now() - features.checkedAt;
    return age >= 0 && age < FEATURES_TRUSTED_MS;
  }
}

/** No IndexedDB (or a broken one): verdicts last as long as the page. */
export const MEMORY_ONLY: FeatureStore = {
  read: async () => undefined,
  write: async () => {},
  remove: async () => {},
};

/**
 * The IndexedDB feature store (idb-keyval, on the global `indexedDB`). Opened at first use; each
 * operation waits at most `timeoutMs`, and a failure (private mode, storage blocked, quota) leaves
 * the page on memory.
 */
export function indexedDbFeatureStore(timeoutMs = FEATURE_STORE_TIMEOUT_MS): FeatureStore {
  if (typeof indexedDB === 'undefined') return MEMORY_ONLY;
  let opened: UseStore | undefined;
  const open = (): UseStore => {
    // idb-keyval opens the database as the store is created; `indexedDB.open` itself may throw.
    opened ??= createStore(FEATURE_DATABASE, FEATURE_STORE);
    return opened;
  };
  const bounded = <T>(what: string, operation: () => Promise<T>, fallback: T): Promise<T> => {
    // `Promise.resolve().then` turns a synchronous throw of `indexedDB.open` into a rejection too.
    const attempt = Promise.resolve()
      .then(operation)
      .catch((error: unknown) => {
        logger.debug(`server feature memory: ${what} failed; going on from memory`, error);
        throw error;
      });
    return withTimeout(attempt, timeoutMs, fallback);
  };
  return {
    read: (origin) => bounded('read', async () => asFeatures(await get(origin, open())), undefined),
    write: (origin, features) => bounded('write', () => set(origin, features, open()), undefined),
    remove: (origin) => bounded('remove', () => del(origin, open()), undefined),
  };
}

function asFeatures(value: unknown): ServerFeatures | undefined {
  const candidate = value as Partial<ServerFeatures> | null | undefined;
  if (typeof candidate !== 'object' || candidate === null) return undefined;
  if (typeof candidate.idempotency !== 'boolean' || typeof candidate.checkedAt !== 'number') return undefined;
  return { idempotency: candidate.idempotency, checkedAt: candidate.checkedAt };
}
