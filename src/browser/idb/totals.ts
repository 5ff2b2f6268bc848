/**
 * Running totals of the queue (records and bytes), kept beside the records so an append checks
 * the caps without a scan.
 *
 * An append cannot read the totals before writing its records: on a closing page only the
 * requests made before the page goes away are kept (and only once `commit()` is called), and
 * reading is a round trip the page may not live to see. So an append writes its share as a
 * delta entry in the same transaction as its records, and whoever reads the totals next (the
 * caps step of that append, an eviction, an ack) folds every delta into the base entry. Records
 * and their accounting are committed together; no interleaving of tabs loses or doubles a count.
 */
import { promisifyRequest } from 'idb-keyval';
import { TOTALS_KEY, type Totals } from './schema';

/** Key prefix of the delta entries; array keys never collide with the outbox's string meta keys. */
const DELTA_PREFIX = ['internal', 'totals-delta'] as const;

function isDeltaKey(key: IDBValidKey): boolean {
  return Array.isArray(key) && key.length === 3 && key[0] === DELTA_PREFIX[0] && key[1] === DELTA_PREFIX[1];
}

/**
 * The keys of the pending deltas. Every `[...DELTA_PREFIX, id]` sorts inside one key range (arrays
 * sort after strings); where `IDBKeyRange` is not a global (an injected factory in tests) the meta
 * keys are listed and filtered instead.
 */
async function deltaKeys(meta: IDBObjectStore): Promise<IDBValidKey[]> {
  if (typeof IDBKeyRange !== 'undefined') {
    return promisifyRequest(meta.getAllKeys(IDBKeyRange.bound([...DELTA_PREFIX], [...DELTA_PREFIX, []])));
  }
  return (await promisifyRequest(meta.getAllKeys())).filter(isDeltaKey);
}

/** Records `records` more records of `bytes` bytes, without reading anything (see above). */
export function addDelta(meta: IDBObjectStore, id: string, delta: Totals): void {
  meta.put(delta, [...DELTA_PREFIX, id]);
}

/**
 * Reads the totals with every pending delta folded in and removes the deltas: the caller must
 * `putTotals` in the same transaction.
 */
export async function takeTotals(meta: IDBObjectStore): Promise<Totals> {
  const [base, keys] = await Promise.all([promisifyRequest(meta.get(TOTALS_KEY)) as Promise<Totals | undefined>, deltaKeys(meta)]);
  const deltas = (await Promise.all(keys.map((key) => promisifyRequest(meta.get(key))))) as Totals[];
  const totals = { records: base?.records ?? 0, bytes: base?.bytes ?? 0 };
  for (const delta of deltas) {
    totals.records += delta.records;
    totals.bytes += delta.bytes;
  }
  for (const key of keys) meta.delete(key);
  return totals;
}

export function putTotals(meta: IDBObjectStore, totals: Totals): void {
  meta.put(totals, TOTALS_KEY);
}

/** Appends between two exact readings of the totals, at most: bounds what other tabs may add unseen. */
const APPENDS_BETWEEN_READINGS = 64;
/** Below this share of either cap an append does not read the totals. */
const NEAR_CAPS = 0.9;

/**
 * What this store knows of the totals: the last exact reading (caps step, eviction, ack) plus its
 * own appends since. An append reads the exact totals (and evicts) only when that estimate nears a
 * cap, before the first reading, and every `APPENDS_BETWEEN_READINGS` appends (other tabs append
 * too), so the common append is one transaction that reads nothing.
 */
export class TotalsEstimate {
  private totals: Totals | undefined;
  private appendsSinceReading = 0;

  exact(totals: Totals): void {
    this.totals = { records: totals.records, bytes: totals.bytes };
    this.appendsSinceReading = 0;
  }

  add(records: ReadonlyArray<{ bytes: number }>): void {
    this.appendsSinceReading++;
    if (!this.totals) return;
    this.totals.records += records.length;
    for (const record of records) this.totals.bytes += record.bytes;
  }

  nearCaps(caps: { maxRecords: number; maxBytes: number }): boolean {
    if (!this.totals || this.appendsSinceReading >= APPENDS_BETWEEN_READINGS) return true;
    return this.totals.records > caps.maxRecords * NEAR_CAPS || this.totals.bytes > caps.maxBytes * NEAR_CAPS;
  }
}
