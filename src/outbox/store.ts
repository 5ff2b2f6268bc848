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
  /** Most records kept in memory (memory store, IndexedDB, a journal whose disk failed). */
  maxRecords: number;
  /** Most body bytes kept in memory (the same stores): `maxQueueMemoryBytes`. */
  maxBytes: number;
  /**
   * The Node journal on disk: most bytes of its live lines. When given, only this cap drops
   * records while the journal is written (the record caps above bound memory, not the disk);
   * `'default'`: 1 GiB, or 10% of the free space of the journal's disk at open, whichever is
   * smaller. Absent: the journal keeps to the record caps, like every other store.
   */
  maxJournalBytes?: number | 'default';
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
   * True when `claim` returns objects of the caller's own, shared with nothing the store keeps:
   * the sender then lets a batch's bodies go once its request is built. Leave it out when a claim
   * hands out records the store holds on to.
   */
  readonly claimsCopies?: boolean;
  /**
   * Atomically appends the records (all or none) in the given order, assigning nothing: `seq` and
   * `id` are already set. Then evicts beyond the caps what the eviction rule takes (eviction.ts).
   */
  append(records: OutboxRecord[], caps: StoreCaps, stagedThrough?: number): Promise<AppendResult>;
  /**
   * Optional, synchronous: takes one record (its `seq` set) toward durable storage at the call,
   * ahead of its group's `append`. The Node journal writes it from another thread, so it is in the
   * file within milliseconds even when the caller never yields (F32).
   *
   * False: the group's `append` follows with the same record object, in the same order, and only
   * applies it (and the caps). True: the store took the record whole and the caller may let it go
   * (a million queued points then are not a million objects); the group's `append` gets
   * `stagedThrough`, the group's last `seq`, and from then on the records taken up to it are in the
   * queue, exactly as if they had been handed to that `append`.
   */
  stage?(record: OutboxRecord): boolean;
  /**
   * Optional, synchronous: everything handed to the store so far is written before it returns
   * (the crash and exit paths). Stores without it write inside `append` itself or not at all.
   */
  flushSync?(): void;
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
