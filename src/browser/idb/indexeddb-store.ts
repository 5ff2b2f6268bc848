/**
 * The outbox store on IndexedDB (idb-keyval underneath). Every method is one transaction: a claim
 * reads, selects and leases in one readwrite transaction, so two tabs sharing the queue never
 * claim the same record (F12). Records hold no token; it is attached when sending.
 */
import { get, promisifyRequest, set, type UseStore } from 'idb-keyval';
import type { OpenStoreOptions } from '../../core/environment';
import { EVICTABLE_KINDS, type OutboxRecord } from '../../core/records';
import { selectBatch } from '../../core/select-batch';
import type { AppendResult, ClaimOptions, OutboxStore, StoreCaps, StoreKind } from '../../core/store';
import { connect, type RunInTransaction } from './database';
import { ID_INDEX, META, NEXT_SEQ_KEY, RECORDS, TOTALS_KEY, type Totals } from './schema';

export interface IndexedDbStoreOptions extends OpenStoreOptions {
  /** Longest wait for `indexedDB.open` before giving up (F14). Default: 3000 ms. */
  openTimeoutMs?: number;
  /** The IndexedDB factory. Default: `globalThis.indexedDB` (tests inject fake-indexeddb). */
  indexedDB?: IDBFactory;
}

export const DEFAULT_OPEN_TIMEOUT_MS = 3000;
/** Attempts at an append that hits the quota, each after evicting more old metrics and logs (F15). */
const QUOTA_ATTEMPTS = 3;

/**
 * The quota is still exceeded after evicting what could be evicted. Carries how many records went
 * on the way, so they are counted as drops even though this append failed.
 */
export class QuotaStillExceededError extends Error {
  override readonly name = 'QuotaStillExceededError';
  constructor(
    readonly evicted: number,
    override readonly cause: unknown,
  ) {
    super(`the IndexedDB quota is still exceeded after evicting ${evicted} record(s)`);
  }
}

export function databaseName(queueName: string): string {
  return `polyaxon-tracking-outbox:${queueName}`;
}

/** Opens (and migrates) the queue's database; rejects when IndexedDB is missing, fails or hangs. */
export async function openIndexedDbStore(options: IndexedDbStoreOptions): Promise<OutboxStore> {
  const factory = options.indexedDB ?? globalThis.indexedDB;
  if (!factory) throw new Error('IndexedDB is not available here');
  const connection = connect(factory, databaseName(options.name), options.openTimeoutMs ?? DEFAULT_OPEN_TIMEOUT_MS);
  const store = new IndexedDbStore(connection.run, () => connection.close());
  try {
    await store.nextSeq();
  } catch (error) {
    connection.close();
    throw error;
  }
  return store;
}

class IndexedDbStore implements OutboxStore {
  readonly kind: StoreKind = 'indexeddb';
  private readonly metaStore: UseStore;

  constructor(
    private readonly run: RunInTransaction,
    private readonly closeConnection: () => void,
  ) {
    this.metaStore = (mode, callback) => run(mode, [META], async (transaction) => callback(transaction.objectStore(META)));
  }

