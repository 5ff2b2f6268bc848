import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GroupCommit } from '../../src/outbox/group-commit';
import { logger } from '../../src/runtime/logger';
import { MemoryStore } from '../../src/outbox/memory-store';
import { DEFAULT_CAPS } from '../../src/outbox/options';
import { RECORD_FORMAT_VERSION, newRecordId, type OutboxRecord } from '../../src/outbox/records';
import type { AppendResult, OutboxStore } from '../../src/outbox/store';
import { existingRun, outboxFixture } from '../helpers/outbox-fixture';

/** A store whose appends wait: each until the test releases it, or a fixed time on a real timer. */
class SlowAppendStore extends MemoryStore {
  readonly held: Array<() => void> = [];
  appendCalls = 0;
  failNext = false;

  constructor(private readonly appendDelayMs?: number) {
    super();
  }

  override async append(records: OutboxRecord[], caps: typeof DEFAULT_CAPS): Promise<AppendResult> {
    this.appendCalls++;
    const fail = this.failNext;
    this.failNext = false;
    if (this.appendDelayMs === undefined) await new Promise<void>((resolve) => this.held.push(resolve));
    else await new Promise((resolve) => setTimeout(resolve, this.appendDelayMs));
    if (fail) throw new Error('disk full');
    return super.append(records, caps);
  }

  /** Lets the oldest held append finish. */
  releaseOne(): void {
    this.held.shift()!();
  }
}

function record(step: number): OutboxRecord {
  return { v: RECORD_FORMAT_VERSION, id: newRecordId(), seq: -1, run: 'r', kind: 'metrics', body: { values: { step } }, createdAt: 0, bytes: 10 };
}

function groupCommit(store: OutboxStore) {
  const seen = { written: 0, failed: 0 };
  const commits = new GroupCommit(Promise.resolve(store), DEFAULT_CAPS, {
    written: (count) => (seen.written += count),
    failed: (records) => (seen.failed += records.length),
  });
  return { commits, seen };
}

/** Lets every queued microtask and promise reaction run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

/** Tells whether `promise` settled by the time the queue went quiet. */
async function settledYet(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await settle();
  return done;
}

