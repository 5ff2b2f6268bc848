/**
 * How the IndexedDB store reads its records inside a transaction, in as few requests as it can:
 * every request is a round trip to the browser's IndexedDB backend, and a queue of 100,000
 * records drained 200 at a time makes 500 claims and 500 acks.
 */
import { promisifyRequest } from 'idb-keyval';
import { evictionJudge } from '../../outbox/eviction';
import { BATCHABLE_KINDS, type OutboxRecord } from '../../outbox/records';
import { countInBatchKey, inKeyedBatch } from '../../outbox/select-batch';
import type { ClaimOptions } from '../../outbox/store';
import { addRecord, ID_INDEX, type Totals } from './schema';

/** The `IDBKeyRange` class of the factory in use (a global in browsers; injected with fake-indexeddb). */
export type KeyRangeClass = typeof IDBKeyRange;

export type RecordKey = [seq: number, id: string];

/**
 * Most records the first `getAll` of a claim reads: enough for a default batch, little when the
 * head turns out to go alone (a create, a status).
 */
const MAX_FIRST_CHUNK = 1_024;
/**
 * Most records one later `getAll` reads: a batch of 10,000 points in two or three requests rather
 * than ten (each request is a round trip to the browser's IndexedDB backend), while a claim on a
 * full queue holds a few MB at most.
 */
const MAX_CHUNK = 16_384;
const MIN_CHUNK = 16;
/** How much each later read grows over the one before. */
const CHUNK_GROWTH = 8;

/**
 * The records one claim chooses from, read with `getAll` in chunks in `seq` order (one request per
 * chunk instead of one per record) and stopping as soon as the batch is known. `selectBatch` then
 * decides on these records with the one shared policy.
 *
 * Gives the records of the first run whose head holds no live lease (a run's head decides, as in
 * `selectBatch`), from that head to the end of what a claim may take: the rest of its batch (the
 * head's key counts its records, see `inKeyedBatch`), or the following records of the same kind
 * up to `maxCount` and `maxBytes`. `firstChunk` is how many records the first read asks for (the
 * caller's guess at one batch, from the average record size); later reads grow eightfold.
 */
export async function claimWindow(
  store: IDBObjectStore,
  keyRange: KeyRangeClass,
  options: ClaimOptions,
  firstChunk: number,
): Promise<OutboxRecord[]> {
  const window = new ClaimWindow(options);
  let size = Math.min(Math.max(Math.ceil(firstChunk), MIN_CHUNK), MAX_FIRST_CHUNK);
  let after: RecordKey | undefined;
  for (;;) {
    const query = after === undefined ? null : keyRange.lowerBound(after, true);
    const chunk = (await promisifyRequest(store.getAll(query, size))) as OutboxRecord[];
    for (const record of chunk) if (window.offer(record) === 'complete') return window.records;
    if (chunk.length < size) return window.records;
    const last = chunk[chunk.length - 1];
    after = [last.seq, last.id];
    // Once the batch has its head, read what it still lacks and no more: growing blindly read a
    // 10,000-point batch as 1,024 + 8,192 + 16,384 records, two and a half times the batch.
    const left = window.recordsLeft();
    size = left === undefined ? Math.min(size * CHUNK_GROWTH, MAX_CHUNK) : Math.min(Math.max(left, MIN_CHUNK), MAX_CHUNK);
  }
}

/**
 * In IndexedDB a batch's key and lease are written on its first record only: a claim then writes
 * one record, not one per record of the batch. Records written before this carry the key on every
 * record; both read the same (select-batch.ts `inKeyedBatch`).
 */
class ClaimWindow {
  readonly records: OutboxRecord[] = [];
  private readonly blockedRuns = new Set<string>();
  private bytes = 0;

  constructor(private readonly options: ClaimOptions) {}

  /**
   * About how many more records the batch takes (one more than it needs when bytes may end it, so
   * the read sees that end); undefined before the batch has its head.
   */
  recordsLeft(): number | undefined {
    const lead = this.records[0];
    if (!lead) return undefined;
    const taken = this.records.length;
    if (lead.batch !== undefined) return countInBatchKey(lead.batch) - taken;
    const byCount = this.options.maxCount - taken;
    const byBytes = Math.ceil((this.options.maxBytes - this.bytes) / (this.bytes / taken || 1)) + 1;
    return Math.max(1, Math.min(byCount, byBytes));
  }

