/**
 * The IndexedDB store keeps a claimed batch's lease and key on the batch's first record only
 * (src/browser/idb/record-reads.ts `inKeyedBatch`): one write a claim instead of one a record.
 * What it stores, and that the same batch comes back from it.
 */
import { IDBFactory, IDBKeyRange, IDBObjectStore } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openIndexedDbStore } from '../../src/browser/idb-store';
import type { OutboxRecord } from '../../src/outbox/records';
import type { OutboxStore } from '../../src/outbox/store';
import { rawContents } from '../helpers/idb-raw';
import { testRecord } from '../helpers/store-contract';

const NAME = 'http://127.0.0.1:8000';
const CAPS = { maxRecords: 1e6, maxBytes: 1e9 };
const CLAIM = { owner: 'tab-a', leaseMs: 30_000, now: 1_000, maxCount: 3, maxBytes: 1e9 };
const ANY_SIZE = { ...CLAIM, maxCount: 200 };

let factory: IDBFactory;
let store: OutboxStore;

function metrics(first: number, last: number, run = 'a'): OutboxRecord[] {
  return Array.from({ length: last - first + 1 }, (_, i) => testRecord(first + i, run, 'metrics'));
}

const seqs = (records: readonly OutboxRecord[]) => records.map((record) => record.seq);
const ids = (records: readonly OutboxRecord[]) => records.map((record) => record.id);

async function storedRecords(): Promise<OutboxRecord[]> {
  return ((await rawContents(factory, NAME)) as OutboxRecord[]).filter((value) => typeof value?.seq === 'number');
}

beforeEach(async () => {
  factory = new IDBFactory();
  store = await openIndexedDbStore({ name: NAME, caps: CAPS, keyRange: IDBKeyRange, indexedDB: factory });
});
afterEach(() => store.close());

describe('IndexedDB: a batch is leased and keyed on its head', () => {
  it('a claim gives every record the lease and the key, and writes them on the first record only', async () => {
    await store.append(metrics(1, 5), CAPS);
    const claimed = await store.claim(CLAIM);
    expect(seqs(claimed)).toEqual([1, 2, 3]);
    for (const record of claimed) expect(record).toMatchObject({ batch: claimed[0].batch, leaseOwner: 'tab-a', leaseUntil: 31_000 });
    expect((await storedRecords()).map(({ seq, batch, leaseOwner, leaseUntil }) => [seq, batch, leaseOwner, leaseUntil])).toEqual([
      [1, claimed[0].batch, 'tab-a', 31_000],
      [2, undefined, undefined, undefined],
      [3, undefined, undefined, undefined],
      [4, undefined, undefined, undefined],
      [5, undefined, undefined, undefined],
    ]);
  });

  it('a released batch comes back whole under its key, and without the records of its kind logged after it', async () => {
    await store.append(metrics(1, 3), CAPS);
    const first = await store.claim(CLAIM);
    await store.release(ids(first));
    expect((await storedRecords())[0]).not.toHaveProperty('leaseUntil');
    await store.append(metrics(4, 6), CAPS);
    const again = await store.claim(ANY_SIZE);
    expect(seqs(again)).toEqual([1, 2, 3]);
    expect(again.map((record) => record.batch)).toEqual(first.map((record) => record.batch));
    await store.ack(ids(again));
    const next = await store.claim(ANY_SIZE);
    expect(seqs(next)).toEqual([4, 5, 6]);
    expect(next[0].batch).not.toBe(first[0].batch);
  });

  it('blocks the run while its head is leased, and lets the next claimer take the batch once the lease ends', async () => {
    await store.append([...metrics(1, 3), ...metrics(4, 4, 'b')], CAPS);
    const first = await store.claim(CLAIM);
    expect(seqs(await store.claim({ ...ANY_SIZE, owner: 'tab-b' }))).toEqual([4]);
    const afterLease = await store.claim({ ...ANY_SIZE, owner: 'tab-b', now: 31_001 });
    expect(seqs(afterLease)).toEqual([1, 2, 3]);
    expect(afterLease[0]).toMatchObject({ batch: first[0].batch, leaseOwner: 'tab-b' });
  });

  it('reads a batch written with the key on every record (earlier versions) as the same batch', async () => {
    const key = 'r000001.3.0badc0de';
    await store.append([...metrics(1, 3).map((record) => ({ ...record, batch: key })), ...metrics(4, 5)], CAPS);
    const claimed = await store.claim(ANY_SIZE);
    expect(seqs(claimed)).toEqual([1, 2, 3]);
    expect(claimed.every((record) => record.batch === key)).toBe(true);
  });

  it('ends a keyed batch at a record of another kind, whatever count its key names', async () => {
    await store.append([...metrics(1, 2).map((record) => ({ ...record, batch: 'r000001.3.0badc0de' })), testRecord(3, 'a', 'status')], CAPS);
    expect(seqs(await store.claim(ANY_SIZE))).toEqual([1, 2]);
  });

  it.each(['leased', 'released'])('eviction keeps a keyed batch whole (%s) and takes the unkeyed metrics after it', async (state) => {
    await store.append(metrics(1, 6), CAPS);
    const claimed = await store.claim(CLAIM);
    if (state === 'released') await store.release(ids(claimed));
    await store.append(metrics(7, 7, 'b'), CAPS);
    const result = await store.append(metrics(8, 8), { maxRecords: 6, maxBytes: 1e9 });
    expect(result.evicted).toBe(2);
    expect((await storedRecords()).map(({ run, seq }) => `${run}${seq}`)).toEqual(['a1', 'a2', 'a3', 'a6', 'b7', 'a8']);
    expect(seqs(await store.claim({ ...ANY_SIZE, owner: 'tab-b', now: 31_001 }))).toEqual([1, 2, 3]);
  });

  it('after unbatch (a split) groups the records anew from the head', async () => {
    await store.append(metrics(1, 3), CAPS);
    const first = await store.claim(CLAIM);
    await store.unbatch(ids(first));
    await store.release(ids(first));
    expect((await storedRecords()).every((record) => record.batch === undefined && record.leaseUntil === undefined)).toBe(true);
    const half = await store.claim({ ...CLAIM, maxCount: 2 });
    expect(seqs(half)).toEqual([1, 2]);
    expect(half[0].batch).not.toBe(first[0].batch);
  });

  it('reads about one batch of records for a claim, not eight times the first read', async () => {
    await store.append(metrics(1, 10_000), CAPS);
    const getAll = vi.spyOn(IDBObjectStore.prototype, 'getAll');
    try {
      const claimed = await store.claim({ ...CLAIM, maxCount: 3_000 });
      expect(claimed).toHaveLength(3_000);
      // The claim awaited every read it made: each request is done.
      const read = getAll.mock.results.reduce((sum, { value }) => sum + (value as IDBRequest<unknown[]>).result.length, 0);
      // Growing each read eightfold read 1,024 + 8,192 records for this batch.
      expect(read).toBeLessThanOrEqual(3_001);
    } finally {
      getAll.mockRestore();
    }
  }, 30_000);
});