/** Resolves with `promise`'s value, or rejects after `ms` (a real timer) naming what hung. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms))]);
}

beforeEach(() => {
  logger.resetWarnings();
  vi.spyOn(console, 'warn').mockImplementation(() => {});
});
afterEach(() => {
  logger.resetWarnings();
  vi.restoreAllMocks();
});

describe('group commit: written() waits for its own groups only', () => {
  it('resolves once the groups up to its append number are in the store, while later groups are still being written', async () => {
    const store = new SlowAppendStore();
    const { commits, seen } = groupCommit(store);
    commits.add(record(1));
    await settle();
    expect(store.held).toHaveLength(1);
    commits.add(record(2));
    const firstTwo = commits.written();

    store.releaseOne();
    await settle();
    // Group 2 is on its way in; a third group arrives behind it.
    commits.add(record(3));
    await settle();
    expect(await settledYet(firstTwo)).toBe(false);

    store.releaseOne();
    await settle();
    commits.add(record(4));
    // Groups 3 and 4 are still unwritten (3 held in the store): the write loop is busy, written() is done.
    expect(await settledYet(firstTwo)).toBe(true);
    expect(await firstTwo).toBe(2);
    expect(seen.written).toBe(2);

    const all = commits.written();
    store.releaseOne();
    await settle();
    store.releaseOne();
    expect(await all).toBe(4);
    expect(seen.written).toBe(4);
  });

  it('resolves while records keep arriving faster than a slow store writes them', async () => {
    const store = new SlowAppendStore(20);
    const { commits } = groupCommit(store);
    let step = 0;
    // A group every 5 ms into a store that takes 20 ms a group: the backlog only grows.
    const producer = setInterval(() => commits.add(record(step++)), 5);
    try {
      await new Promise((resolve) => setTimeout(resolve, 30));
      const upTo = await within(commits.written(), 10_000, 'written()');
      expect(upTo).toBeGreaterThan(0);
      // The store is still behind: the loop never stopped while written() waited.
      expect(commits.waitingCount).toBeGreaterThan(0);
      const later = await within(commits.written(), 10_000, 'a second written()');
      expect(later).toBeGreaterThan(upTo);
    } finally {
      clearInterval(producer);
    }
    await within(commits.written(), 60_000, 'the last written()');
    expect(commits.waitingCount).toBe(0);
    expect((await store.count()).records).toBe(step);
  }, 120_000);

  it('resolves after writeNow handed the records to the store in the call stack', async () => {
    const store = new MemoryStore();
    const { commits, seen } = groupCommit(store);
    commits.add(record(1));
    commits.add(record(2));
    commits.writeNow(store);
    expect(await within(commits.written(), 5_000, 'written() after writeNow')).toBe(2);
    expect(seen.written).toBe(2);
    expect((await store.count()).records).toBe(2);
  });

  it('resolves after writeNow while an earlier group is still being written', async () => {
    const store = new SlowAppendStore();
    const { commits, seen } = groupCommit(store);
    commits.add(record(1));
    await settle();
    commits.add(record(2));
    const waiting = commits.written();
    commits.writeNow(store);
    expect(store.appendCalls).toBe(2);
    store.releaseOne();
    store.releaseOne();
    expect(await within(waiting, 5_000, 'written()')).toBe(2);
    expect(await within(commits.written(), 5_000, 'a later written()')).toBe(2);
    expect(seen.written).toBe(2);
  });

  it('resolves after the store refused a group, and the next group is still written', async () => {
    const store = new SlowAppendStore(0);
    const { commits, seen } = groupCommit(store);
    store.failNext = true;
    commits.add(record(1));
    expect(await within(commits.written(), 5_000, 'written() after a failed append')).toBe(1);
    expect(seen).toEqual({ written: 0, failed: 1 });
    commits.add(record(2));
    expect(await within(commits.written(), 5_000, 'written() after it')).toBe(2);
    expect(seen).toEqual({ written: 1, failed: 1 });
    expect(commits.waitingCount).toBe(0);
  });

  it('resolves at once when everything appended is already in the store', async () => {
    const { commits } = groupCommit(new MemoryStore());
    expect(await commits.written()).toBe(0);
    commits.add(record(1));
    await commits.written();
    expect(await settledYet(commits.written())).toBe(true);
  });
});

describe('outbox over a store slower than the app logs', () => {
  it('delivers records while logging continues, then everything once it stops', async () => {
    const store = new SlowAppendStore(20);
    const { outbox, transport } = outboxFixture({ store, flushIntervalMs: 50 });
    const run = await existingRun(outbox);
    let step = 0;
    const producer = setInterval(() => outbox.append({ run, kind: 'metrics', body: { values: { step: step++ } } }), 2);
    let sentWhileLogging: number;
    try {
      const deadline = Date.now() + 20_000;
      while (transport.requestsTo('/metrics/').length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      sentWhileLogging = transport.requestsTo('/metrics/').length;
      // The store is still behind the app: logging had not let up when the request went.
      expect(outbox.stats().pending).toBeGreaterThan(0);
    } finally {
      clearInterval(producer);
    }
    expect(sentWhileLogging).toBeGreaterThan(0);

    expect(await outbox.flush({ timeoutMs: 60_000 })).toBe(true);
    const steps = transport.requestsTo('/metrics/').flatMap((request) => (request.json as Array<{ values: { step: number } }>).map((point) => point.values.step));
    expect(steps).toEqual(Array.from({ length: step }, (_, index) => index));
    expect(outbox.stats()).toMatchObject({ pending: 0, sent: step });
    await outbox.close({ timeoutMs: 1_000 });
  }, 120_000);
});

describe('stats().pending while the store writes', () => {
  it('counts the group being written, once, before and after the store answers', async () => {
    const store = new SlowAppendStore();
    const { outbox } = outboxFixture({ store });
    outbox.pause();
    const run = 'run-1';
    for (let step = 0; step < 3; step++) outbox.append({ run, kind: 'metrics', body: { values: { step } } });
    expect(outbox.stats().pending).toBe(3);
    await settle();
    expect(store.held).toHaveLength(1);
    expect(outbox.stats().pending).toBe(3);

    outbox.append({ run, kind: 'metrics', body: { values: { step: 3 } } });
    outbox.append({ run, kind: 'metrics', body: { values: { step: 4 } } });
    await settle();
    expect(outbox.stats().pending).toBe(5);

    store.releaseOne();
    await settle();
    expect(store.held).toHaveLength(1);
    expect(outbox.stats().pending).toBe(5);
    store.releaseOne();
    await outbox.persist();
    expect(outbox.stats().pending).toBe(5);
    expect((await store.count()).records).toBe(5);

    outbox.resume();
    await existingRun(outbox, run);
    expect(await outbox.flush({ timeoutMs: 10_000 })).toBe(true);
    expect(outbox.stats()).toMatchObject({ pending: 0, sent: 5 });
  });

  it('drops a refused group from pending and counts it as store_failed', async () => {
    const store = new SlowAppendStore();
    const { outbox } = outboxFixture({ store });
    outbox.pause();
    outbox.append({ run: 'run-1', kind: 'metrics', body: { values: { step: 0 } } });
    outbox.append({ run: 'run-1', kind: 'metrics', body: { values: { step: 1 } } });
    store.failNext = true;
    await settle();
    expect(outbox.stats().pending).toBe(2);
    store.releaseOne();
    await outbox.persist();
    expect(outbox.stats()).toMatchObject({ pending: 0, dropped: { store_failed: 2 } });
  });
});

/** A store that takes every other metric record whole at the call, as the Node journal takes its points. */
class TakingStore extends MemoryStore {
  readonly taken: OutboxRecord[] = [];
  readonly appends: Array<{ seqs: number[]; stagedThrough: number | undefined }> = [];

