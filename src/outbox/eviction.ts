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

/** How much must go: at least `count` records and `size` of whatever `sizeOf` measures. */
export interface Excess {
  count: number;
  size: number;
}

/**
 * The records the rule takes to remove `excess`, walking `records` (in `seq` order, oldest first)
 * and stopping as soon as enough went: the cost is what it evicts plus the few records it must
 * skip at the head (creates, statuses, batches in flight), never a scan of the whole queue. The
 * one eviction order of every store.
 */
export function pickEvictions(
  records: Iterable<OutboxRecord>,
  excess: Excess,
  sizeOf: (record: OutboxRecord) => number = (record) => record.bytes,
  now: number = Date.now(),
): OutboxRecord[] {
  const evicted: OutboxRecord[] = [];
  if (excess.count <= 0 && excess.size <= 0) return evicted;
  const mayEvict = evictionJudge(now);
  let count = 0;
  let size = 0;
  for (const record of records) {
    if (!mayEvict(record)) continue;
    evicted.push(record);
    count++;
    size += sizeOf(record);
    if (count >= excess.count && size >= excess.size) break;
  }
  return evicted;
}

/** What must go for `count` records of `bytes` to fit `caps`. */
export function excessOver(caps: StoreCaps, count: number, bytes: number): Excess {
  return { count: count - caps.maxRecords, size: bytes - caps.maxBytes };
}

/**
 * Removes from `records` (in `seq` order) what the eviction rule takes until they fit the caps;
 * returns how many went. For stores that keep their records in an array and their byte total.
 */
export function evictBeyondCaps(records: OutboxRecord[], caps: StoreCaps, bytes: number, now: number = Date.now()): number {
  const evicted = new Set(pickEvictions(records, excessOver(caps, records.length, bytes), undefined, now));
  if (evicted.size === 0) return 0;
  let kept = 0;
  for (const record of records) if (!evicted.has(record)) records[kept++] = record;
  records.length = kept;
  return evicted.size;
}
