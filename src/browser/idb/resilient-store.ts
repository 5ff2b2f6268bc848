/**
 * The browser store that never fails the caller: IndexedDB when it works, memory when it does not.
 *
 * - F13: IndexedDB missing or `open()` failing: memory, one warning, `kind === 'memory'`.
 * - F14: `open()` never settling: after `openTimeoutMs`, memory; IndexedDB is tried again in the
 *   background on a later operation (after `retryAfterMs`, doubling), and once it opens new
 *   records go there.
 * - F15: an append that still exceeds the quota after evicting old metrics: memory from then on.
 *
 * The queue is then a chain of segments, oldest first; appends go to the newest, and a claim takes
 * from the oldest segment that still holds records, so every run's calls leave in order however
 * they are split. A drained older segment is dropped. Records that waited in memory before
 * IndexedDB opened stay in memory until sent (they are first in line); meta set meanwhile is
 * copied into IndexedDB when it opens.
 */
import type { OpenStoreOptions } from '../../runtime/environment';
import { logger } from '../../runtime/logger';
import { MemoryStore } from '../../outbox/memory-store';
import type { OutboxRecord } from '../../outbox/records';
import type { AppendResult, ClaimOptions, OutboxStore, StoreCaps, StoreKind } from '../../outbox/store';
import { openIndexedDbStore, QuotaStillExceededError, type IndexedDbStoreOptions } from './indexeddb-store';

export interface BrowserStoreOptions extends IndexedDbStoreOptions {
  /** First wait before IndexedDB is tried again after a failed or hung open. Default: 30_000 ms. */
  retryAfterMs?: number;
  /** Clock for the retry schedule (tests). Default: `Date.now`. */
  now?: () => number;
}

const DEFAULT_RETRY_AFTER_MS = 30_000;
const MAX_RETRY_AFTER_MS = 10 * 60_000;

/** IndexedDB with a memory fallback; never rejects. */
export async function openBrowserStore(options: BrowserStoreOptions): Promise<OutboxStore> {
  const factory = options.indexedDB ?? globalThis.indexedDB;
  if (!factory) {
    logger.warnOnce('indexeddb-unavailable', 'IndexedDB is not available; the outbox is kept in memory only');
    return new MemoryStore();
  }
  const open = () => openIndexedDbStore({ ...options, indexedDB: factory });
  try {
    return new ResilientStore(await open(), open, options);
  } catch (error) {
    logger.warnOnce(
      'indexeddb-unavailable',
      `IndexedDB could not be opened (${describe(error)}); the outbox is kept in memory until it can be`,
    );
    return new ResilientStore(null, open, options);
  }
}

class ResilientStore implements OutboxStore {
  /** Oldest first; appends go to the last. */
  #segments: OutboxStore[];
  #durable: OutboxStore | null;
  #retryAt: number;
  #retryAfterMs: number;
  #reopening = false;
  #closing: Promise<void> | null = null;
  /** Meta keys written while only memory was there, copied over when IndexedDB opens. */
  readonly #metaKeysInMemory = new Set<string>();
  readonly #now: () => number;

  constructor(
    opened: OutboxStore | null,
    private readonly open: () => Promise<OutboxStore>,
    options: BrowserStoreOptions,
  ) {
    this.#now = options.now ?? Date.now;
    this.#durable = opened;
    this.#segments = [opened ?? new MemoryStore()];
    this.#retryAfterMs = options.retryAfterMs ?? DEFAULT_RETRY_AFTER_MS;
    this.#retryAt = opened ? Infinity : this.#now() + this.#retryAfterMs;
  }

  /** Its segments are memory and IndexedDB stores, which give copies. */
  readonly claimsCopies = true;

  get kind(): StoreKind {
    return this.#newest().kind;
  }