  stage(record: OutboxRecord): boolean {
    if (record.seq % 2 === 1) return false;
    this.taken.push({ ...record });
    return true;
  }

  override async append(records: OutboxRecord[], caps: typeof DEFAULT_CAPS, stagedThrough?: number): Promise<AppendResult> {
    this.appends.push({ seqs: records.map((r) => r.seq), stagedThrough });
    const visible = stagedThrough === undefined ? [] : this.taken.filter((r) => r.seq <= stagedThrough);
    this.taken.splice(0, visible.length);
    return super.append([...visible, ...records].sort((a, b) => a.seq - b.seq), caps);
  }
}

describe('records the store takes at the call', () => {
  it('are counted, not held: each group hands over the rest and its last seq, and every record is in the store once', async () => {
    const store = new TakingStore();
    const { commits, seen } = groupCommit(store);
    await settle();
    for (let step = 0; step < 5; step++) commits.add(record(step));
    expect(commits.waitingCount).toBe(5);
    await commits.written();
    expect(store.appends).toEqual([{ seqs: [1, 3], stagedThrough: 4 }]);
    // A burst larger than a group: the groups split the held records, and each takes the taken ones before its last.
    for (let step = 5; step < 5 + 20_000; step++) commits.add(record(step));
    await commits.written();
    expect(store.appends.slice(1).map((a) => [a.seqs.length, a.stagedThrough])).toEqual([
      [8_192, 16_387],
      [1_808, 20_004],
    ]);
    expect(seen.written).toBe(20_005);
    expect(commits.waitingCount).toBe(0);
    const stored = await store.claim({ owner: 'a', leaseMs: 1_000, now: 0, maxCount: 100_000, maxBytes: 1e9 });
    expect(stored.map((r) => r.seq)).toEqual(Array.from({ length: 20_005 }, (_, i) => i));
  });
});
