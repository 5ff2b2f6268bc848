import type { OutboxRecord } from './records';

/** Limits a claim may not exceed. */
export interface ClaimOptions {
  /** Who claims (a process or tab id). */
  owner: string;
  /** Lease length; after it the records may be claimed again by anyone. */
  leaseMs: number;
  /** Now, in ms (injected so tests control time). */
  now: number;
  /** Most records in one batch. */
  maxCount: number;
  /** Most body bytes in one batch (a single larger record is still claimed alone). */
  maxBytes: number;
  /**
   * How many batches of one run may be leased at once. 1 (the default): a run is blocked while
   * its head is leased. 2: behind `owner`'s own leased metrics batch the next metrics batch of the
   * run may be claimed too, so it is ready when the first is answered; never a status, PATCH or
   * other record while any earlier record of its run is out (select-batch.ts).
   */
  runBatchesInFlight?: number;
}

export interface StoreCaps {
  /** Most records kept. */
  maxRecords: number;
  /** Most body bytes kept. */
  maxBytes: number;
}

export interface AppendResult {
  /** Records evicted to stay within the caps (oldest metrics and logs first), counted as drops. */
  evicted: number;
}

export type StoreKind = 'memory' | 'journal' | 'indexeddb';

/**
 * Durable queue of records. Every method is atomic as stated; stores hold no retry, batching or
 * drop policy of their own: `selectBatch` (core) decides what one claim takes.
 */
export interface OutboxStore {
  readonly kind: StoreKind;
  /**
   * Atomically appends the records (all or none) in the given order, assigning nothing: `seq` and
   * `id` are already set. Then evicts beyond the caps what the eviction rule takes (eviction.ts).
   */
  append(records: OutboxRecord[], caps: StoreCaps): Promise<AppendResult>;
  /**
   * Atomically picks one batch with `selectBatch(allRecordsInSeqOrder, options)`, marks those
   * records leased to `options.owner` until `now + leaseMs` with the batch key it chose, and
   * returns them (empty when nothing is claimable).
   */
  claim(options: ClaimOptions): Promise<OutboxRecord[]>;
  /** Atomically removes the records, and, when given, sets meta entries in the same step. */
  ack(ids: string[], meta?: Record<string, unknown>): Promise<void>;
  /** Ends the lease early (the records stay, with their batch key) so they can be sent again. */
  release(ids: string[]): Promise<void>;
  /** Removes a batch key from records so they can be regrouped (413 split). */
  unbatch(ids: string[]): Promise<void>;
  /** Counts of what is stored, optionally per run. */
  count(): Promise<{ records: number; bytes: number; byRun: Record<string, number> }>;
  getMeta(key: string): Promise<unknown>;
  setMeta(key: string, value: unknown): Promise<void>;
  /** The next free sequence number (stores persist it so a new process continues the order). */
  nextSeq(): Promise<number>;
  close(): Promise<void>;
}