  async append(records: OutboxRecord[], caps: StoreCaps): Promise<AppendResult> {
    this.#retryOpenWhenDue();
    const newest = this.#newest();
    if (newest.kind === 'memory') return newest.append(records, caps);
    try {
      return await newest.append(records, caps);
    } catch (error) {
      logger.warnOnce(
        'indexeddb-write-failed',
        `writing to IndexedDB failed (${describe(error)}); new records are kept in memory only`,
      );
      const memory = new MemoryStore();
      this.#segments.push(memory);
      const result = await memory.append(records, caps);
      const evictedBefore = error instanceof QuotaStillExceededError ? error.evicted : 0;
      return { evicted: result.evicted + evictedBefore };
    }
  }

  async claim(options: ClaimOptions): Promise<OutboxRecord[]> {
    this.#retryOpenWhenDue();
    while (this.#segments.length > 1 && (await this.#segments[0].count()).records === 0) {
      const drained = this.#segments.shift()!;
      if (drained !== this.#durable) await drained.close();
    }
    return this.#segments[0].claim(options);
  }

  async ack(ids: string[], meta?: Record<string, unknown>): Promise<void> {
    this.#retryOpenWhenDue();
    for (const segment of this.#segments) await segment.ack(ids, segment === this.#metaHome() ? meta : undefined);
  }

  async release(ids: string[]): Promise<void> {
    this.#retryOpenWhenDue();
    for (const segment of this.#segments) await segment.release(ids);
  }

  async unbatch(ids: string[]): Promise<void> {
    this.#retryOpenWhenDue();
    for (const segment of this.#segments) await segment.unbatch(ids);
  }

  async count(): Promise<{ records: number; bytes: number; byRun: Record<string, number> }> {
    this.#retryOpenWhenDue();
    const total = { records: 0, bytes: 0, byRun: {} as Record<string, number> };
    for (const segment of this.#segments) {
      const part = await segment.count();
      total.records += part.records;
      total.bytes += part.bytes;
      for (const [run, count] of Object.entries(part.byRun)) total.byRun[run] = (total.byRun[run] ?? 0) + count;
    }
    return total;
  }

  async getMeta(key: string): Promise<unknown> {
    this.#retryOpenWhenDue();
    const home = await this.#metaHome().getMeta(key);
    if (home !== undefined) return home;
    for (const segment of this.#segments) {
      const value = await segment.getMeta(key);
      if (value !== undefined) return value;
    }
    return undefined;
  }

  async setMeta(key: string, value: unknown): Promise<void> {
    this.#retryOpenWhenDue();
    const home = this.#metaHome();
    if (home.kind === 'memory') this.#metaKeysInMemory.add(key);
    await home.setMeta(key, value);
  }

  async nextSeq(): Promise<number> {
    this.#retryOpenWhenDue();
    let next = 0;
    for (const segment of this.#segments) next = Math.max(next, await segment.nextSeq());
    return next;
  }

  close(): Promise<void> {
    this.#closing ??= Promise.all(this.#segments.map((segment) => segment.close())).then(() => {});
    return this.#closing;
  }

  #newest(): OutboxStore {
    return this.#segments[this.#segments.length - 1];
  }

  /** Meta lives in IndexedDB whenever it is open, so it survives a reload. */
  #metaHome(): OutboxStore {
    return this.#durable ?? this.#segments[0];
  }

  /** F14: try IndexedDB again in the background; the caller never waits for it. */
  #retryOpenWhenDue(): void {
    if (this.#reopening || this.#closing || this.#durable || this.#now() < this.#retryAt) return;
    this.#reopening = true;
    this.open()
      .then((store) => this.#adopt(store))
      .catch(() => {
        this.#retryAfterMs = Math.min(this.#retryAfterMs * 2, MAX_RETRY_AFTER_MS);
        this.#retryAt = this.#now() + this.#retryAfterMs;
      })
      .finally(() => {
        this.#reopening = false;
      });
  }

  async #adopt(store: OutboxStore): Promise<void> {
    if (this.#closing) {
      await store.close();
      return;
    }
    const memory = this.#segments[0];
    try {
      for (const key of this.#metaKeysInMemory) await store.setMeta(key, await memory.getMeta(key));
    } catch (error) {
      await store.close();
      throw error;
    }
    this.#durable = store;
    this.#segments.push(store);
    logger.info('IndexedDB opened after all; new records are stored there');
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
