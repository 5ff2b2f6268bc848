import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { pageCloseSender } from '../../src/browser/page-close/close-sender';
import type { ExitRequest } from '../../src/browser/page-close/keepalive';
import { logger } from '../../src/runtime/logger';
import { MemoryStore } from '../../src/outbox/memory-store';
import { bodyJson, type OutboxRecord } from '../../src/outbox/records';
import type { ClaimOptions } from '../../src/outbox/store';
import { Outbox } from '../../src/outbox/outbox';
import type { OutboxRuntime } from '../../src/outbox/runtime';
import { existingRun, outboxFixture, testSettings } from '../helpers/outbox-fixture';
import { ScriptedTransport } from '../helpers/scripted-transport';

/** A runtime that sends as the page is hidden or closes (browsers), through `keepalive`. */
function pageRuntime(keepalive: (request: ExitRequest) => boolean): OutboxRuntime {
  return { unrefTimer: () => {}, closeSender: pageCloseSender({ keepalive }) };
}

const metric = (run: string, step: number) => ({ run, kind: 'metrics' as const, body: { values: { step, loss: 1 / step }, created_at: `t${step}` } });

beforeEach(() => {
  vi.useFakeTimers();
  logger.resetWarnings();
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('outbox: records become Polyaxon requests', () => {
  it('creates the experiment, then sends every kind to its endpoint in call order', async () => {
    const { outbox, transport, store } = outboxFixture();
    const run = 'local-1';
    outbox.append({ run, kind: 'create', body: { target: { project: 'mnist' }, experiment: { is_managed: false, backend: 'other' } } });
    outbox.append({ run, kind: 'coderef', body: null });
    outbox.append({ run, kind: 'status', body: { status: 'running' } });
    outbox.append({ run, kind: 'patch', body: { tags: ['a'], merge: true } });
    outbox.append(metric(run, 1));
    outbox.append(metric(run, 2));
    outbox.append({ run, kind: 'logs', body: 'line one' });
    outbox.append({ run, kind: 'stop', body: null });
    const flushed = outbox.flush({ timeoutMs: 5_000 });
    await vi.advanceTimersByTimeAsync(10);
    expect(await flushed).toBe(true);

    const base = 'http://127.0.0.1:8000/api/v1';
    expect(transport.requests.map((request) => `${request.method} ${request.url.slice(base.length)} ${request.body ?? '-'}`)).toEqual([
      'GET /users/ -',
      'POST /tester/mnist/experiments/ {"is_managed":false,"backend":"other"}',
      'POST /tester/mnist/experiments/1/coderef/ -',
      'POST /tester/mnist/experiments/1/statuses/ {"status":"running"}',
      'PATCH /tester/mnist/experiments/1/ {"tags":["a"],"merge":true}',
      'POST /tester/mnist/experiments/1/metrics/ [{"values":{"step":1,"loss":1},"created_at":"t1"},{"values":{"step":2,"loss":0.5},"created_at":"t2"}]',
      'POST /tester/mnist/experiments/1/logs/ ["line one"]',
      'POST /tester/mnist/experiments/1/stop/ -',
    ]);
    expect(await outbox.whenCreated(run)).toBe(1);
    expect(await store.getMeta(`run:${run}`)).toEqual({ user: 'tester', project: 'mnist', id: 1 });
    expect(outbox.knownUser()).toBe('tester');
  });

  it('attaches the token at send time, an Idempotency-Key on every record request, and Content-Type only with a body', async () => {
    const fixture = outboxFixture();
    const { outbox, transport, store } = fixture;
    const run = await existingRun(outbox);
    fixture.settings = testSettings({ headers: { 'X-Extra': '1', authorization: 'spoofed' } });
    outbox.append({ run, kind: 'stop', body: null });
    fixture.settings = testSettings({ token: 'new-token', headers: { 'X-Extra': '1', authorization: 'spoofed' } });
    outbox.append(metric(run, 1));
    await outbox.persist();
    expect(JSON.stringify(await store.claim({ owner: 'peek', leaseMs: 1, now: 0, maxCount: 10, maxBytes: 1e6 }))).not.toMatch(/token/i);
    await vi.advanceTimersByTimeAsync(2);
    await outbox.flush({ timeoutMs: 1_000 });
    const [stop, metrics] = transport.requests;
    expect(stop.headers).toEqual({
      'X-Extra': '1',
      Accept: 'application/json',
      Authorization: 'Token new-token',
      'Idempotency-Key': expect.any(String),
    });
    expect(metrics.headers['Content-Type']).toBe('application/json');
    expect(metrics.headers['Idempotency-Key']).not.toBe(stop.headers['Idempotency-Key']);
  });

  it('asks GET users/ once for the current credentials, and not at all when the project names its user', async () => {
    const { outbox, transport } = outboxFixture();
    outbox.append({ run: 'a', kind: 'create', body: { target: { project: 'p1' }, experiment: {} } });
    outbox.append({ run: 'b', kind: 'create', body: { target: { project: 'p2' }, experiment: {} } });
    outbox.append({ run: 'c', kind: 'create', body: { target: { user: 'other', project: 'p3' }, experiment: {} } });
    await outbox.flush({ timeoutMs: 1_000 });
    expect(transport.requests.map((request) => request.url.replace(/^.*\/v1/, ''))).toEqual([
      '/users/',
      '/tester/p1/experiments/',
      '/tester/p2/experiments/',
      '/other/p3/experiments/',
    ]);
  });
});

describe('outbox: batching and order', () => {
  it('group commit: appends of one tick reach the store in one append', async () => {
    const store = new MemoryStore();
    const append = vi.spyOn(store, 'append');
    const { outbox } = outboxFixture({ store });
    const run = await existingRun(outbox);
    for (let step = 0; step < 50; step++) outbox.append(metric(run, step));
    expect(append).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(0);
    expect(append).toHaveBeenCalledTimes(1);
    expect(append.mock.calls[0][0]).toHaveLength(50);
    expect(append.mock.calls[0][0].map((record) => record.seq)).toEqual([...Array(50).keys()]);
    outbox.append(metric(run, 50));
    outbox.append(metric(run, 51));
    await vi.advanceTimersByTimeAsync(0);
    expect(append).toHaveBeenCalledTimes(2);
    expect(append.mock.calls[1][0]).toHaveLength(2);
  });

  it('persistSync hands every unwritten record to the store within the same call stack (crash path)', async () => {
    const store = new MemoryStore();
    const append = vi.spyOn(store, 'append');
    const { outbox } = outboxFixture({ store, startOffline: true });
    const run = await existingRun(outbox);
    outbox.append(metric(run, 1));
    outbox.append({ run, kind: 'status', body: { status: 'failed', message: 'boom' } });
    outbox.persistSync();
    expect(append).toHaveBeenCalledTimes(1);
    expect(append.mock.calls[0][0].map((record) => record.kind)).toEqual(['metrics', 'status']);
    await vi.advanceTimersByTimeAsync(0);
    expect(append).toHaveBeenCalledTimes(1);
    expect((await store.count()).records).toBe(2);
  });

  it('groups metrics for flushIntervalMs, then sends them as one array', async () => {
    const { outbox, transport } = outboxFixture({ flushIntervalMs: 1_000 });
    const run = await existingRun(outbox);
    outbox.append(metric(run, 1));
    await vi.advanceTimersByTimeAsync(500);
    outbox.append(metric(run, 2));
    outbox.append(metric(run, 3));
    await vi.advanceTimersByTimeAsync(499);
    expect(transport.requests).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(transport.requests.map((request) => (request.json as unknown[]).length)).toEqual([3]);
  });

  it('sends at once when maxBatchCount records are waiting', async () => {
    const { outbox, transport } = outboxFixture({ maxBatchCount: 200 });
    const run = await existingRun(outbox);
    for (let step = 0; step < 450; step++) outbox.append(metric(run, step));
    await vi.advanceTimersByTimeAsync(1);
    expect(transport.requests.map((request) => (request.json as unknown[]).length)).toEqual([200, 200, 50]);
  });

  it("a run's next batch leaves once the server took the earlier one, before that one's ack is written", async () => {
    /** A store whose acks wait until the test lets them through. */
    class HeldAcks extends MemoryStore {
      held: Array<() => void> = [];
      override async ack(ids: string[], meta?: Record<string, unknown>): Promise<void> {
        await new Promise<void>((resolve) => this.held.push(resolve));
        return super.ack(ids, meta);
      }
    }
    const store = new HeldAcks();
    const { outbox, transport } = outboxFixture({ maxBatchCount: 200, store });
    const run = await existingRun(outbox);
    for (let step = 0; step < 400; step++) outbox.append(metric(run, step));
    await vi.advanceTimersByTimeAsync(1);
    // Both batches are on the server while neither ack is in the store.
    expect(transport.requests.map((request) => (request.json as unknown[]).length)).toEqual([200, 200]);
    expect(store.held).toHaveLength(2);
    expect((await store.count()).records).toBe(400);
    for (const release of store.held) release();
    expect(await outbox.flush({ timeoutMs: 1_000 })).toBe(true);
    expect((await store.count()).records).toBe(0);
  });

  it("a run's next batch is on its way before the earlier one's ack starts", async () => {
    /** Requests made by the time each ack began. */
    const sentAtAck: number[] = [];
    class WatchedAcks extends MemoryStore {
      override ack(ids: string[], meta?: Record<string, unknown>): Promise<void> {
        sentAtAck.push(transport.requests.length);
        return super.ack(ids, meta);
      }
    }
    const { outbox, transport } = outboxFixture({ maxBatchCount: 200, store: new WatchedAcks() });
    const run = await existingRun(outbox);
    for (let step = 0; step < 600; step++) outbox.append(metric(run, step));
    expect(await outbox.flush({ timeoutMs: 1_000 })).toBe(true);
    // The first ack starts once the second batch is sent, the second once the third is.
    expect(sentAtAck).toEqual([2, 3, 3]);
  });

  it("a batch's bodies go once its request is built, only from a store whose claims give copies", async () => {
    class WatchedClaims extends MemoryStore {
      readonly claimed: OutboxRecord[] = [];
      override async claim(options: ClaimOptions): Promise<OutboxRecord[]> {
        const records = await super.claim(options);
        this.claimed.push(...records);
        return records;
      }
    }
    class KeepingClaims extends WatchedClaims {
      override readonly claimsCopies = false;
    }
    for (const store of [new WatchedClaims(), new KeepingClaims()]) {
      const { outbox, transport } = outboxFixture({ store });
      const run = await existingRun(outbox);
      for (let step = 1; step <= 3; step++) outbox.append(metric(run, step));
      expect(await outbox.flush({ timeoutMs: 1_000 })).toBe(true);
      // The request has every body either way.
      expect((transport.requests[0].json as unknown[]).length).toBe(3);
      expect(store.claimed).toHaveLength(3);
      for (const record of store.claimed) {
        if (store.claimsCopies) expect(() => bodyJson(record)).toThrow(/was let go with its request/);
        else expect(JSON.parse(bodyJson(record))).toEqual(metric(run, record.seq + 1).body);
      }
    }
  });

  it('a final status never overtakes earlier metrics, even when they are retried', async () => {
    const { outbox, transport } = outboxFixture({ maxBatchCount: 2 });
    const run = await existingRun(outbox);
    transport.enqueue({ status: 503 }, { fail: 'network' });
    for (let step = 1; step <= 5; step++) outbox.append(metric(run, step));
    outbox.append({ run, kind: 'status', body: { status: 'succeeded' } });
    const flushed = outbox.flush({ timeoutMs: 60_000 });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(await flushed).toBe(true);
    const sent = transport.requests.map((request) => request.url.replace(/^.*\/7\//, ''));
    expect(sent).toEqual(['metrics/', 'metrics/', 'metrics/', 'metrics/', 'metrics/', 'statuses/']);
    const steps = transport.requests.slice(2, 5).flatMap((request) => (request.json as Array<{ values: { step: number } }>).map((m) => m.values.step));
    expect(steps).toEqual([1, 2, 3, 4, 5]);
  });

  it('keeps each run in its own order when runs interleave', async () => {
    const { outbox, transport } = outboxFixture();
    await existingRun(outbox, 'a', 1);
    await existingRun(outbox, 'b', 2);
    for (const run of ['a', 'b', 'a', 'b']) outbox.append({ run, kind: 'patch', body: { name: `${run}-${transport.requests.length}` } });
    outbox.append({ run: 'a', kind: 'status', body: { status: 'succeeded' } });
    outbox.append({ run: 'b', kind: 'status', body: { status: 'failed' } });
    await outbox.flush({ timeoutMs: 1_000 });
    const perRun = (id: number) => transport.requests.filter((request) => request.url.includes(`/experiments/${id}/`)).map((request) => request.method);
    expect(perRun(1)).toEqual(['PATCH', 'PATCH', 'POST']);
    expect(perRun(2)).toEqual(['PATCH', 'PATCH', 'POST']);
  });
});

describe('outbox: lifecycle and state', () => {
  it('idles with no timer once everything is delivered', async () => {
    const { outbox } = outboxFixture();
    const run = await existingRun(outbox);
    outbox.append(metric(run, 1));
    expect(await outbox.flush({ timeoutMs: 1_000 })).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
    expect(outbox.stats()).toMatchObject({ pending: 0, inFlight: 0, sent: 1, storage: 'memory', paused: false });
  });

  it('reports sending from the kick until a claim finds nothing, past the ack that ends a flush', async () => {
    const { outbox, store } = outboxFixture();
    const run = await existingRun(outbox);
    await vi.advanceTimersByTimeAsync(10);
    expect(outbox.stats().sending).toBe(false);
    // The drain claims once more after its last ack; that claim is held here.
    const claim = store.claim.bind(store);
    let releaseClaim = () => {};
    let claims = 0;
    vi.spyOn(store, 'claim').mockImplementation(async (options) => {
      if (++claims === 2) await new Promise<void>((resolve) => (releaseClaim = resolve));
      return claim(options);
    });
    outbox.append({ run, kind: 'status', body: { status: 'running' } });
    expect(outbox.stats().sending).toBe(true);
    expect(await outbox.flush({ timeoutMs: 1_000 })).toBe(true);
    expect(outbox.stats()).toMatchObject({ pending: 0, sending: true });
    await vi.advanceTimersByTimeAsync(10);
    expect(claims).toBe(2);
    expect(outbox.stats().sending).toBe(true);
    releaseClaim();
    await vi.advanceTimersByTimeAsync(10);
    expect(outbox.stats()).toMatchObject({ pending: 0, sending: false, sent: 1 });
  });

  it('flush with nothing queued resolves true at once', async () => {
    const { outbox } = outboxFixture();
    expect(await outbox.flush({ timeoutMs: 1_000 })).toBe(true);
  });

  it('delivers what an earlier outbox left in the same store', async () => {
    const store = new MemoryStore();
    const first = outboxFixture({ store, startOffline: true });
    const run = await existingRun(first.outbox);
    first.outbox.append(metric(run, 1));
    first.outbox.append({ run, kind: 'status', body: { status: 'succeeded' } });
    await first.outbox.persist();
    expect(first.transport.requests).toHaveLength(0);

    const second = outboxFixture({ store });
    expect(await second.outbox.flush({ timeoutMs: 1_000 })).toBe(true);
    expect(second.transport.requests.map((request) => request.url.replace(/^.*\/7\//, ''))).toEqual(['metrics/', 'statuses/']);
  });

  it('offline queues without sending; online sends at once', async () => {
    const { outbox, transport } = outboxFixture();
    const run = await existingRun(outbox);
    outbox.setOnline(false);
    outbox.append({ run, kind: 'status', body: { status: 'running' } });
    const flushed = outbox.flush({ timeoutMs: 1_000 });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await flushed).toBe(false);
    expect(outbox.stats()).toMatchObject({ paused: true, pausedReason: 'offline', pending: 1 });
    outbox.setOnline(true);
    expect(await outbox.flush({ timeoutMs: 1_000 })).toBe(true);
    expect(transport.requests).toHaveLength(1);
  });

  it('pause() holds everything until resume()', async () => {
    const { outbox, transport } = outboxFixture();
    const run = await existingRun(outbox);
    outbox.pause();
    outbox.append({ run, kind: 'status', body: { status: 'running' } });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(transport.requests).toHaveLength(0);
    expect(outbox.stats().pausedReason).toBe('manual');
    outbox.resume();
    expect(await outbox.flush({ timeoutMs: 1_000 })).toBe(true);
    expect(transport.requests).toHaveLength(1);
  });

  it('whenCreated resolves at once for a run with a known id', async () => {
    const { outbox } = outboxFixture();
    await existingRun(outbox, 'x', 42);
    expect(await outbox.whenCreated('x')).toBe(42);
  });

  it('on page hide, persists and hands batches to the keepalive sender, leaving them leased', async () => {
    const exitRequests: Array<{ url: string; body?: string; headers: Record<string, string> }> = [];
    const runtime = pageRuntime((request) => {
      exitRequests.push(request);
      return true;
    });
    const { outbox, transport, store } = outboxFixture({ startOffline: false, flushIntervalMs: 60_000, runtime });
    const run = await existingRun(outbox);
    outbox.append(metric(run, 1));
    outbox.append(metric(run, 2));
    await outbox.persistThenSendOnHide();
    expect(exitRequests).toHaveLength(1);
    expect(exitRequests[0].url).toMatch(/\/experiments\/7\/metrics\/$/);
    expect(JSON.parse(exitRequests[0].body!)).toHaveLength(2);
    expect(exitRequests[0].headers['Idempotency-Key']).toBeTruthy();
    expect(transport.requests).toHaveLength(0);
    expect((await store.count()).records).toBe(2);
  });

  it('a refused keepalive send releases the batch for the next load', async () => {
    const { outbox, store } = outboxFixture({ flushIntervalMs: 60_000, runtime: pageRuntime(() => false) });
    const run = await existingRun(outbox);
    outbox.append(metric(run, 1));
    await outbox.persistThenSendOnHide();
    expect(await store.claim({ owner: 'next-load', leaseMs: 1, now: Date.now(), maxCount: 10, maxBytes: 1e6 })).toHaveLength(1);
  });

  it('falls back to memory with one warning when the store fails to open', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const outbox = new Outbox({ store: Promise.reject(new Error('no IndexedDB')), settings: () => testSettings(), transport: new ScriptedTransport().send });
    expect(outbox.stats().storage).toBe('opening');
    await vi.advanceTimersByTimeAsync(0);
    expect(outbox.stats().storage).toBe('memory');
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it('refuses invalid options, naming the field', () => {
    expect(() => new Outbox({ store: new MemoryStore(), settings: () => testSettings(), maxBatchCount: 0 })).toThrow(/maxBatchCount/);
    expect(() => new Outbox({ store: new MemoryStore(), settings: () => testSettings(), flushIntervalMs: -1 })).toThrow(/flushIntervalMs/);
  });

  it('counts a body that cannot become JSON as dropped, without throwing', () => {
    const { outbox } = outboxFixture();
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    outbox.append({ run: 'r', kind: 'patch', body: circular });
    expect(outbox.stats().dropped.unserializable).toBe(1);
    expect(outbox.stats().pending).toBe(0);
  });
});
