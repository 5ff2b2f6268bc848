/**
 * The contract every OutboxStore passes (memory, file journal, IndexedDB). It speaks only through
 * the OutboxStore interface, so a store that passes it can sit under the outbox unchanged.
 *
 *   runStoreContract('MemoryStore', async () => new MemoryStore());
 *   runStoreContract('JournalStore', open, cleanup, { reopen });
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RECORD_FORMAT_VERSION, type OutboxRecord, type RecordKind } from '../../src/outbox/records';
import type { ClaimOptions, OutboxStore, StoreCaps } from '../../src/outbox/store';

export interface StoreContractOptions {
  /**
   * Opens again, after the suite closed it, the store that `open` returned last (same folder,
   * same database). Given for durable stores; the persistence cases run only then.
   */
  reopen?: () => Promise<OutboxStore>;
}

const ROOMY: StoreCaps = { maxRecords: 1_000_000, maxBytes: 1_000_000_000 };
const NOW = Date.now();
const LEASE_MS = 30_000;

/** A stored record as the outbox would build it; `id` is derived from `seq` so tests can name it. */
export function testRecord(seq: number, run: string, kind: RecordKind, body: unknown = { seq }): OutboxRecord {
  return {
    v: RECORD_FORMAT_VERSION,
    id: `r${String(seq).padStart(6, '0')}`,
    seq,
    run,
    kind,
    body,
    createdAt: NOW + seq,
    bytes: JSON.stringify(body ?? null).length,
  };
}

function claimOptions(overrides: Partial<ClaimOptions> = {}): ClaimOptions {
  return { owner: 'tab-a', leaseMs: LEASE_MS, now: NOW, maxCount: 200, maxBytes: 512 * 1024, ...overrides };
}

const ids = (records: OutboxRecord[]) => records.map((record) => record.id);

