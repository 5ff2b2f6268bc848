import { BATCHABLE_KINDS, type OutboxRecord } from './records';
import type { ClaimOptions } from './store';

export interface SelectedBatch {
  records: OutboxRecord[];
  /** The batch key: kept from a earlier claim, or new and derived from the records themselves. */
  batch: string;
}

/**
 * Decides what one claim takes. Pure, so every store (memory, journal, IndexedDB) runs the same
 * policy inside its own atomic section and the stores cannot disagree.
 *
 * - A run is blocked while any of its records holds a live lease, so the calls of one experiment
 *   go out in order even when two tabs or processes share the queue (DESIGN "order per experiment").
 * - The first record, by `seq`, of an unblocked run leads. Never wall time (F22).
 * - A record that already has a batch key brings exactly its batch back: a retry, here or after a
 *   reload or crash, sends the same records under the same Idempotency-Key (F01, F02, F10).
 * - Otherwise metrics and logs gather the records of the same run and kind that follow it without
 *   a batch key, stopping at a record of another kind, within `maxCount` and `maxBytes` (the first
 *   record is taken even when alone it is larger). Other kinds go alone.
 *
 * `records` must be in ascending `seq` order.
 */
export function selectBatch(records: readonly OutboxRecord[], options: ClaimOptions): SelectedBatch | null {
  const blockedRuns = new Set<string>();
  for (const record of records) {
    if (record.leaseUntil !== undefined && record.leaseUntil > options.now) blockedRuns.add(record.run);
  }
  const leadIndex = records.findIndex((record) => !blockedRuns.has(record.run));
  if (leadIndex < 0) return null;
  const lead = records[leadIndex];

  if (lead.batch !== undefined) {
    const batch = lead.batch;
    return { records: records.filter((record) => record.batch === batch), batch };
  }
  if (!BATCHABLE_KINDS.has(lead.kind)) return { records: [lead], batch: batchKey([lead]) };

  const taken = [lead];
  let bytes = lead.bytes;
  for (let i = leadIndex + 1; i < records.length && taken.length < options.maxCount; i++) {
    const record = records[i];
    if (record.run !== lead.run) continue;
    if (record.kind !== lead.kind || record.batch !== undefined) break;
    if (bytes + record.bytes > options.maxBytes) break;
    taken.push(record);
    bytes += record.bytes;
  }
  return { records: taken, batch: batchKey(taken) };
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
