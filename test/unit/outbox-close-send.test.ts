import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { pageCloseSender, type PageCloseOptions } from '../../src/browser/page-close/close-sender';
import type { ExitNotes } from '../../src/browser/page-close/exit-leases';
import type { ExitRequest } from '../../src/browser/page-close/keepalive';
import { pagePresence, type PagePresence } from '../../src/browser/page-close/page-presence';
import { EXIT_MAX_REQUESTS, sendOnClose } from '../../src/browser/page-close/exit-send';
import { logger } from '../../src/runtime/logger';
import { MemoryStore } from '../../src/outbox/memory-store';
import type { Outbox } from '../../src/outbox/outbox';
import type { OutboxRuntime } from '../../src/outbox/runtime';
import { existingRun, outboxFixture as plainOutboxFixture, testSettings } from '../helpers/outbox-fixture';
import { testRecord } from '../helpers/store-contract';

const metric = (run: string, step: number) => ({ run, kind: 'metrics' as const, body: { values: { step }, created_at: `t${step}` } });
const stopped = (run: string) => ({ run, kind: 'status' as const, body: { status: 'stopped', message: 'page closed' } });

/** `ExitNotes` in memory, shared by the pages of one test as localStorage is by the tabs of an origin. */
function memoryNotes(): ExitNotes & { kept: Map<string, unknown[]> } {
  const kept = new Map<string, unknown[]>();
  return {
    kept,
    save(topic, note) {
      kept.set(topic, [...(kept.get(topic) ?? []), JSON.parse(JSON.stringify(note))]);
      return true;
    },
    async take(topic) {
      const notes = kept.get(topic) ?? [];
      kept.delete(topic);
      return notes;
    },
  };
}

/** A keepalive stand-in: records every request it is handed, and whether any awaited work had run by then. */
function capturingSend() {
  const sent: ExitRequest[] = [];
  let microtaskRan = false;
  void Promise.resolve().then(() => {
    microtaskRan = true;
  });
  const send = (request: ExitRequest) => {
    if (microtaskRan) throw new Error('keepalive request started after an await: a closing page would never start it');
    sent.push(request);
    return true;
  };
  return { sent, send, microtaskRan: () => microtaskRan };
}

const key = (request: { headers: Record<string, string> }) => request.headers['Idempotency-Key'];
const steps = (request: { body?: string }) => (JSON.parse(request.body ?? '[]') as Array<{ values: { step: number } }>).map((point) => point.values.step);
const range = (first: number, count: number) => Array.from({ length: count }, (_, index) => first + index);

/** A page on `store` whose first metrics request, points 0 to `points` - 1, never gets an answer: a batch in flight. */
async function pageWithBatchInFlight(store: MemoryStore, points: number) {
  const closing = outboxFixture({ store });
  const run = await existingRun(closing.outbox);
  closing.transport.enqueue({ hang: true });
  for (const step of range(0, points)) closing.outbox.append(metric(run, step));
  await vi.advanceTimersByTimeAsync(1_100);
  return { closing, run, inFlight: closing.transport.requests[0] };
}

let notes: ReturnType<typeof memoryNotes>;
/** The close-time protocol of every page (outbox) of a test; its keepalive is the one `closePage` is given. */
let pageClose: PageCloseOptions;
let pageKeepalive: (request: ExitRequest) => boolean;
/** The runtime of every page of a test: one that sends as a page goes away (browsers). */
let pageRuntime: OutboxRuntime;
const outboxFixture = (options: Parameters<typeof plainOutboxFixture>[0] = {}) => plainOutboxFixture({ runtime: pageRuntime, ...options });

/** The page of `outbox` closes (`pagehide`) with `send` as its keepalive. */
function closePage(outbox: Outbox, send: (request: ExitRequest) => boolean): number {
  pageKeepalive = send;
  return outbox.sendOnClose();
}

/** The page of `outbox` is hidden with `send` as its keepalive. */
function hidePage(outbox: Outbox, send: (request: ExitRequest) => boolean): Promise<void> {
  pageKeepalive = send;
  return outbox.persistThenSendOnHide();
}

