import { initialBatchLimits, nextBatchLimits, type BatchLimits } from './batch-size';
import type { Outcome } from './policy';
import { BATCHABLE_KINDS, type OutboxRecord } from './records';

/** After this many deliveries in a row, a batch size reduced by a split doubles again. */
const SPLIT_RECOVERY_SENDS = 10;

/**
 * The size of the sender's next claim: the limits learned from the answers (batch-size.ts), and
 * below them a split's: a 413 halves the refused batch and keeps batches that small for a while
 * (F05); a 400 halves it until the refused record is alone (F34).
 */
export class BatchSizer {
  #limits: BatchLimits;
  #splitMaxCount: number | undefined;
  /** Why the batch size is reduced: a 413 keeps it small for a while, a refused record only until it is found. */
  #splitFor: 'too_large' | 'rejected' | undefined;
  #sendsSinceSplit = 0;
  /** The limits each batch out was claimed under (`claimed`), for judging whether it was full. */
  readonly #claimedUnder = new WeakMap<readonly OutboxRecord[], BatchLimits>();

  constructor(private readonly max: BatchLimits) {
    this.#limits = initialBatchLimits(max);
  }

  /** Most records and bytes the next claim may take. */
  get claimLimits(): { maxCount: number; maxBytes: number } {
    return { maxCount: Math.min(this.#limits.count, this.#splitMaxCount ?? Infinity), maxBytes: this.#limits.bytes };
  }

  /** The learned limits as they are now (`claimLimits` without a split's bound). */
  get limits(): BatchLimits {
    return this.#limits;
  }

  /** `records` were claimed while the learned limits were `under`. */
  claimed(records: readonly OutboxRecord[], under: BatchLimits): void {
    this.#claimedUnder.set(records, under);
  }

  /** A metrics or logs batch was answered (or timed out) after `ms`: the next one's size follows. */
  timed(records: readonly OutboxRecord[], outcome: Outcome, ms: number): void {
    if (!BATCHABLE_KINDS.has(records[0].kind)) return;
    const timedOut = outcome.kind === 'retry' && outcome.reason === 'timeout';
    if (outcome.kind !== 'ok' && !timedOut) return;
    let bytes = 0;
    for (const record of records) bytes += record.bytes;
    const claimedUnder = this.#claimedUnder.get(records);
    this.#limits = nextBatchLimits(this.#limits, { records: records.length, bytes, ms, timedOut, claimedUnder }, this.max);
  }

  /** The server refused a batch of `count` records as a whole: its halves go next. */
  split(count: number, reason: 'too_large' | 'rejected'): void {
    this.#splitMaxCount = Math.ceil(count / 2);
    this.#splitFor = reason;
    this.#sendsSinceSplit = 0;
  }

  /** A batch left the queue: a size reduced by a 413 may grow back. */
  answered(): void {
    if (this.#splitMaxCount !== undefined && ++this.#sendsSinceSplit >= SPLIT_RECOVERY_SENDS) {
      this.#sendsSinceSplit = 0;
      this.#splitMaxCount *= 2;
      if (this.#splitMaxCount >= this.#limits.count) this.#splitMaxCount = this.#splitFor = undefined;
    }
  }

  /** The refused record that split its batch is found and gone: the others go in full batches again. */
  refusedRecordDropped(): void {
    if (this.#splitFor === 'rejected') this.#splitMaxCount = this.#splitFor = undefined;
  }
}
