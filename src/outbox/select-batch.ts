import { BATCHABLE_KINDS, type OutboxRecord } from './records';
import type { ClaimOptions } from './store';

export interface SelectedBatch {
  records: OutboxRecord[];
  /** The batch key: kept from a earlier claim, or new and derived from the records themselves. */
  batch: string;
}

/**
 * Records in `seq` order that cost something to make (a store that keeps them as columns makes
 * each as it is reached): told which runs the walk no longer needs, it may pass their records by
 * without making them. Plain arrays and maps need neither hint.
 */
export interface RecordWalk extends Iterable<OutboxRecord> {
  /** No record of `run` is needed from here on. */
  skipRun?(run: string): void;
  /** Only records of `run` are needed from here on. */
  onlyRun?(run: string): void;
  /** No more records under the batch key `batch` are needed (the claimer's own leased batch, met at its head). */
  passBatch?(batch: string): void;
}

/**
 * Decides what one claim takes. Pure, so every store (memory, journal, IndexedDB) runs the same
 * policy inside its own atomic section and the stores cannot disagree.
 *
 * - A run is blocked while any of its records holds a live lease, so the calls of one experiment
 *   go out in order even when two tabs or processes share the queue (DESIGN "order per experiment").
 *   A claim only ever leases a prefix of a run's records (its head, then what follows it), so a
 *   run holds a live lease exactly when its first record does: looking at heads is enough.
 *   One exception, with `runBatchesInFlight` 2: behind the claimer's own leased metrics batch the
 *   next metrics batch of the run may be claimed (metrics carry their steps; the sender sends it
 *   after the first is answered). A record of any other kind still waits until every earlier
 *   record of its run is acknowledged.
 * - The first record, by `seq`, of an unblocked run leads. Never wall time (F22).
 * - A record that already has a batch key brings exactly its batch back: a retry, here or after a
 *   reload or crash, sends the same records under the same Idempotency-Key (F01, F02, F10).
 * - Otherwise metrics and logs gather the records of the same run and kind that follow it without
 *   a batch key, stopping at a record of another kind, within `maxCount` and `maxBytes` (the first
 *   record is taken even when alone it is larger). Other kinds go alone.
 *
 * `records` must be in ascending `seq` order. One pass that stops as soon as the batch is complete:
 * a claim on a queue of 100,000 records reads only up to the end of the batch it takes.
 */
export function selectBatch(records: RecordWalk, options: ClaimOptions): SelectedBatch | null {
  /** Runs met before a lead: blocked, or the keys of the claimer's own leased metrics batches at their head. */
  const seenRuns = new Map<string, 'blocked' | Set<string>>();
  const perRun = options.runBatchesInFlight ?? 1;
  let lead: OutboxRecord | undefined;
  const taken: OutboxRecord[] = [];
  let bytes = 0;
  let batchSize = Infinity;
  const block = (run: string) => {
    seenRuns.set(run, 'blocked');
    records.skipRun?.(run);
  };
  for (const record of records) {
    if (!lead) {
      const seen = seenRuns.get(record.run);
      if (seen === 'blocked') continue;
      if (record.leaseUntil !== undefined && record.leaseUntil > options.now) {
        const ours = perRun > 1 && record.kind === 'metrics' && record.leaseOwner === options.owner && record.batch !== undefined;
        // The rest of our leased batch says nothing more: the walk may pass it by.
        if (ours) records.passBatch?.(record.batch!);
        const batches = ours ? (seen ?? new Set<string>()).add(record.batch!) : undefined;
        if (batches && batches.size < perRun) seenRuns.set(record.run, batches);
        else block(record.run);
        continue;
      }
      if (seen !== undefined && record.kind !== 'metrics') {
        block(record.run);
        continue;
      }
      seenRuns.set(record.run, 'blocked');
      records.onlyRun?.(record.run);
      lead = record;
      taken.push(record);
      bytes = record.bytes;
      if (record.batch !== undefined) batchSize = countInBatchKey(record.batch);
      else if (!BATCHABLE_KINDS.has(record.kind)) break;
    } else if (record.run === lead.run) {
      if (lead.batch !== undefined) {
        // Exactly the records carrying the key; the count in the key ends the scan early.
        if (record.batch !== lead.batch) continue;
      } else if (taken.length >= options.maxCount || record.kind !== lead.kind || record.batch !== undefined || bytes + record.bytes > options.maxBytes) {
        break;
      }
      taken.push(record);
      bytes += record.bytes;
    }
    if (taken.length >= batchSize) break;
  }
  if (!lead) return null;
  return { records: taken, batch: lead.batch ?? batchKey(taken) };
}

/**
 * Whether `record`, met after `head` in `head`'s run, belongs to `head`'s keyed batch when `taken`
 * of its records (the head included) are already known. A keyed batch is its head and the records
 * of its run that follow it, as many as the count in the key says: they stay next to each other in
 * the run (acks delete whole batches, eviction keeps keyed batches whole, new records come after).
 * The records after the head may carry the key or not (the IndexedDB store writes it on the head
 * only); a record of another kind or under another key ends the batch.
 */
export function inKeyedBatch(head: OutboxRecord, record: OutboxRecord, taken: number): boolean {
  return taken < countInBatchKey(head.batch!) && record.kind === head.kind && (record.batch === undefined || record.batch === head.batch);
}

/** The record count written into a batch key by `batchKey`; unknown when the key has another form. */
export function countInBatchKey(key: string): number {
  const count = Number(key.split('.')[1]);
  return Number.isInteger(count) && count > 0 ? count : Infinity;
}

/**
 * A key that names exactly this set of records: the first id, the count and a hash of every id.
 * Two different sets never share a key in practice, so a server that deduplicates by key (the
 * local server) never mistakes a regrouped batch for one it has already stored.
 */
export function batchKey(records: readonly OutboxRecord[]): string {
  let hash = 0x811c9dc5;
  for (const record of records) {
    for (let i = 0; i < record.id.length; i++) {
      hash ^= record.id.charCodeAt(i);
      hash = Math.imul(hash, 0x01000193);
    }
  }
  const hex = (hash >>> 0).toString(16).padStart(8, '0');
  return `${records[0].id}.${records.length}.${hex}`;
}
