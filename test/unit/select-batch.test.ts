import { describe, expect, it } from 'vitest';
import type { OutboxRecord } from '../../src/outbox/records';
import { batchKey, selectBatch } from '../../src/outbox/select-batch';
import type { ClaimOptions } from '../../src/outbox/store';
import { testRecord } from '../helpers/store-contract';

const options: ClaimOptions = { owner: 'o', leaseMs: 1000, now: 10_000, maxCount: 200, maxBytes: 1_000 };
const seqs = (records: OutboxRecord[] | undefined) => records?.map((record) => record.seq);

describe('selectBatch', () => {
  it('gives null when there is nothing', () => {
    expect(selectBatch([], options)).toBeNull();
  });

  it('leads with the lowest seq of an unblocked run', () => {
    const records = [
      { ...testRecord(1, 'a', 'metrics'), leaseUntil: 10_001 },
      testRecord(2, 'b', 'status'),
      testRecord(3, 'a', 'status'),
    ];
    expect(seqs(selectBatch(records, options)?.records)).toEqual([2]);
  });

  it('treats an expired lease as free', () => {
    const records = [{ ...testRecord(1, 'a', 'status'), leaseUntil: 10_000 }];
    expect(seqs(selectBatch(records, options)?.records)).toEqual([1]);
  });

  it('gives null when every run is blocked', () => {
    const records = [{ ...testRecord(1, 'a', 'metrics'), leaseUntil: 20_000 }, testRecord(2, 'a', 'status')];
    expect(selectBatch(records, options)).toBeNull();
  });

  it('a final status never overtakes earlier metrics of the same run', () => {
    const records = [testRecord(1, 'a', 'metrics'), testRecord(2, 'a', 'metrics'), testRecord(3, 'a', 'status')];
    expect(seqs(selectBatch(records, options)?.records)).toEqual([1, 2]);
  });

  it('skips other runs between records of the batch', () => {
    const records = [testRecord(1, 'a', 'logs'), testRecord(2, 'b', 'logs'), testRecord(3, 'a', 'logs'), testRecord(4, 'a', 'metrics')];
    expect(seqs(selectBatch(records, options)?.records)).toEqual([1, 3]);
  });

  it('brings back exactly an existing batch, whatever the limits', () => {
    const records = [
      { ...testRecord(1, 'a', 'metrics'), batch: 'k' },
      testRecord(2, 'a', 'metrics'),
      { ...testRecord(3, 'a', 'metrics'), batch: 'k' },
    ];
    const selected = selectBatch(records, { ...options, maxCount: 1, maxBytes: 1 });
    expect(selected?.batch).toBe('k');
    expect(seqs(selected?.records)).toEqual([1, 3]);
  });

  it('does not add an already batched record to a new batch', () => {
    const records = [testRecord(1, 'a', 'metrics'), { ...testRecord(2, 'a', 'metrics'), batch: 'k' }];
    expect(seqs(selectBatch(records, options)?.records)).toEqual([1]);
  });

  it('stops at maxCount and maxBytes, and always takes the first record', () => {
    const big = (seq: number) => testRecord(seq, 'a', 'logs', 'x'.repeat(398));
    const records = [big(1), big(2), big(3)];
    expect(seqs(selectBatch(records, options)?.records)).toEqual([1, 2]);
    expect(seqs(selectBatch(records, { ...options, maxCount: 1 })?.records)).toEqual([1]);
    expect(seqs(selectBatch(records, { ...options, maxBytes: 10 })?.records)).toEqual([1]);
  });

  it('sends create, patch, status, coderef and stop alone', () => {
    for (const kind of ['create', 'patch', 'status', 'coderef', 'stop'] as const) {
      const records = [testRecord(1, 'a', kind), testRecord(2, 'a', kind)];
      expect(seqs(selectBatch(records, options)?.records)).toEqual([1]);
    }
  });

  it('derives the batch key from the records alone', () => {
    const records = [testRecord(1, 'a', 'metrics'), testRecord(2, 'a', 'metrics')];
    const key = selectBatch(records, options)?.batch;
    expect(key).toBe(selectBatch(records.map((record) => ({ ...record })), options)?.batch);
    expect(key).toBe(batchKey(records));
    expect(batchKey(records.slice(0, 1))).not.toBe(key);
    expect(batchKey([records[0], testRecord(3, 'a', 'metrics')])).not.toBe(key);
  });
});