  async append(records: OutboxRecord[], caps: StoreCaps): Promise<AppendResult> {
    let freed = 0;
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await this.appendOnce(records, caps);
        return { evicted: result.evicted + freed };
      } catch (error) {
        if ((error as DOMException)?.name !== 'QuotaExceededError') throw error;
        // F15: room is made the way the caps make it, oldest metrics and logs first, and counted.
        const evicted = attempt < QUOTA_ATTEMPTS ? await this.evictForQuota(Math.max(records.length, 1) * 2 ** attempt) : 0;
        if (evicted === 0) throw new QuotaStillExceededError(freed, error);
        freed += evicted;
      }
    }
  }

  private appendOnce(records: OutboxRecord[], caps: StoreCaps): Promise<AppendResult> {
    return this.run('readwrite', [RECORDS, META], async (transaction) => {
      const store = transaction.objectStore(RECORDS);
      const meta = transaction.objectStore(META);
      const totals = await readTotals(meta);
      let nextSeq = ((await promisifyRequest(meta.get(NEXT_SEQ_KEY))) as number | undefined) ?? 0;
      for (const record of records) {
        store.put(record);
        totals.records++;
        totals.bytes += record.bytes;
        nextSeq = Math.max(nextSeq, record.seq + 1);
      }
      const evicted = await evictOldest(store, totals, (current) => current.records > caps.maxRecords || current.bytes > caps.maxBytes);
      meta.put(totals, TOTALS_KEY);
      meta.put(nextSeq, NEXT_SEQ_KEY);
      return { evicted };
    });
  }

  private evictForQuota(count: number): Promise<number> {
    return this.run('readwrite', [RECORDS, META], async (transaction) => {
      const meta = transaction.objectStore(META);
      const totals = await readTotals(meta);
      const target = totals.records - count;
      const evicted = await evictOldest(transaction.objectStore(RECORDS), totals, (current) => current.records > target);
      meta.put(totals, TOTALS_KEY);
      return evicted;
    });
  }

  claim(options: ClaimOptions): Promise<OutboxRecord[]> {
    return this.run('readwrite', [RECORDS], async (transaction) => {
      const store = transaction.objectStore(RECORDS);
      const all = (await promisifyRequest(store.getAll())) as OutboxRecord[];
      const selected = selectBatch(all, options);
      if (!selected) return [];
      for (const record of selected.records) {
        record.leaseUntil = options.now + options.leaseMs;
        record.leaseOwner = options.owner;
        record.batch = selected.batch;
        store.put(record);
      }
      return selected.records;
    });
  }

  ack(ids: string[], meta?: Record<string, unknown>): Promise<void> {
    return this.run('readwrite', [RECORDS, META], async (transaction) => {
      const store = transaction.objectStore(RECORDS);
      const metaStore = transaction.objectStore(META);
      const totals = await readTotals(metaStore);
      for (const record of await recordsById(store, ids)) {
        store.delete([record.seq, record.id]);
        totals.records--;
        totals.bytes -= record.bytes;
      }
      metaStore.put(totals, TOTALS_KEY);
      for (const [key, value] of Object.entries(meta ?? {})) metaStore.put(value, key);
    });
  }

  release(ids: string[]): Promise<void> {
    return this.updateEach(ids, (record) => {
      delete record.leaseUntil;
      delete record.leaseOwner;
    });
  }

  unbatch(ids: string[]): Promise<void> {
    return this.updateEach(ids, (record) => delete record.batch);
  }

  count(): Promise<{ records: number; bytes: number; byRun: Record<string, number> }> {
    return this.run('readonly', [RECORDS], async (transaction) => {
      const all = (await promisifyRequest(transaction.objectStore(RECORDS).getAll())) as OutboxRecord[];
      const byRun: Record<string, number> = {};
      let bytes = 0;
      for (const record of all) {
        byRun[record.run] = (byRun[record.run] ?? 0) + 1;
        bytes += record.bytes;
      }
      return { records: all.length, bytes, byRun };
    });
  }

  getMeta(key: string): Promise<unknown> {
    return get(key, this.metaStore);
  }

  setMeta(key: string, value: unknown): Promise<void> {
    return set(key, value, this.metaStore);
  }

  nextSeq(): Promise<number> {
    return this.run('readonly', [RECORDS, META], async (transaction) => {
      const stored = (await promisifyRequest(transaction.objectStore(META).get(NEXT_SEQ_KEY))) as number | undefined;
      const last = await promisifyRequest(transaction.objectStore(RECORDS).openCursor(null, 'prev'));
      const afterLast = last ? (last.value as OutboxRecord).seq + 1 : 0;
      return Math.max(stored ?? 0, afterLast);
    });
  }

  async close(): Promise<void> {
    this.closeConnection();
  }

  private updateEach(ids: string[], change: (record: OutboxRecord) => void): Promise<void> {
    return this.run('readwrite', [RECORDS], async (transaction) => {
      const store = transaction.objectStore(RECORDS);
      for (const record of await recordsById(store, ids)) {
        change(record);
        store.put(record);
      }
    });
  }
}

function recordsById(store: IDBObjectStore, ids: string[]): Promise<OutboxRecord[]> {
  const index = store.index(ID_INDEX);
  return Promise.all(ids.map((id) => promisifyRequest(index.get(id)) as Promise<OutboxRecord | undefined>)).then(
    (found) => found.filter((record): record is OutboxRecord => record !== undefined),
  );
}

async function readTotals(meta: IDBObjectStore): Promise<Totals> {
  const totals = (await promisifyRequest(meta.get(TOTALS_KEY))) as Totals | undefined;
  return totals ?? { records: 0, bytes: 0 };
}

/**
 * Deletes the oldest unleased metrics and logs, walking records in `seq` order, while `tooMuch`
 * holds; the same rule as `evictBeyondCaps`, on a cursor so a full queue is not read whole on
 * every append. Updates `totals`; returns how many went.
 */
function evictOldest(store: IDBObjectStore, totals: Totals, tooMuch: (totals: Totals) => boolean): Promise<number> {
  if (!tooMuch(totals)) return Promise.resolve(0);
  const now = Date.now();
  let evicted = 0;
  return new Promise((resolve, reject) => {
    const request = store.openCursor();
    request.onerror = () => reject(request.error);
    request.onsuccess = () => {
      const cursor = request.result;
      if (!cursor || !tooMuch(totals)) return resolve(evicted);
      const record = cursor.value as OutboxRecord;
      const leased = record.leaseUntil !== undefined && record.leaseUntil > now;
      if (EVICTABLE_KINDS.has(record.kind) && !leased) {
        cursor.delete();
        totals.records--;
        totals.bytes -= record.bytes;
        evicted++;
      }
      cursor.continue();
    };
  });
}
