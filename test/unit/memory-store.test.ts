import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/outbox/memory-store';
import { runStoreContract, testRecord } from '../helpers/store-contract';

runStoreContract('MemoryStore', async () => new MemoryStore());

describe('MemoryStore', () => {
  it('is of kind memory', () => {
    expect(new MemoryStore().kind).toBe('memory');
  });

  it('copies records in and out, so callers cannot change what is queued', async () => {
    const store = new MemoryStore();
    const record = testRecord(1, 'a', 'metrics', { values: { loss: 1 } });
    await store.append([record], { maxRecords: 10, maxBytes: 1e6 });
    (record.body as { values: { loss: number } }).values.loss = 99;
    const [claimed] = await store.claim({ owner: 'o', leaseMs: 1000, now: 0, maxCount: 10, maxBytes: 1e6 });
    (claimed.body as { values: { loss: number } }).values.loss = 42;
    await store.release([claimed.id]);
    const [again] = await store.claim({ owner: 'o', leaseMs: 1000, now: 0, maxCount: 10, maxBytes: 1e6 });
    expect(again.body).toEqual({ values: { loss: 1 } });
  });

  it('refuses work after close', async () => {
    const store = new MemoryStore();
    await store.close();
    await expect(store.count()).rejects.toThrow(/closed/);
  });
});