describe('selectBatch with two batches of a run out (runBatchesInFlight 2)', () => {
  const two: ClaimOptions = { ...options, maxCount: 2, runBatchesInFlight: 2 };
  const leased = (record: OutboxRecord, batch: string, owner = 'o'): OutboxRecord => ({ ...record, leaseUntil: 20_000, leaseOwner: owner, batch });

  it("claims the metrics batch behind the claimer's own leased metrics batch", () => {
    const records = [leased(testRecord(1, 'a', 'metrics'), 'k1'), leased(testRecord(2, 'a', 'metrics'), 'k1'), testRecord(3, 'a', 'metrics'), testRecord(4, 'a', 'metrics'), testRecord(5, 'a', 'metrics')];
    expect(seqs(selectBatch(records, two)?.records)).toEqual([3, 4]);
    expect(selectBatch(records, options)).toBeNull();
  });

  it('tells the walk to pass the rest of its own leased batch by, once, at its head', () => {
    const records = [leased(testRecord(1, 'a', 'metrics'), 'k1'), leased(testRecord(2, 'a', 'metrics'), 'k1'), leased(testRecord(3, 'a', 'metrics'), 'k1'), testRecord(4, 'a', 'metrics'), testRecord(5, 'a', 'metrics')];
    const passed: string[] = [];
    const walk = {
      passBatch: (batch: string) => passed.push(batch),
      *[Symbol.iterator]() {
        for (const record of records) if (!passed.includes(record.batch!)) yield record;
      },
    };
    expect(seqs(selectBatch(walk, two)?.records)).toEqual([4, 5]);
    expect(passed).toEqual(['k1']);
  });

  it('never claims a status, PATCH or final status while an earlier record of its run is out', () => {
    for (const kind of ['status', 'patch', 'logs', 'stop'] as const) {
      const records = [leased(testRecord(1, 'a', 'metrics'), 'k1'), testRecord(2, 'a', kind), testRecord(3, 'a', 'metrics')];
      expect(selectBatch(records, two)).toBeNull();
    }
  });

  it('stops at the metrics before a status: the status waits for both batches', () => {
    const records = [leased(testRecord(1, 'a', 'metrics'), 'k1'), testRecord(2, 'a', 'metrics'), testRecord(3, 'a', 'status')];
    expect(seqs(selectBatch(records, two)?.records)).toEqual([2]);
    const both = [leased(testRecord(1, 'a', 'metrics'), 'k1'), leased(testRecord(2, 'a', 'metrics'), 'k2'), testRecord(3, 'a', 'status')];
    expect(selectBatch(both, two)).toBeNull();
  });

  it("takes no third batch, and nothing behind another owner's lease", () => {
    const records = [leased(testRecord(1, 'a', 'metrics'), 'k1'), leased(testRecord(2, 'a', 'metrics'), 'k2'), testRecord(3, 'a', 'metrics')];
    expect(selectBatch(records, two)).toBeNull();
    const theirs = [leased(testRecord(1, 'a', 'metrics'), 'k1', 'other tab'), testRecord(2, 'a', 'metrics')];
    expect(selectBatch(theirs, two)).toBeNull();
  });

  it('brings back a released batch behind the leased one under its own key', () => {
    const records = [leased(testRecord(1, 'a', 'metrics'), 'k1'), { ...testRecord(2, 'a', 'metrics'), batch: 'k2' }, { ...testRecord(3, 'a', 'metrics'), batch: 'k2' }, testRecord(4, 'a', 'metrics')];
    const selected = selectBatch(records, { ...two, maxCount: 1 });
    expect(selected?.batch).toBe('k2');
    expect(seqs(selected?.records)).toEqual([2, 3]);
  });

  it('leads with another run when the first is blocked', () => {
    const records = [leased(testRecord(1, 'a', 'status'), 'k1'), testRecord(2, 'a', 'metrics'), testRecord(3, 'b', 'metrics')];
    expect(seqs(selectBatch(records, two)?.records)).toEqual([3]);
  });
});

describe('selectBatch cost', () => {
  it('reads the queue only up to the end of the batch it takes', () => {
    const queue = Array.from({ length: 100_000 }, (_, i) => testRecord(i + 1, 'a', 'metrics'));
    let read = 0;
    const counted = {
      *[Symbol.iterator]() {
        for (const record of queue) {
          read++;
          yield record;
        }
      },
    };
    const selected = selectBatch(counted, { owner: 'o', leaseMs: 1_000, now: 0, maxCount: 200, maxBytes: 1 << 30 });
    expect(selected?.records).toHaveLength(200);
    expect(read).toBeLessThanOrEqual(201);
  });
});