  offer(record: OutboxRecord): 'more' | 'complete' {
    const lead = this.records[0];
    if (!lead) {
      if (this.blockedRuns.has(record.run)) return 'more';
      if (record.leaseUntil !== undefined && record.leaseUntil > this.options.now) {
        this.blockedRuns.add(record.run);
        return 'more';
      }
      this.records.push(record);
      this.bytes = record.bytes;
      // Other kinds go alone, under a batch key or not.
      return BATCHABLE_KINDS.has(record.kind) ? 'more' : 'complete';
    }
    if (record.run !== lead.run) return 'more';
    if (lead.batch !== undefined) {
      if (!inKeyedBatch(lead, record, this.records.length)) return 'complete';
      // Carries its batch's key from here on, as `selectBatch` expects of a batch's records.
      this.records.push({ ...record, batch: lead.batch });
      return this.records.length < countInBatchKey(lead.batch) ? 'more' : 'complete';
    }
    if (record.batch !== undefined || record.kind !== lead.kind) return 'complete';
    this.records.push(record);
    this.bytes += record.bytes;
    if (this.records.length >= this.options.maxCount || this.bytes > this.options.maxBytes) return 'complete';
    return 'more';
  }
}

/** What an ack needs to know of a record this store claimed: where it is, and what it weighs. */
export interface ClaimedRecord {
  seq: number;
  run: string;
  bytes: number;
}

/**
 * Deletes the records named by `ids` that are still stored; gives how many went, their bytes, and
 * the id of one of them (each record is deleted once, so it names this change uniquely).
 * Records this store claimed (`claimed`) are found with one key read over their `seq` span and,
 * when nothing else lies in that span (one run drained alone, the usual case), deleted with one
 * range delete; any other id is looked up in the id index.
 */
export async function deleteRecords(
  store: IDBObjectStore,
  keyRange: KeyRangeClass,
  ids: readonly string[],
  claimed: ReadonlyMap<string, ClaimedRecord>,
): Promise<Totals & { someId?: string }> {
  const removed: Totals & { someId?: string } = { records: 0, bytes: 0, byRun: {} };
  const known = new Map<string, ClaimedRecord>();
  const unknown: string[] = [];
  for (const id of ids) {
    const record = claimed.get(id);
    if (record) known.set(id, record);
    else unknown.push(id);
  }
  if (known.size > 0) {
    let lowest = Infinity;
    let highest = -Infinity;
    for (const { seq } of known.values()) {
      lowest = Math.min(lowest, seq);
      highest = Math.max(highest, seq);
    }
    // [seq] sorts before every [seq, id]; [seq, []] after every [seq, id] (arrays sort after strings).
    const span = keyRange.bound([lowest], [highest, []]);
    const keys = (await promisifyRequest(store.getAllKeys(span))) as RecordKey[];
    const found = keys.filter(([, id]) => known.has(id));
    if (found.length === keys.length) store.delete(span);
    else for (const key of found) store.delete(key);
    for (const [, id] of found) {
      removed.someId ??= id;
      addRecord(removed, known.get(id)!);
    }
  }
  for (const record of await recordsById(store, unknown)) {
    store.delete([record.seq, record.id]);
    removed.someId ??= record.id;
    addRecord(removed, record);
  }
  return removed;
}

export function recordsById(store: IDBObjectStore, ids: readonly string[]): Promise<OutboxRecord[]> {
  if (ids.length === 0) return Promise.resolve([]);
  const index = store.index(ID_INDEX);
  return Promise.all(ids.map((id) => promisifyRequest(index.get(id)) as Promise<OutboxRecord | undefined>)).then(
    (found) => found.filter((record): record is OutboxRecord => record !== undefined),
  );
}

/**
 * Deletes what the eviction rule (outbox/eviction.ts) takes, walking records in `seq` order on a
 * cursor while `tooMuch` holds, so a full queue is not read whole on every append. Updates
 * `totals`; returns how many went.
 */
export function evictOldest(store: IDBObjectStore, totals: Totals, tooMuch: (totals: Totals) => boolean): Promise<number> {
  if (!tooMuch(totals)) return Promise.resolve(0);
  const mayEvict = evictionJudge();
  let evicted = 0;
  return new Promise((resolve, reject) => {
    const request = store.openCursor();
    request.onerror = () => reject(request.error);
    request.onsuccess = () => {
      const cursor = request.result;
      if (!cursor || !tooMuch(totals)) return resolve(evicted);
      const record = cursor.value as OutboxRecord;
      if (mayEvict(record)) {
        cursor.delete();
        addRecord(totals, record, -1);
        evicted++;
      }
      cursor.continue();
    };
  });
}
