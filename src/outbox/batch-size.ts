/**
 * How big the next metrics or logs batch may be, learned from how the last ones went: the link and
 * the server set the size, `maxBatchCount` and `maxBatchBytes` only bound it. Pure, so the rule is
 * tested on its own; the sender keeps one `BatchLimits` per outbox.
 *
 * - A sender starts at `INITIAL_BATCH_COUNT` records and `INITIAL_BATCH_BYTES` (what a batch was
 *   before sizes adapted: a first request, and a page's close send cut alike, stay small).
 * - A full batch answered within `FAST_ANSWER_MS` doubles both limits, up to the maxima: a drain
 *   of 100,000 small points sends 10,000-point requests from its seventh on. Full means full under
 *   the limits it was claimed under: with two batches out, the second was claimed before the
 *   first's answer doubled the limits, and is full all the same.
 * - An answer slower than `SLOW_ANSWER_MS`, or none before the timeout, halves both, down to
 *   `MIN_BATCH_COUNT` and `MIN_BATCH_BYTES`: a slow link gets requests it can finish.
 * - Anything else (a batch that was not full, an answer in between) keeps them.
 * A 413 is not this rule's: the sender halves the refused batch itself (F05).
 */

export interface BatchLimits {
  /** Most records in one request. */
  count: number;
  /** Most body bytes in one request (a single larger record still goes alone). */
  bytes: number;
}

/** How one batch went. */
export interface BatchTiming {
  records: number;
  /** Sum of the records' body sizes. */
  bytes: number;
  /** From the request leaving to its answer (or to the timeout). */
  ms: number;
  /** No answer came within the request timeout. */
  timedOut: boolean;
  /** The limits the batch was claimed under; the current ones when not given. */
  claimedUnder?: BatchLimits;
}

export const INITIAL_BATCH_COUNT = 200;
export const INITIAL_BATCH_BYTES = 512 * 1024;
export const MIN_BATCH_COUNT = 50;
export const MIN_BATCH_BYTES = 64 * 1024;
/** An answer this quick to a full batch says the link and the server take bigger ones. */
export const FAST_ANSWER_MS = 1_000;
/** An answer this slow says the batch was too big for the link or the server. */
export const SLOW_ANSWER_MS = 5_000;
/** A batch within this share of the byte limit counts as full (the next record would not fit). */
const FULL_SHARE = 0.9;

/** Where a sender starts, within the maxima. */
export function initialBatchLimits(max: BatchLimits): BatchLimits {
  return { count: Math.min(INITIAL_BATCH_COUNT, max.count), bytes: Math.min(INITIAL_BATCH_BYTES, max.bytes) };
}

/** The limits for the next batch after `sent` went out under `current`. */
export function nextBatchLimits(current: BatchLimits, sent: BatchTiming, max: BatchLimits): BatchLimits {
  if (sent.timedOut || sent.ms >= SLOW_ANSWER_MS) {
    return {
      count: Math.max(Math.min(MIN_BATCH_COUNT, max.count), Math.floor(current.count / 2)),
      bytes: Math.max(Math.min(MIN_BATCH_BYTES, max.bytes), Math.floor(current.bytes / 2)),
    };
  }
  const under = sent.claimedUnder ?? current;
  const full = sent.records >= under.count || sent.bytes >= under.bytes * FULL_SHARE;
  if (full && sent.ms <= FAST_ANSWER_MS) {
    return { count: Math.min(max.count, current.count * 2), bytes: Math.min(max.bytes, current.bytes * 2) };
  }
  return current;
}
