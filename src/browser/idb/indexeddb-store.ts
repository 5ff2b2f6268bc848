/**
 * The outbox store on IndexedDB (idb-keyval underneath). Every method is one transaction: a claim
 * reads, selects and leases in one readwrite transaction, so two tabs sharing the queue never
 * claim the same record (F12); it writes the lease and the batch key on the batch's first record
 * only (schema.ts). The exception is append: its records go in a transaction that
 * reads nothing and is committed at once, so they survive a page closing right after, and the
 * caps are applied in a second one. Records hold no token; it is attached when sending.
 *
 * Claims, acks, releases and unbatching use relaxed durability (no flush to disk before the
 * transaction completes): losing one of them to a power cut only sends a batch again under the
 * same key, or waits out a lease. Appends keep the browser's default.
 */
import { get, promisifyRequest, set, type UseStore } from 'idb-keyval';
import type { OpenStoreOptions } from '../../runtime/environment';
import { logger } from '../../runtime/logger';
import type { OutboxRecord } from '../../outbox/records';
import { selectBatch } from '../../outbox/select-batch';
import type { AppendResult, ClaimOptions, OutboxStore, StoreCaps, StoreKind } from '../../outbox/store';
import { commitNow, connect, type RunInTransaction } from './database';
import { adoptSpilled, onSpilled, spillRecords } from '../page-close/exit-spill';
import { isPageExiting, untilPageExit, whenPageRunsAgain } from '../page-close/page-exit';
import { claimWindow, deleteRecords, evictOldest, recordsById, type ClaimedRecord, type KeyRangeClass } from './record-reads';
import { META, NEXT_SEQ_KEY, negated, RECORDS, tally } from './schema';
import { addDelta, putTotals, readTotals, takeTotals, TotalsEstimate } from './totals';

export interface IndexedDbStoreOptions extends OpenStoreOptions {
  /** Longest wait for `indexedDB.open` before giving up (F14). Default: 3000 ms. */
  openTimeoutMs?: number;
  /** The IndexedDB factory. Default: `globalThis.indexedDB` (tests inject fake-indexeddb). */
  indexedDB?: IDBFactory;
  /** The `IDBKeyRange` class that goes with `indexedDB`. Default: `globalThis.IDBKeyRange`. */
  keyRange?: KeyRangeClass;
}

export const DEFAULT_OPEN_TIMEOUT_MS = 3000;
/** Attempts at an append that hits the quota, each after evicting more old metrics and logs (F15). */
const QUOTA_ATTEMPTS = 3;
/** See the file comment. */
const RELAXED: IDBTransactionOptions = { durability: 'relaxed' };
/** Claimed records remembered for their acks at most; past it the memory is dropped (acks then use the id index). */
const MAX_REMEMBERED_CLAIMS = 50_000;
/** Records a claim reads first when the average record size is not known yet. */
const DEFAULT_FIRST_CHUNK = 64;

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
  const keyRange = options.keyRange ?? globalThis.IDBKeyRange;
  if (!factory || !keyRange) throw new Error('IndexedDB is not available here');
  const name = databaseName(options.name);
  const connection = connect(factory, name, options.openTimeoutMs ?? DEFAULT_OPEN_TIMEOUT_MS);
  const store = new IndexedDbStore(connection.run, () => connection.close(), name, keyRange);
  try {
    await store.nextSeq();
  } catch (error) {
    connection.close();
    throw error;
  }
  // What a page of this origin wrote while it was going away (exit-spill.ts): now, and whenever
  // another tab closes while this one lives.
  const adopt = () =>
    adoptSpilled(name, (records) => store.writeRecords(records)).catch((error: unknown) => {
      logger.debug('records left in localStorage by a closing page stay there until the next open', error);
    });
  await adopt();
  store.stopWatchingSpills = onSpilled(name, () => void adopt());
  return store;
}

class IndexedDbStore implements OutboxStore {
  readonly kind: StoreKind = 'indexeddb';
  /** A claim gives records read from IndexedDB: copies. */
  readonly claimsCopies = true;
  stopWatchingSpills: () => void = () => {};
  readonly #totalsSeen = new TotalsEstimate();
  readonly #metaStore: UseStore;
  /** Records this store leased, by id: their acks then find them without the id index. */
  readonly #claimed = new Map<string, ClaimedRecord>();

