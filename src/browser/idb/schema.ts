/**
 * The IndexedDB layout and its migrations (F25: a queue written by an older version is migrated,
 * never dropped).
 *
 * Version 3 (current): as version 2, with the running totals (totals.ts) counting records per
 *   run as well, so `count()` reads no record (a queue of 100,000 records was read whole: seconds
 *   of a next load before its first claim). The upgrade counts the records once.
 * Version 2:
 *   `records`: key path [seq, id], so a cursor walks records in call order and two tabs that
 *              picked the same `seq` never overwrite each other; unique index `id` for acks.
 *              A claimed batch's lease and key are kept on its first record only; the batch is
 *              that record and the records of its run after it, as many as the key counts
 *              (record-reads.ts `inKeyedBatch`). Records kept by earlier versions carry them on
 *              every record of the batch, which reads the same.
 *   `meta`:    out-of-line string keys for the outbox's meta; array keys for the store's own
 *              bookkeeping (`['internal', ...]`), which no string key can collide with.
 * Version 1: one idb-keyval style store `outbox`, `r:<seq>` keys holding records without `v`
 *   and `bytes`, and `m:<key>` keys holding meta.
 */
import { RECORD_FORMAT_VERSION, recordBytes } from '../../outbox/records';

export const SCHEMA_VERSION = 3;
export const RECORDS = 'records';
export const META = 'meta';
export const ID_INDEX = 'id';
export const LEGACY_STORE = 'outbox';

/** Running totals kept beside the records, so an append checks the caps without a scan. */
export const TOTALS_KEY = ['internal', 'totals'];
/** Second element of the delta entries' keys (totals.ts): `['internal', 'totals-delta', change]`. */
export const DELTA_KEY_NAME = 'totals-delta';
/** Next free `seq`, kept when every record has been acked. */
export const NEXT_SEQ_KEY = ['internal', 'nextSeq'];

export interface Totals {
  records: number;
  bytes: number;
  /** Records per run (runs with none left out). Version 2 kept no such field. */
  byRun: Record<string, number>;
}

/** Totals of `records`, or, with `sign` -1, what removing them takes away. */
export function tally(records: Iterable<{ run: string; bytes: number }>, sign: 1 | -1 = 1): Totals {
  const totals: Totals = { records: 0, bytes: 0, byRun: {} };
  for (const record of records) addRecord(totals, record, sign);
  return totals;
}

/** What removing what `totals` counts takes away. */
export function negated(totals: Totals): Totals {
  const byRun: Record<string, number> = {};
  for (const [run, count] of Object.entries(totals.byRun)) byRun[run] = -count;
  return { records: -totals.records, bytes: -totals.bytes, byRun };
}

export function addRecord(totals: Totals, record: { run: string; bytes: number }, sign: 1 | -1 = 1): void {
  totals.records += sign;
  totals.bytes += sign * record.bytes;
  const left = (totals.byRun[record.run] ?? 0) + sign;
  if (left === 0) delete totals.byRun[record.run];
  else totals.byRun[record.run] = left;
}

/** Runs inside `onupgradeneeded`; every step uses the version-change transaction. */
export function upgradeSchema(db: IDBDatabase, transaction: IDBTransaction, oldVersion: number): void {
  if (oldVersion < 2) {
    const records = db.createObjectStore(RECORDS, { keyPath: ['seq', 'id'] });
    records.createIndex(ID_INDEX, 'id', { unique: true });
    const meta = db.createObjectStore(META);
    meta.put({ records: 0, bytes: 0, byRun: {} } satisfies Totals, TOTALS_KEY);
    if (db.objectStoreNames.contains(LEGACY_STORE)) migrateFromVersion1(db, transaction);
  }
  // Version 1 was counted per run by its migration above.
  if (oldVersion === 2) recountTotals(transaction);
}

function migrateFromVersion1(db: IDBDatabase, transaction: IDBTransaction): void {
  const legacy = transaction.objectStore(LEGACY_STORE);
  const records = transaction.objectStore(RECORDS);
  const meta = transaction.objectStore(META);
  const totals: Totals = { records: 0, bytes: 0, byRun: {} };
  let nextSeq = 0;
  const cursorRequest = legacy.openCursor();
  cursorRequest.onsuccess = () => {
    const cursor = cursorRequest.result;
    if (!cursor) {
      meta.put(totals, TOTALS_KEY);
      meta.put(nextSeq, NEXT_SEQ_KEY);
      db.deleteObjectStore(LEGACY_STORE);
      return;
    }
    const key = String(cursor.key);
    if (key.startsWith('m:')) meta.put(cursor.value, key.slice(2));
    else if (key.startsWith('r:') && isLegacyRecord(cursor.value)) {
      const bytes = typeof cursor.value.bytes === 'number' ? cursor.value.bytes : recordBytes(cursor.value.body);
      records.put({ ...cursor.value, v: RECORD_FORMAT_VERSION, bytes });
      addRecord(totals, { run: cursor.value.run, bytes });
      nextSeq = Math.max(nextSeq, cursor.value.seq + 1);
    }
    cursor.continue();
  };
}

/**
 * Version 2 to 3: counts the records once (per run, which version 2 did not) and replaces the
 * totals and their pending deltas with that count.
 */
function recountTotals(transaction: IDBTransaction): void {
  const meta = transaction.objectStore(META);
  const totals: Totals = { records: 0, bytes: 0, byRun: {} };
  const records = transaction.objectStore(RECORDS).openCursor();
  records.onsuccess = () => {
    const cursor = records.result;
    if (!cursor) return void meta.put(totals, TOTALS_KEY);
    addRecord(totals, cursor.value as { run: string; bytes: number });
    cursor.continue();
  };
  const deltas = meta.openCursor();
  deltas.onsuccess = () => {
    const cursor = deltas.result;
    if (!cursor) return;
    const key = cursor.key;
    if (Array.isArray(key) && key[0] === TOTALS_KEY[0] && key[1] === DELTA_KEY_NAME) cursor.delete();
    cursor.continue();
  };
}

function isLegacyRecord(value: unknown): value is { seq: number; id: string; run: string; body: unknown; bytes?: number } {
  const record = value as { seq?: unknown; id?: unknown } | null;
  return typeof record === 'object' && record !== null && Number.isSafeInteger(record.seq) && typeof record.id === 'string';
}