beforeEach(() => {
  vi.useFakeTimers();
  logger.resetWarnings();
  notes = memoryNotes();
  pageKeepalive = () => false;
  pageClose = { keepalive: (request) => pageKeepalive(request), notes };
  pageRuntime = { unrefTimer: () => {}, closeSender: pageCloseSender(pageClose) };
});
afterEach(() => {
  vi.useRealTimers();
});

describe('outbox: sending at page close (pagehide), from memory, in the listener itself', () => {
  it('F11 starts keepalive requests for the pending points and the stopped status before any await resolves', async () => {
    const { outbox, transport } = outboxFixture();
    const run = await existingRun(outbox);
    for (const step of range(0, 150)) outbox.append(metric(run, step));
    outbox.append(stopped(run));
    const keepalive = capturingSend();

    expect(closePage(outbox, keepalive.send)).toBe(2);
    expect(keepalive.microtaskRan()).toBe(false);
    expect(keepalive.sent.map((request) => `${request.method} ${request.url.replace(/^.*\/v1/, '')}`)).toEqual([
      'POST /u/p/experiments/7/metrics/',
      'POST /u/p/experiments/7/statuses/',
    ]);
    expect(steps(keepalive.sent[0])).toEqual(range(0, 150));
    expect(JSON.parse(keepalive.sent[1].body!)).toEqual({ status: 'stopped', message: 'page closed' });
    expect(keepalive.sent[0].headers.Authorization).toBe('Token secret-token');
    expect(new Set(keepalive.sent.map(key)).size).toBe(2);
    expect(transport.requests).toHaveLength(0);
  });

  it('F11 the next load resends what went out under the same Idempotency-Keys and bodies', async () => {
    const store = new MemoryStore();
    const closing = outboxFixture({ store });
    const run = await existingRun(closing.outbox);
    for (const step of range(0, 150)) closing.outbox.append(metric(run, step));
    closing.outbox.append(stopped(run));
    const keepalive = capturingSend();
    closePage(closing.outbox, keepalive.send);
    closing.outbox.pause();

    const next = outboxFixture({ store });
    expect(await next.outbox.flush({ timeoutMs: 5_000 })).toBe(true);
    expect(keepalive.sent).toHaveLength(2);
    expect(next.transport.requests.map((request) => [key(request), request.body])).toEqual(keepalive.sent.map((request) => [key(request), request.body]));
  });

  it('F10 resends the batch in flight under its key, and notes its lease so the next load need not wait it out', async () => {
    const store = new MemoryStore();
    const { closing, run, inFlight } = await pageWithBatchInFlight(store, 50);
    expect(steps(inFlight)).toEqual(range(0, 50));
    for (const step of range(50, 30)) closing.outbox.append(metric(run, step));
    closing.outbox.append(stopped(run));

    const keepalive = capturingSend();
    closePage(closing.outbox, keepalive.send);
    closing.outbox.pause();
    // The points that followed go to the same endpoint: they wait, as two requests could be stored in either order.
    expect(keepalive.sent.map((request) => [key(request), request.body])).toEqual([[key(inFlight), inFlight.body]]);
    expect([...notes.kept.values()].flat()).toEqual([[{ ids: expect.any(Array), leaseUntil: expect.any(Number) }]]);

    const next = outboxFixture({ store });
    const startedAt = Date.now();
    expect(await next.outbox.flush({ timeoutMs: 5_000 })).toBe(true);
    expect(Date.now() - startedAt).toBeLessThan(5_000);
    expect(next.transport.requests.map(key)[0]).toEqual(key(inFlight));
    expect(next.transport.requests.flatMap((request) => (request.url.endsWith('/metrics/') ? steps(request) : []))).toEqual(range(0, 80));
    expect(next.transport.requests.at(-1)?.url).toMatch(/statuses\/$/);
  });

  it('without a note the cut-off batch waits for its lease, then goes under the same key', async () => {
    const store = new MemoryStore();
    const { closing, inFlight } = await pageWithBatchInFlight(store, 20);
    pageClose.notes = undefined;
    closePage(closing.outbox, capturingSend().send);
    closing.outbox.pause();

    const next = outboxFixture({ store });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(next.transport.requests).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(40_000);
    expect(next.transport.requests.map(key)).toEqual([key(inFlight)]);
  });

  it('sends a run in order or not at all: a refused batch (over the keepalive budget) ends that run, its status waits', async () => {
    const { outbox } = outboxFixture();
    const run = await existingRun(outbox);
    for (const step of range(0, 10)) outbox.append(metric(run, step));
    outbox.append(stopped(run));
    const other = await existingRun(outbox, 'run-2', 8);
    outbox.append(stopped(other));
    let offered = 0;
    const sent: ExitRequest[] = [];
    closePage(outbox, (request) => {
      if (offered++ === 0) return false;
      sent.push(request);
      return true;
    });
    expect(sent.map((request) => request.url.replace(/^.*\/experiments\//, ''))).toEqual(['8/statuses/']);
  });

  it('never sends two batches to one endpoint of a run: side by side they could be stored in either order', async () => {
    const { outbox } = outboxFixture();
    const run = await existingRun(outbox);
    for (const step of range(0, 300)) outbox.append(metric(run, step));
    outbox.append(stopped(run));
    const keepalive = capturingSend();
    expect(closePage(outbox, keepalive.send)).toBe(1);
    expect(steps(keepalive.sent[0])).toEqual(range(0, 200));
  });

  it(`starts at most ${EXIT_MAX_REQUESTS} requests`, async () => {
    const { outbox } = outboxFixture();
    for (const index of range(0, EXIT_MAX_REQUESTS + 3)) {
      const run = await existingRun(outbox, `run-${index}`, index + 1);
      outbox.append(stopped(run));
    }
    const keepalive = capturingSend();
    expect(closePage(outbox, keepalive.send)).toBe(EXIT_MAX_REQUESTS);
  });

  it('F09 skips a run whose create is not acknowledged and sends the others', async () => {
    const { outbox, transport } = outboxFixture();
    transport.enqueue({ hang: true });
    outbox.append({ run: 'new', kind: 'create', body: { target: { user: 'u', project: 'p' }, experiment: {} } });
    outbox.append(metric('new', 1));
    await vi.advanceTimersByTimeAsync(10);
    const run = await existingRun(outbox);
    outbox.append(metric(run, 1));
    const keepalive = capturingSend();
    expect(closePage(outbox, keepalive.send)).toBe(1);
    expect(keepalive.sent[0].url).toMatch(/experiments\/7\/metrics\/$/);
  });

  it('F07 sends nothing while paused for refused credentials', async () => {
    const { outbox, transport } = outboxFixture();
    const run = await existingRun(outbox);
    transport.enqueue({ status: 401, body: { detail: 'bad token' } });
    outbox.append(metric(run, 1));
    await vi.advanceTimersByTimeAsync(1_100);
    expect(outbox.stats().pausedReason).toBe('unauthenticated');
    const keepalive = capturingSend();
    expect(closePage(outbox, keepalive.send)).toBe(0);
    expect(keepalive.sent).toHaveLength(0);
  });

  it('runs once per page; the hide that follows a close claims nothing', async () => {
    const store = new MemoryStore();
    const { outbox } = outboxFixture({ store });
    const run = await existingRun(outbox);
    outbox.append(metric(run, 1));
    const keepalive = capturingSend();
    expect(closePage(outbox, keepalive.send)).toBe(1);
    expect(closePage(outbox, keepalive.send)).toBe(0);
    const claim = vi.spyOn(store, 'claim');
    await hidePage(outbox, keepalive.send);
    expect(claim).not.toHaveBeenCalled();
  });

  it("F09 an 'online' event after the close (Chromium tearing down an offline tab) wakes no sender", async () => {
    const store = new MemoryStore();
    const { outbox, transport } = outboxFixture({ store });
    const run = await existingRun(outbox);
    outbox.setOnline(false);
    outbox.append(metric(run, 1));
    closePage(outbox, capturingSend().send);
    const claim = vi.spyOn(store, 'claim');
    outbox.setOnline(true);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(claim).not.toHaveBeenCalled();
    expect(transport.requests).toHaveLength(0);
  });

  it('a closing page persists before it sends: the records are in the store when the first request starts', async () => {
    const store = new MemoryStore();
    const { outbox } = outboxFixture({ store });
    const run = await existingRun(outbox);
    for (const step of range(0, 10)) outbox.append(metric(run, step));
    let storedAtSend = -1;
    closePage(outbox, (request) => {
      // MemoryStore.append copies synchronously: what it holds is what the exit write handed it.
      storedAtSend = (store as unknown as { records: unknown[] }).records.length;
      return request !== undefined;
    });
    expect(storedAtSend).toBe(10);
  });
});

/** The shared IndexedDB queue of an origin's pages, played by a MemoryStore that says so (a memory store is a page's alone). */
class SharedQueue extends MemoryStore {
  override readonly kind = 'indexeddb' as const;
}

describe('outbox: two pages on one queue (F12), each knowing of the other over a real BroadcastChannel', () => {
  let presences: PagePresence[];
  beforeEach(() => {
    presences = [];
    pageClose.presence = (topic, onLeave) => {
      const presence = pagePresence(topic, onLeave);
      presences.push(presence);
      return presence;
    };
  });
  afterEach(() => {
    // Pages still open leave (a closed page already has: leave runs once per page).
    for (const presence of presences) {
      try {
        presence.leave();
      } catch {
        // Left at its close.
      }
    }
  });

  /** Two pages on `store`; resolves once each has heard of the other. */
  async function twoPages(store = new SharedQueue()) {
    const logging = outboxFixture({ store, flushIntervalMs: 600_000 });
    const other = outboxFixture({ store, flushIntervalMs: 600_000 });
    await vi.waitFor(() => expect(presences.map((presence) => presence.othersAlive())).toEqual([true, true]), { timeout: 5_000 });
    return { store, logging, other };
  }

  it('F12 a closing page does not send again what the other page claimed and sent since this page last claimed', async () => {
    const { store, logging, other } = await twoPages();
    const run = await existingRun(logging.outbox);
    await vi.advanceTimersByTimeAsync(10);
    for (const step of range(0, 50)) logging.outbox.append(metric(run, step));
    await logging.outbox.persist();
    // The other page's sender takes the logging page's points from the queue and delivers them.
    void other.outbox.flush({ timeoutMs: 5_000 });
    await vi.advanceTimersByTimeAsync(100);
    expect((await store.count()).records).toBe(0);
    expect(other.transport.requests.flatMap(steps)).toEqual(range(0, 50));
    for (const step of range(50, 10)) logging.outbox.append(metric(run, step));
    logging.outbox.append(stopped(run));

    const keepalive = capturingSend();
    closePage(logging.outbox, keepalive.send);
    const sentTwice = keepalive.sent.flatMap((request) => (request.url.endsWith('/metrics/') ? steps(request) : [])).filter((step) => step < 50);
    expect(sentTwice).toEqual([]);
    // Neither did it send what the other page may take next: that page is live and sends it.
    expect(keepalive.sent).toEqual([]);
    logging.outbox.pause();
    // The bye wakes the other page's sender (idle, with nothing to poll for): it sends the rest.
    await vi.waitFor(
      async () => {
        await vi.advanceTimersByTimeAsync(10);
        expect((await store.count()).records).toBe(0);
      },
      { timeout: 5_000 },
    );
    expect(other.transport.requests.flatMap((request) => (request.url.endsWith('/metrics/') ? steps(request) : []))).toEqual(range(0, 60));
    expect(other.transport.requests.at(-1)?.url).toMatch(/experiments\/7\/statuses\/$/);
  });

  it('F12 F10 with another page live, the batch the closing page holds leased still goes by keepalive, under its key', async () => {
    const { logging } = await twoPages();
    const run = await existingRun(logging.outbox);
    const otherRun = await existingRun(logging.outbox, 'run-2', 8);
    logging.transport.enqueue({ hang: true });
    for (const step of range(0, 20)) logging.outbox.append(metric(run, step));
    logging.outbox.flush();
    await vi.advanceTimersByTimeAsync(10);
    const [inFlight] = logging.transport.requests;
    expect(steps(inFlight)).toEqual(range(0, 20));
    logging.outbox.append(stopped(run));
    logging.outbox.append(stopped(otherRun));

    const keepalive = capturingSend();
    closePage(logging.outbox, keepalive.send);
    // The run whose head it holds leased is its alone, up to its end; the other run is not.
    expect(keepalive.sent.map((request) => [key(request), request.url.replace(/^.*\/experiments\//, '')])).toEqual([
      [key(inFlight), '7/metrics/'],
      [expect.any(String), '7/statuses/'],
    ]);
  });

  it("F12 a page that said bye is forgotten: the last page's close sends everything again", async () => {
    const { logging, other } = await twoPages();
    closePage(other.outbox, capturingSend().send);
    await vi.waitFor(() => expect(presences[0].othersAlive()).toBe(false), { timeout: 5_000 });
    const run = await existingRun(logging.outbox);
    for (const step of range(0, 30)) logging.outbox.append(metric(run, step));
    const keepalive = capturingSend();
    expect(closePage(logging.outbox, keepalive.send)).toBe(1);
    expect(steps(keepalive.sent[0])).toEqual(range(0, 30));
  });

  it('F12 without BroadcastChannel nothing can be known: another page may share the queue', () => {
    vi.stubGlobal('BroadcastChannel', undefined);
    try {
      const presence = pagePresence('leases x', () => {});
      expect(presence.othersAlive()).toBe(true);
      presence.leave();
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('a lone page with presence sends everything at close; so does a page whose queue is in memory, which no other page can share', async () => {
    const lone = outboxFixture({ store: new SharedQueue() });
    const inMemory = outboxFixture({ store: new MemoryStore() });
    await vi.waitFor(() => expect(presences[1].othersAlive()).toBe(true), { timeout: 5_000 });
    const closeWithPoints = async ({ outbox }: { outbox: typeof lone.outbox }) => {
      const run = await existingRun(outbox);
      for (const step of range(0, 30)) outbox.append(metric(run, step));
      const keepalive = capturingSend();
      expect(closePage(outbox, keepalive.send)).toBe(1);
      expect(steps(keepalive.sent[0])).toEqual(range(0, 30));
    };
    await closeWithPoints(inMemory);
    await vi.waitFor(() => expect(presences[0].othersAlive()).toBe(false), { timeout: 5_000 });
    await closeWithPoints(lone);
  });
});

describe('sendOnClose: a run the window holds only part of', () => {
  const points = (count: number) => range(1, count).map((seq) => testRecord(seq, 'run-a', 'metrics', { values: { step: seq }, created_at: `t${seq}` }));
  const closeSend = (records: ReturnType<typeof points>, complete: boolean, maxCount: number) => {
    const { sent, send } = capturingSend();
    sendOnClose(
      { sequences: [{ run: 'run-a', records, complete }], target: () => ({ user: 'u', project: 'p', id: 7 }), settings: testSettings(), maxCount, maxBytes: 512 * 1024 },
      send,
    );
    return sent;
  };

  it('sends an unkeyed batch that ran out of records only when no newer record of the run is missing', () => {
    expect(closeSend(points(5), true, 200).map(steps)).toEqual([[1, 2, 3, 4, 5]]);
    // The next load's claim would add the missing records to this batch: another key, a duplicate.
    expect(closeSend(points(5), false, 200)).toEqual([]);
  });

  it('still sends a batch the count limit closed, or one that has its key already', () => {
    expect(closeSend(points(5), false, 5).map(steps)).toEqual([[1, 2, 3, 4, 5]]);
    const keyed = points(3).map((record) => ({ ...record, batch: 'claimed-key' }));
    const [request] = closeSend(keyed, false, 200);
    expect(key(request)).toBe('claimed-key');
  });
});
