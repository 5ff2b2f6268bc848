import { describe, expect, it } from 'vitest';
import {
  FAST_ANSWER_MS,
  INITIAL_BATCH_BYTES,
  INITIAL_BATCH_COUNT,
  initialBatchLimits,
  MIN_BATCH_BYTES,
  MIN_BATCH_COUNT,
  nextBatchLimits,
  SLOW_ANSWER_MS,
  type BatchLimits,
} from '../../src/outbox/batch-size';

const max: BatchLimits = { count: 10_000, bytes: 4 * 1024 * 1024 };
const start = initialBatchLimits(max);
const full = (limits: BatchLimits, ms: number) => ({ records: limits.count, bytes: limits.count * 80, ms, timedOut: false });

describe('batch size learned from the answers', () => {
  it('starts at the size batches had before they adapted, never above the maxima', () => {
    expect(start).toEqual({ count: INITIAL_BATCH_COUNT, bytes: INITIAL_BATCH_BYTES });
    expect(initialBatchLimits({ count: 50, bytes: 1_000 })).toEqual({ count: 50, bytes: 1_000 });
  });

  it('doubles after a full batch answered quickly, up to the maxima', () => {
    const sizes: number[] = [];
    let limits = start;
    for (let i = 0; i < 8; i++) {
      sizes.push(limits.count);
      limits = nextBatchLimits(limits, full(limits, 20), max);
    }
    expect(sizes).toEqual([200, 400, 800, 1_600, 3_200, 6_400, 10_000, 10_000]);
    expect(limits.bytes).toBe(max.bytes);
  });

  it('judges a batch full under the limits it was claimed under, not under limits grown while it was out', () => {
    // Two batches out: the second was claimed at 200 before the first's answer doubled the limits.
    const grown = nextBatchLimits(start, full(start, 20), max);
    expect(nextBatchLimits(grown, { ...full(start, 20), claimedUnder: start }, max).count).toBe(800);
    expect(nextBatchLimits(grown, full(start, 20), max)).toBe(grown);
  });

  it('counts a batch that filled the byte limit as full', () => {
    const limits = { count: 10_000, bytes: 100_000 };
    const grown = nextBatchLimits(limits, { records: 1_000, bytes: 95_000, ms: 10, timedOut: false }, { count: 10_000, bytes: 1_000_000 });
    expect(grown).toEqual({ count: 10_000, bytes: 200_000 });
  });

  it('keeps the size after a batch that was not full: a quick small answer says nothing of bigger ones', () => {
    const limits = { count: 1_000, bytes: 1_000_000 };
    expect(nextBatchLimits(limits, { records: 10, bytes: 800, ms: 5, timedOut: false }, max)).toBe(limits);
  });

  it('keeps the size after an answer neither fast nor slow', () => {
    const limits = { count: 1_000, bytes: 1_000_000 };
    expect(nextBatchLimits(limits, full(limits, FAST_ANSWER_MS + 1), max)).toBe(limits);
    expect(nextBatchLimits(limits, full(limits, SLOW_ANSWER_MS - 1), max)).toBe(limits);
  });

  it('halves after a slow answer or a timeout, not below the floor', () => {
    const limits = { count: 8_000, bytes: 2 * 1024 * 1024 };
    expect(nextBatchLimits(limits, full(limits, SLOW_ANSWER_MS), max)).toEqual({ count: 4_000, bytes: 1024 * 1024 });
    expect(nextBatchLimits(limits, { records: 10, bytes: 800, ms: 30_000, timedOut: true }, max)).toEqual({ count: 4_000, bytes: 1024 * 1024 });
    let small = limits;
    for (let i = 0; i < 20; i++) small = nextBatchLimits(small, full(small, 60_000), max);
    expect(small).toEqual({ count: MIN_BATCH_COUNT, bytes: MIN_BATCH_BYTES });
  });

  it('never goes above maxima smaller than the floor', () => {
    const tiny = { count: 10, bytes: 1_000 };
    expect(nextBatchLimits(tiny, full(tiny, 60_000), tiny)).toEqual(tiny);
  });
});