export function runStoreContract(
  name: string,
  open: () => Promise<OutboxStore>,
  cleanup?: () => Promise<void>,
  options: StoreContractOptions = {},
): void {
  describe(`${name} passes the store contract`, () => {
    let store: OutboxStore;

    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
      await cleanup?.();
    });

    async function appendAll(records: OutboxRecord[], caps = ROOMY) {
      return store.append(records, caps);
    }

    /** Acks `acked`, then claims: what a sender does between two requests. */
    async function ackThenClaim(acked: OutboxRecord[], options: ClaimOptions, meta?: Record<string, unknown>): Promise<OutboxRecord[]> {
      await store.ack(ids(acked), meta);
      return store.claim(options);
    }

    async function reopenStore(): Promise<OutboxStore> {
      await store.close();
      store = await options.reopen!();
      return store;
    }

    describe('append and claim', () => {
      it('claims nothing from an empty store', async () => {
        expect(await store.claim(claimOptions())).toEqual([]);
      });

      it('keeps every field of a record as it was appended', async () => {
        const record = testRecord(1, 'run-1', 'patch', { params: { lr: 0.1, layers: [1, 2] }, merge: true });
        await appendAll([record]);
        const [claimed] = await store.claim(claimOptions());
        expect(claimed).toMatchObject({ ...record });
      });

      it('groups consecutive metrics of one run into one batch in seq order', async () => {
        await appendAll([testRecord(1, 'a', 'metrics'), testRecord(2, 'a', 'metrics')]);
        await appendAll([testRecord(3, 'a', 'metrics')]);
        const claimed = await store.claim(claimOptions());
        expect(claimed.map((record) => record.seq)).toEqual([1, 2, 3]);
      });

      it('sends non-batchable kinds alone and in order', async () => {
        await appendAll([testRecord(1, 'a', 'create'), testRecord(2, 'a', 'status'), testRecord(3, 'a', 'patch')]);
        for (const seq of [1, 2, 3]) {
          const claimed = await store.claim(claimOptions());
          expect(claimed.map((record) => record.seq)).toEqual([seq]);
          await store.ack(ids(claimed));
        }
        expect(await store.claim(claimOptions())).toEqual([]);
      });

      it('stops a batch at a record of another kind', async () => {
        await appendAll([
          testRecord(1, 'a', 'metrics'),
          testRecord(2, 'a', 'metrics'),
          testRecord(3, 'a', 'status'),
          testRecord(4, 'a', 'metrics'),
        ]);
        expect((await store.claim(claimOptions())).map((record) => record.seq)).toEqual([1, 2]);
      });

      it('respects maxCount and maxBytes, but always takes the first record', async () => {
        await appendAll([1, 2, 3, 4, 5].map((seq) => testRecord(seq, 'a', 'logs', 'x'.repeat(98))));
        const byCount = await store.claim(claimOptions({ maxCount: 2 }));
        expect(byCount.map((record) => record.seq)).toEqual([1, 2]);
        await store.ack(ids(byCount));
        const byBytes = await store.claim(claimOptions({ maxBytes: 250 }));
        expect(byBytes.map((record) => record.seq)).toEqual([3, 4]);
        await store.ack(ids(byBytes));
        expect((await store.claim(claimOptions({ maxBytes: 10 }))).map((record) => record.seq)).toEqual([5]);
      });

      it('marks claimed records with the owner, the lease end and one batch key', async () => {
        await appendAll([testRecord(1, 'a', 'metrics'), testRecord(2, 'a', 'metrics')]);
        const claimed = await store.claim(claimOptions());
        for (const record of claimed) {
          expect(record.leaseOwner).toBe('tab-a');
          expect(record.leaseUntil).toBe(NOW + LEASE_MS);
          expect(record.batch).toBe(claimed[0].batch);
        }
        expect(typeof claimed[0].batch).toBe('string');
      });
    });

    describe('leases keep each run in order', () => {
      it('blocks a run while any of its records is leased, but not other runs', async () => {
        await appendAll([
          testRecord(1, 'a', 'metrics'),
          testRecord(2, 'b', 'create'),
          testRecord(3, 'a', 'status'),
          testRecord(4, 'b', 'status'),
        ]);
        const first = await store.claim(claimOptions());
        expect(ids(first)).toEqual(['r000001']);
        const second = await store.claim(claimOptions({ owner: 'tab-b' }));
        expect(ids(second)).toEqual(['r000002']);
        expect(await store.claim(claimOptions({ owner: 'tab-c' }))).toEqual([]);
        await store.ack(ids(first));
        expect(ids(await store.claim(claimOptions({ owner: 'tab-c' })))).toEqual(['r000003']);
      });

      it('lets anyone claim records again once the lease expired, as the same batch', async () => {
        await appendAll([testRecord(1, 'a', 'metrics'), testRecord(2, 'a', 'metrics')]);
        const first = await store.claim(claimOptions());
        expect(await store.claim(claimOptions({ owner: 'tab-b', now: NOW + LEASE_MS - 1 }))).toEqual([]);
        const again = await store.claim(claimOptions({ owner: 'tab-b', now: NOW + LEASE_MS + 1 }));
        expect(ids(again)).toEqual(ids(first));
        expect(again[0].batch).toBe(first[0].batch);
        expect(again[0].leaseOwner).toBe('tab-b');
      });

      it('keeps the batch key on release, and a re-claim returns exactly the same records', async () => {
        await appendAll([testRecord(1, 'a', 'metrics'), testRecord(2, 'a', 'metrics')]);
        const first = await store.claim(claimOptions());
        await store.release(ids(first));
        await appendAll([testRecord(3, 'a', 'metrics'), testRecord(4, 'a', 'metrics')]);
        const again = await store.claim(claimOptions({ maxCount: 1 }));
        expect(ids(again)).toEqual(ids(first));
        expect(again.map((record) => record.batch)).toEqual(first.map((record) => record.batch));
        const released = again.map((record) => record.leaseUntil);
        expect(released).toEqual([NOW + LEASE_MS, NOW + LEASE_MS]);
      });

      it('regroups records after unbatch', async () => {
        await appendAll([1, 2, 3, 4].map((seq) => testRecord(seq, 'a', 'metrics')));
        const first = await store.claim(claimOptions());
        expect(first).toHaveLength(4);
        await store.unbatch(ids(first));
        await store.release(ids(first));
        const half = await store.claim(claimOptions({ maxCount: 2 }));
        expect(ids(half)).toEqual(['r000001', 'r000002']);
        expect(half[0].batch).not.toBe(first[0].batch);
      });

      it('gives the same batch key for the same records', async () => {
        await appendAll([testRecord(1, 'a', 'metrics'), testRecord(2, 'a', 'metrics')]);
        const first = await store.claim(claimOptions());
        await store.unbatch(ids(first));
        await store.release(ids(first));
        const again = await store.claim(claimOptions());
        expect(again[0].batch).toBe(first[0].batch);
      });

      it('ignores unknown ids in ack, release and unbatch', async () => {
        await appendAll([testRecord(1, 'a', 'metrics')]);
        await store.ack(['nope']);
        await store.release(['nope']);
        await store.unbatch(['nope']);
        expect((await store.count()).records).toBe(1);
      });
    });

    describe('ack', () => {
      it('removes the records and sets meta in the same step', async () => {
        await appendAll([testRecord(1, 'a', 'create'), testRecord(2, 'a', 'status')]);
        const [create] = await store.claim(claimOptions());
        await store.ack([create.id], { 'run:a': { user: 'u', project: 'p', id: 7 } });
        expect(await store.getMeta('run:a')).toEqual({ user: 'u', project: 'p', id: 7 });
        expect(await store.count()).toMatchObject({ records: 1, byRun: { a: 1 } });
        expect(ids(await store.claim(claimOptions()))).toEqual(['r000002']);
      });
    });

    describe('draining: ack, then claim the next batch', () => {
      it('acks the batch, sets meta, and claims the next batch in order', async () => {
        await appendAll([testRecord(1, 'a', 'create'), testRecord(2, 'a', 'status'), testRecord(3, 'a', 'metrics'), testRecord(4, 'a', 'metrics')]);
        const create = await store.claim(claimOptions());
        const status = await ackThenClaim(create, claimOptions(), { 'run:a': { project: 'p', id: 9 } });
        expect(ids(status)).toEqual(['r000002']);
        expect(await store.getMeta('run:a')).toEqual({ project: 'p', id: 9 });
        const metrics = await ackThenClaim(status, claimOptions());
        expect(ids(metrics)).toEqual(['r000003', 'r000004']);
        expect(await ackThenClaim(metrics, claimOptions())).toEqual([]);
        expect(await store.count()).toEqual({ records: 0, bytes: 0, byRun: {} });
      });

      it('leases the next batch as any claim does: owner, lease end, one batch key kept for the retry', async () => {
        await appendAll([testRecord(1, 'a', 'status'), testRecord(2, 'a', 'metrics'), testRecord(3, 'a', 'metrics')]);
        const next = await ackThenClaim(await store.claim(claimOptions()), claimOptions());
        for (const record of next) expect(record).toMatchObject({ leaseOwner: 'tab-a', leaseUntil: NOW + LEASE_MS, batch: next[0].batch });
        expect(await store.claim(claimOptions({ owner: 'tab-b', now: NOW + LEASE_MS - 1 }))).toEqual([]);
        const again = await store.claim(claimOptions({ owner: 'tab-b', now: NOW + LEASE_MS + 1, maxCount: 1 }));
        expect(ids(again)).toEqual(ids(next));
        expect(again[0].batch).toBe(next[0].batch);
      });

      it('removes only the acked records when other runs lie between them, and keeps the counts right', async () => {
        await appendAll([1, 2, 3, 4, 5].map((seq) => testRecord(seq, seq % 2 ? 'a' : 'b', 'metrics', 'x'.repeat(8))));
        const a = await store.claim(claimOptions());
        expect(ids(a)).toEqual(['r000001', 'r000003', 'r000005']);
        const b = await ackThenClaim(a, claimOptions());
        expect(ids(b)).toEqual(['r000002', 'r000004']);
        expect(await store.count()).toEqual({ records: 2, bytes: 20, byRun: { b: 2 } });
      });

      it('frees room under the caps: appends after a drained backlog evict nothing', async () => {
        const caps = { maxRecords: 3, maxBytes: 1e9 };
        expect((await store.append([1, 2, 3].map((seq) => testRecord(seq, 'a', 'metrics')), caps)).evicted).toBe(0);
        expect(await ackThenClaim(await store.claim(claimOptions()), claimOptions())).toEqual([]);
        expect((await store.append([4, 5, 6].map((seq) => testRecord(seq, 'a', 'metrics')), caps)).evicted).toBe(0);
        expect((await store.append([7].map((seq) => testRecord(seq, 'a', 'metrics')), caps)).evicted).toBe(1);
        expect((await store.count()).records).toBe(3);
      });
    });

    describe('caps', () => {
      it('evicts the oldest unleased metrics and logs first, and reports how many', async () => {
        await appendAll([
          testRecord(1, 'a', 'create'),
          testRecord(2, 'a', 'metrics'),
          testRecord(3, 'a', 'logs', 'line'),
          testRecord(4, 'a', 'status'),
          testRecord(5, 'a', 'metrics'),
        ]);
        const result = await store.append([testRecord(6, 'a', 'metrics')], { maxRecords: 4, maxBytes: 1e9 });
        expect(result.evicted).toBe(2);
        const claimedSeqs: number[] = [];
        for (let i = 0; i < 10; i++) {
          const claimed = await store.claim(claimOptions());
          if (claimed.length === 0) break;
          claimedSeqs.push(...claimed.map((record) => record.seq));
          await store.ack(ids(claimed));
        }
        expect(claimedSeqs).toEqual([1, 4, 5, 6]);
      });

      it('never evicts create, status, patch, coderef or stop, even beyond the caps', async () => {
        const kept: RecordKind[] = ['create', 'patch', 'status', 'coderef', 'stop'];
        const result = await store.append(
          kept.map((kind, i) => testRecord(i + 1, 'a', kind)),
          { maxRecords: 2, maxBytes: 10 },
        );
        expect(result.evicted).toBe(0);
        expect((await store.count()).records).toBe(5);
      });

      it('evicts by bytes as well as by count', async () => {
        await appendAll([1, 2, 3].map((seq) => testRecord(seq, 'a', 'logs', 'x'.repeat(98))));
        const result = await store.append([testRecord(4, 'a', 'logs', 'x'.repeat(98))], { maxRecords: 100, maxBytes: 250 });
        expect(result.evicted).toBe(2);
        expect(await store.count()).toMatchObject({ records: 2, bytes: 200 });
      });

      /** A keyed batch of three (`state`), an unkeyed metric after it and one of another run; one more record over the caps. */
      async function overCapsBesideKeyedBatch(state: 'leased' | 'released') {
        await appendAll([1, 2, 3, 4, 5, 6].map((seq) => testRecord(seq, 'a', 'metrics')));
        const claimed = await store.claim(claimOptions({ maxCount: 3 }));
        expect(ids(claimed)).toEqual(['r000001', 'r000002', 'r000003']);
        if (state === 'released') await store.release(ids(claimed));
        await appendAll([testRecord(7, 'b', 'metrics')]);
        const result = await store.append([testRecord(8, 'a', 'metrics')], { maxRecords: 6, maxBytes: 1e9 });
        expect(result.evicted).toBe(2);
        expect(await store.count()).toMatchObject({ records: 6, byRun: { a: 5, b: 1 } });
        // The batch comes back whole, under its key, once its lease is over.
        const again = await store.claim(claimOptions({ owner: 'tab-b', now: NOW + LEASE_MS + 1 }));
        expect(ids(again)).toEqual(ids(claimed));
        expect(again.every((record) => record.batch === claimed[0].batch)).toBe(true);
      }

      it('keeps a leased keyed batch whole and evicts the unkeyed metrics after it', () => overCapsBesideKeyedBatch('leased'));

      it('keeps a released keyed batch whole and evicts the unkeyed metrics after it', () => overCapsBesideKeyedBatch('released'));

      it('does not evict records in flight', async () => {
        const now = Date.now();
        await appendAll([testRecord(1, 'a', 'metrics'), testRecord(2, 'b', 'metrics')]);
        const leased = await store.claim(claimOptions({ now, leaseMs: 60_000 }));
        const result = await store.append([testRecord(3, 'c', 'metrics')], { maxRecords: 2, maxBytes: 1e9 });
        expect(result.evicted).toBe(1);
        await store.ack(ids(leased));
        expect(ids(await store.claim(claimOptions({ now })))).toEqual(['r000003']);
      });
    });

    describe('count and meta', () => {
      it('counts records and bytes, per run', async () => {
        await appendAll([testRecord(1, 'a', 'metrics', 'abc'), testRecord(2, 'b', 'logs', 'de'), testRecord(3, 'a', 'stop', null)]);
        expect(await store.count()).toEqual({ records: 3, bytes: 5 + 4 + 4, byRun: { a: 2, b: 1 } });
      });

      it('gives undefined for missing meta and round-trips JSON values', async () => {
        expect(await store.getMeta('missing')).toBeUndefined();
        await store.setMeta('run:a', { user: 'u', project: 'p' });
        await store.setMeta('n', 3);
        expect(await store.getMeta('run:a')).toEqual({ user: 'u', project: 'p' });
        expect(await store.getMeta('n')).toBe(3);
        await store.setMeta('n', 4);
        expect(await store.getMeta('n')).toBe(4);
      });

      it('gives a next sequence number after every appended one', async () => {
        const start = await store.nextSeq();
        await appendAll([testRecord(start, 'a', 'metrics'), testRecord(start + 1, 'a', 'metrics')]);
        expect(await store.nextSeq()).toBeGreaterThanOrEqual(start + 2);
      });
    });

    describe.skipIf(!options.reopen)('durability across reopen', () => {
      it('keeps records, meta, batch keys and the sequence', async () => {
        await appendAll([testRecord(1, 'a', 'create'), testRecord(2, 'a', 'metrics'), testRecord(3, 'a', 'metrics')]);
        const [create] = await store.claim(claimOptions());
        await store.ack([create.id], { 'run:a': { project: 'p', id: 3 } });
        const batch = await store.claim(claimOptions());
        await store.release(ids(batch));
        store = await reopenStore();
        expect(await store.getMeta('run:a')).toEqual({ project: 'p', id: 3 });
        expect(await store.nextSeq()).toBeGreaterThanOrEqual(4);
        const again = await store.claim(claimOptions());
        expect(ids(again)).toEqual(ids(batch));
        expect(again[0].batch).toBe(batch[0].batch);
        expect(again[0].body).toEqual({ seq: 2 });
      });

      it('acks after a reopen the records claimed before it, with the counts right', async () => {
        await appendAll([testRecord(1, 'a', 'metrics'), testRecord(2, 'a', 'metrics'), testRecord(3, 'a', 'status')]);
        const batch = await store.claim(claimOptions());
        store = await reopenStore();
        const status = await ackThenClaim(batch, claimOptions({ owner: 'tab-b', now: NOW + LEASE_MS + 1 }));
        expect(ids(status)).toEqual(['r000003']);
        expect(await store.count()).toMatchObject({ records: 1, byRun: { a: 1 } });
      });

      it('closes and reopens cleanly with nothing in it', async () => {
        store = await reopenStore();
        expect(await store.count()).toEqual({ records: 0, bytes: 0, byRun: {} });
      });
    });
  });
}

/** Every record left, claimed and acked one batch at a time: their seqs in delivery order. */
export async function drainStore(store: OutboxStore, claim: ClaimOptions): Promise<number[]> {
  const seqs: number[] = [];
  for (let i = 0; i < 1000; i++) {
    const batch = await store.claim(claim);
    if (batch.length === 0) break;
    seqs.push(...batch.map((record) => record.seq));
    await store.ack(batch.map((record) => record.id));
  }
  return seqs;
}