  constructor(
    private readonly run: RunInTransaction,
    private readonly closeConnection: () => void,
    private readonly databaseName: string,
    private readonly keyRange: KeyRangeClass,
  ) {
    this.#metaStore = (mode, callback) => run(mode, [META], async (transaction) => callback(transaction.objectStore(META)));
  }

  /**
   * Writes the records, then applies the caps when the totals near them (totals.ts). Once the
   * page is going away the records go to localStorage instead (exit-spill.ts), and an append
   * still waiting for IndexedDB resolves at the exit with nothing evicted, so the outbox's next
   * group is written while the page still runs microtasks (page-exit.ts).
   */
  append(records: OutboxRecord[], caps: StoreCaps): Promise<AppendResult> {
    if (isPageExiting() && spillRecords(this.databaseName, records)) return Promise.resolve({ evicted: 0 });
    return untilPageExit(this.#appendWithQuota(records, caps), { evicted: 0 });
  }

  async #appendWithQuota(records: OutboxRecord[], caps: StoreCaps): Promise<AppendResult> {
    let freed = 0;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.writeRecords(records);
        break;
      } catch (error) {
        if ((error as DOMException)?.name !== 'QuotaExceededError') throw error;
        // F15: room is made the way the caps make it, oldest metrics and logs first, and counted.
        const evicted = attempt < QUOTA_ATTEMPTS ? await this.#evictForQuota(Math.max(records.length, 1) * 2 ** attempt) : 0;
        if (evicted === 0) throw new QuotaStillExceededError(freed, error);
        freed += evicted;
      }
    }
    this.#totalsSeen.add(records);
    if (!this.#totalsSeen.nearCaps(caps)) return { evicted: freed };
    const evicted = await this.#applyCaps(records, caps).catch((error: unknown) => {
      // The records are stored and counted (their delta); the caps apply at the next append.
      logger.debug('applying the outbox caps failed', error);
      return 0;
    });
    return { evicted: evicted + freed };
  }

  /**
   * The records and their share of the totals, in one transaction that reads nothing and is
   * committed at once: it survives the page closing right after (a closing page keeps only
   * committed requests; see page-exit.ts and totals.ts).
   */
  writeRecords(records: OutboxRecord[]): Promise<void> {
    return this.run('readwrite', [RECORDS, META], async (transaction) => {
      const store = transaction.objectStore(RECORDS);
      for (const record of records) store.put(storedForm(record));
      if (records.length > 0) addDelta(transaction.objectStore(META), records[0].id, tally(records));
      commitNow(transaction);
    });
  }

  /** Folds the totals, keeps the next sequence number, and evicts the oldest metrics and logs past the caps. */
  #applyCaps(records: OutboxRecord[], caps: StoreCaps): Promise<number> {
    return this.run('readwrite', [RECORDS, META], async (transaction) => {
      const meta = transaction.objectStore(META);
      const totals = await takeTotals(meta, this.keyRange);
      let nextSeq = ((await promisifyRequest(meta.get(NEXT_SEQ_KEY))) as number | undefined) ?? 0;
      for (const record of records) nextSeq = Math.max(nextSeq, record.seq + 1);
      const evicted = await evictOldest(
        transaction.objectStore(RECORDS),
        totals,
        (current) => current.records > caps.maxRecords || current.bytes > caps.maxBytes,
      );
      putTotals(meta, totals);
      this.#totalsSeen.exact(totals);
      meta.put(nextSeq, NEXT_SEQ_KEY);
      return evicted;
    });
  }

  #evictForQuota(count: number): Promise<number> {
    return this.run('readwrite', [RECORDS, META], async (transaction) => {
      const meta = transaction.objectStore(META);
      const totals = await takeTotals(meta, this.keyRange);
      const target = totals.records - count;
      const evicted = await evictOldest(transaction.objectStore(RECORDS), totals, (current) => current.records > target);
      putTotals(meta, totals);
      this.#totalsSeen.exact(totals);
      return evicted;
    });
  }

  /**
   * Once the page is going away a claim does not answer; it fails if the page runs again (back/
   * forward cache), and the sender claims anew. Taking records now would lease them for a request
   * the page never sends, keeping them from the next load for the whole lease (F09: Chromium gives
   * a tab closed while offline an `online` event after `pagehide`, which woke its sender; the
   * create it leased waited 36 s on the next load). Answering "nothing" would be wrong too: the
   * outbox takes an empty claim to mean its written records have all left, and the close send that
   * follows in the same `pagehide` would then leave a run's first records out and send its later
   * ones ahead of them.
   */
  claim(options: ClaimOptions): Promise<OutboxRecord[]> {
    if (isPageExiting()) {
      return whenPageRunsAgain().then(() => {
        throw new Error('the page ran again after its exit; claim anew');
      });
    }
    return this.run(
      'readwrite',
      [RECORDS],
      async (transaction) => {
        const store = transaction.objectStore(RECORDS);
        const selected = selectBatch(await claimWindow(store, this.keyRange, options, this.#firstChunk(options)), options);
        if (!selected) return [];
        if (this.#claimed.size > MAX_REMEMBERED_CLAIMS) this.#claimed.clear();
        for (const record of selected.records) {
          record.leaseUntil = options.now + options.leaseMs;
          record.leaseOwner = options.owner;
          record.batch = selected.batch;
          this.#claimed.set(record.id, { seq: record.seq, run: record.run, bytes: record.bytes });
        }
        // The head carries the batch's lease and key for all of it (record-reads.ts `inKeyedBatch`).
        store.put(selected.records[0]);
        return selected.records;
      },
      RELAXED,
    );
  }

  /** Deletes the records and writes their share of the totals as a delta (totals.ts), then the meta entries. */
  ack(ids: string[], meta?: Record<string, unknown>): Promise<void> {
    return this.run(
      'readwrite',
      [RECORDS, META],
      async (transaction) => {
        const metaStore = transaction.objectStore(META);
        const removed = await deleteRecords(transaction.objectStore(RECORDS), this.keyRange, ids, this.#claimed);
        for (const id of ids) this.#claimed.delete(id);
        if (removed.someId !== undefined) {
          addDelta(metaStore, `ack:${removed.someId}`, negated(removed));
          this.#totalsSeen.removed(removed);
        }
        for (const [key, value] of Object.entries(meta ?? {})) metaStore.put(value, key);
      },
      RELAXED,
    );
  }

  /** How many records a claim reads first: one batch, as the average record size suggests. */
  #firstChunk(options: ClaimOptions): number {
    const average = this.#totalsSeen.averageBytes();
    return average ? Math.min(options.maxCount, options.maxBytes / average) + 1 : DEFAULT_FIRST_CHUNK;
  }

  /** Ends the lease, kept on the batch's head; the key stays, so a re-claim gives the same batch. */
  release(ids: string[]): Promise<void> {
    return this.#updateEach(ids, (record) => {
      if (record.leaseUntil === undefined && record.leaseOwner === undefined) return false;
      delete record.leaseUntil;
      delete record.leaseOwner;
      return true;
    });
  }

  /** Drops the key, kept on the batch's head: its records are grouped anew by the next claim. */
  unbatch(ids: string[]): Promise<void> {
    return this.#updateEach(ids, (record) => record.batch !== undefined && delete record.batch);
  }

  /**
   * Counts without reading a record: the record count from the store, the bytes and the count per
   * run from the running totals (totals.ts), which are committed with the records.
   */
  count(): Promise<{ records: number; bytes: number; byRun: Record<string, number> }> {
    return this.run('readonly', [RECORDS, META], async (transaction) => {
      const [records, { totals }] = await Promise.all([
        promisifyRequest(transaction.objectStore(RECORDS).count()),
        readTotals(transaction.objectStore(META), this.keyRange),
      ]);
      this.#totalsSeen.counted({ records, bytes: totals.bytes });
      return { records, bytes: totals.bytes, byRun: totals.byRun };
    });
  }

  getMeta(key: string): Promise<unknown> {
    return get(key, this.#metaStore);
  }

  setMeta(key: string, value: unknown): Promise<void> {
    return set(key, value, this.#metaStore);
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
    this.stopWatchingSpills();
    this.closeConnection();
  }

  /** Writes back each of the records that `change` changed (it says so by returning true). */
  #updateEach(ids: string[], change: (record: OutboxRecord) => boolean): Promise<void> {
    return this.run(
      'readwrite',
      [RECORDS],
      async (transaction) => {
        const store = transaction.objectStore(RECORDS);
        for (const record of await recordsById(store, ids)) if (change(record)) store.put(record);
      },
      RELAXED,
    );
  }
}

/** A record as stored: its body once (`json`, the body already serialised, is for this page only). */
function storedForm(record: OutboxRecord): OutboxRecord {
  if (record.json === undefined) return record;
  const { json: _json, ...stored } = record;
  return stored;
}
