/**
 * Running totals of the queue (records, bytes, records per run), kept beside the records so an
 * append checks the caps and `count()` answers without a scan.
 *
 * An append cannot read the totals before writing its records: on a closing page only the
 * requests made before the page goes away are kept (and only once `commit()` is called), and
 * reading is a round trip the page may not live to see. So an append writes its share as a
 * delta entry in the same transaction as its records, an ack writes a negative one beside its
 * deletes (a read there would cost every delivered batch a round trip), and whoever reads the
 * totals next (the caps step of an append, an eviction) folds every delta into the base entry.
 * Records and their accounting are committed together; no interleaving of tabs loses or doubles
 * a count.
 */
import { promisifyRequest } from 'idb-keyval';
import type { KeyRangeClass } from './record-reads';
import { DELTA_KEY_NAME, TOTALS_KEY, type Totals } from './schema';

/** Key prefix of the delta entries; array keys never collide with the outbox's string meta keys. */
const DELTA_PREFIX = [TOTALS_KEY[0], DELTA_KEY_NAME] as const;

/**
 * Records `delta` (negative for an ack) without reading anything (see above). `key` names the
 * change uniquely: the id of the first record appended, or `ack:` and the first id acked.
 */
export function addDelta(meta: IDBObjectStore, key: string, delta: Totals): void {
  meta.put(delta, [...DELTA_PREFIX, key]);
}

/**
 * Reads the totals with every pending delta folded in and removes the deltas: the caller must
 * `putTotals` in the same transaction. Every `[...DELTA_PREFIX, key]` sorts inside one key range
 * (arrays sort after strings), so the deltas are read and removed with one request each however
 * many acks and appends left them.
 */
export async function takeTotals(meta: IDBObjectStore, keyRange: KeyRangeClass): Promise<Totals> {
  const { totals, deltas } = await readTotals(meta, keyRange);
  if (deltas > 0) meta.delete(deltaRange(keyRange));
  return totals;
}

/** The totals with every pending delta folded in, changing nothing (a readonly transaction will do). */
export async function readTotals(meta: IDBObjectStore, keyRange: KeyRangeClass): Promise<{ totals: Totals; deltas: number }> {
  const [base, deltas] = await Promise.all([
    promisifyRequest(meta.get(TOTALS_KEY)) as Promise<Totals | undefined>,
    promisifyRequest(meta.getAll(deltaRange(keyRange))) as Promise<Totals[]>,
  ]);
  const totals: Totals = { records: base?.records ?? 0, bytes: base?.bytes ?? 0, byRun: { ...base?.byRun } };
  for (const delta of deltas) {
    totals.records += delta.records;
    totals.bytes += delta.bytes;
    for (const [run, count] of Object.entries(delta.byRun)) totals.byRun[run] = (totals.byRun[run] ?? 0) + count;
  }
  for (const [run, count] of Object.entries(totals.byRun)) if (count === 0) delete totals.byRun[run];
  return { totals, deltas: deltas.length };
}

const deltaRange = (keyRange: KeyRangeClass) => keyRange.bound([...DELTA_PREFIX], [...DELTA_PREFIX, []]);

export function putTotals(meta: IDBObjectStore, totals: Totals): void {
  meta.put(totals, TOTALS_KEY);
}

/** Appends between two exact readings of the totals, at most: bounds what other tabs may add unseen. */
const APPENDS_BETWEEN_READINGS = 64;
/** Below this share of either cap an append does not read the totals. */
const NEAR_CAPS = 0.9;

/**
 * What this store knows of the totals: the last exact reading (caps step, eviction) plus its own
 * appends and acks since. An append reads the exact totals (and evicts) only when that estimate nears a
 * cap, before the first reading, and every `APPENDS_BETWEEN_READINGS` appends (other tabs append
 * too), so the common append is one transaction that reads nothing.
 */
export class TotalsEstimate {
  #totals: Pick<Totals, 'records' | 'bytes'> | undefined;
  #countedAverage: number | undefined;
  #appendsSinceReading = 0;

  exact(totals: Pick<Totals, 'records' | 'bytes'>): void {
    this.#totals = { records: totals.records, bytes: totals.bytes };
    this.#appendsSinceReading = 0;
  }

  add(records: ReadonlyArray<{ bytes: number }>): void {
    this.#appendsSinceReading++;
    if (!this.#totals) return;
    this.#totals.records += records.length;
    for (const record of records) this.#totals.bytes += record.bytes;
  }

  /** This store acked `removed`; not counted as an append, as it only moves away from the caps. */
  removed(removed: Pick<Totals, 'records' | 'bytes'>): void {
    if (!this.#totals) return;
    this.#totals.records -= removed.records;
    this.#totals.bytes -= removed.bytes;
  }

  /**
   * A count of the whole queue (`count()`): it sizes claims before any exact reading, but is not
   * one for the caps (appends may be on their way meanwhile).
   */
  counted(totals: Pick<Totals, 'records' | 'bytes'>): void {
    if (totals.records > 0) this.#countedAverage = totals.bytes / totals.records;
  }

  /** Average body bytes of a stored record, when a reading or a count gave one. */
  averageBytes(): number | undefined {
    return this.#totals && this.#totals.records > 0 ? this.#totals.bytes / this.#totals.records : this.#countedAverage;
  }

  nearCaps(caps: { maxRecords: number; maxBytes: number }): boolean {
    if (!this.#totals || this.#appendsSinceReading >= APPENDS_BETWEEN_READINGS) return true;
    return this.#totals.records > caps.maxRecords * NEAR_CAPS || this.#totals.bytes > caps.maxBytes * NEAR_CAPS;
  }
}
