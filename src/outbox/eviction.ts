import { EVICTABLE_KINDS, type OutboxRecord } from './records';
import { inKeyedBatch } from './select-batch';
import type { StoreCaps } from './store';

/**
 * The eviction rule, one for every store (memory, file journal, IndexedDB). When the queue is over
 * its caps, records go oldest first, in `seq` order, and only metrics and logs: create, patch
 * (name, description, tags, params, data refs, run env), status, coderef and stop never go for
 * space. Nor does a record in flight (leased), nor any record of a keyed batch, leased or released:
 * the key names its records by count (`inKeyedBatch`), so a gap in it would move another record
 * under a key the server may already have stored.
 *
 * Gives a judge to call on the queue's records in `seq` order, each record once, eviction or not:
 * it follows, per run, the keyed batch being walked through. True: the caps may take the record.
 */
export function evictionJudge(now: number = Date.now()): (record: OutboxRecord) => boolean {
  /** Per run, the keyed batch being walked through: its head and how many of its records were met. */
  const batches = new Map<string, { head: OutboxRecord; met: number }>();
  const inBatch = (record: OutboxRecord): boolean => {
    const current = batches.get(record.run);
    if (current && inKeyedBatch(current.head, record, current.met)) {
      current.met++;
      return true;
    }
    if (record.batch === undefined) return false;
    batches.set(record.run, { head: record, met: 1 });
    return true;
  };
  return (record) => !inBatch(record) && EVICTABLE_KINDS.has(record.kind) && !(record.leaseUntil !== undefined && record.leaseUntil > now);
}

/**
 * Removes from `records` (in `seq` order) what the eviction rule takes until they fit the caps;
 * returns how many went. For stores that keep their records in an array.
 */
export function evictBeyondCaps(records: OutboxRecord[], caps: StoreCaps, now: number = Date.now()): number {
  let count = records.length;
  let bytes = 0;
  for (const record of records) bytes += record.bytes;
  if (count <= caps.maxRecords && bytes <= caps.maxBytes) return 0;

  const mayEvict = evictionJudge(now);
  const evicted = new Set<OutboxRecord>();
  for (const record of records) {
    if (count <= caps.maxRecords && bytes <= caps.maxBytes) break;
    if (!mayEvict(record)) continue;
    evicted.add(record);
    count--;
    bytes -= record.bytes;
  }
  if (evicted.size === 0) return 0;
  let kept = 0;
  for (const record of records) if (!evicted.has(record)) records[kept++] = record;
  records.length = kept;
  return evicted.size;
}
