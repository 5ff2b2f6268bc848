import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PolyaxonError } from '../../src/runtime/errors';
import { logger } from '../../src/runtime/logger';
import { MemoryStore } from '../../src/outbox/memory-store';
import { existingRun, outboxFixture, testSettings } from '../helpers/outbox-fixture';
import type { RecordedRequest } from '../helpers/scripted-transport';

const metric = (run: string, step: number) => ({ run, kind: 'metrics' as const, body: { values: { step }, created_at: `t${step}` } });
const stepsOf = (request: RecordedRequest) => (request.json as Array<{ values: { step: number } }>).map((point) => point.values.step);

let warn: ReturnType<typeof vi.spyOn>;
beforeEach(() => {
  vi.useFakeTimers();
  logger.resetWarnings();
  warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

/** Time from the first request to each later one, in ms. */
const gaps = (requests: RecordedRequest[]) => requests.map((request) => request.at - requests[0].at);

describe('retries', () => {
  it('F01 500 then 200: retried after a jittered backoff, byte-identical with the same Idempotency-Key, stored once', async () => {
    const draws = [0.25, 0.75];
    const { outbox, transport, store } = outboxFixture({ random: () => draws.shift() ?? 0.5 });
    const run = await existingRun(outbox);
    transport.enqueue({ status: 500, body: { detail: 'boom' } }, { status: 500 });
    for (let step = 1; step <= 3; step++) outbox.append(metric(run, step));
    const flushed = outbox.flush({ timeoutMs: 60_000 });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(await flushed).toBe(true);

    const [first, second, third] = transport.requests;
    expect(transport.requests).toHaveLength(3);
    // Full jitter: 0.25 × 1 s for the first retry, 0.75 × 2 s for the second.
    expect(gaps(transport.requests)).toEqual([0, 250, 250 + 1_500]);
    for (const retry of [second, third]) {
      expect(retry.body).toBe(first.body);
      expect(retry.url).toBe(first.url);
      expect(retry.headers['Idempotency-Key']).toBe(first.headers['Idempotency-Key']);
    }
    expect(stepsOf(first)).toEqual([1, 2, 3]);
    expect(outbox.stats()).toMatchObject({ sent: 3, pending: 0 });
    expect((await store.count()).records).toBe(0);
    expect(outbox.stats().lastError).toMatchObject({ kind: 'server' });
  });

  it('F01 backoff grows exponentially and is capped at maxBackoffMs', async () => {
    const { outbox, transport } = outboxFixture({ random: () => 0.999, baseBackoffMs: 1_000, maxBackoffMs: 5_000 });
    const run = await existingRun(outbox);
    transport.enqueue(...Array.from({ length: 5 }, () => ({ status: 502 })));
    outbox.append(metric(run, 1));
    void outbox.flush({ timeoutMs: 100_000 });
    await vi.advanceTimersByTimeAsync(60_000);
    const intervals = gaps(transport.requests).map((at, i, all) => (i === 0 ? 0 : at - all[i - 1]));
    expect(intervals).toEqual([0, 999, 1_998, 3_996, 4_995, 4_995]);
  });

  it('retries network errors and 408, 425, 504 the same way', async () => {
    const { outbox, transport } = outboxFixture();
    const run = await existingRun(outbox);
    transport.enqueue({ fail: 'network' }, { status: 408 }, { status: 425 }, { status: 504 });
    outbox.append({ run, kind: 'status', body: { status: 'running' } });
    const flushed = outbox.flush({ timeoutMs: 60_000 });
    await vi.advanceTimersByTimeAsync(30_000);
    expect(await flushed).toBe(true);
    expect(transport.requests).toHaveLength(5);
    expect(new Set(transport.requests.map((request) => request.headers['Idempotency-Key'])).size).toBe(1);
  });
});

describe('Retry-After', () => {
  it('F03 429 with Retry-After: 120 sends nothing for 120 s, still accepts logging', async () => {
    const { outbox, transport } = outboxFixture();
    const run = await existingRun(outbox, 'a', 1);
    await existingRun(outbox, 'b', 2);
    transport.enqueue({ status: 429, headers: { 'Retry-After': '120' } });
    outbox.append(metric(run, 1));
    void outbox.flush({ timeoutMs: 1 });
    await vi.advanceTimersByTimeAsync(1);
    expect(transport.requests).toHaveLength(1);

    for (let step = 2; step <= 300; step++) outbox.append(metric(run, step));
    outbox.append({ run: 'b', kind: 'status', body: { status: 'running' } });
    expect(outbox.stats().pending).toBe(301);
    const flushed = outbox.flush({ timeoutMs: 200_000 });
    await vi.advanceTimersByTimeAsync(120_000 - 2);
    expect(transport.requests).toHaveLength(1);
    expect(outbox.stats().retryAt).toBe(transport.requests[0].at + 120_000);
    expect(outbox.stats().lastError).toMatchObject({ kind: 'over_limit', status: 429 });

    await vi.advanceTimersByTimeAsync(2);
    expect(await flushed).toBe(true);
    expect(transport.requests[1].at - transport.requests[0].at).toBe(120_000);
    expect(transport.requests[1].body).toBe(transport.requests[0].body);
    expect(outbox.stats()).toMatchObject({ sent: 301, pending: 0 });
  });

  it('F03 a Retry-After beyond maxRetryAfterMs is clamped to it', async () => {
    const { outbox, transport } = outboxFixture({ maxRetryAfterMs: 300_000 });
    const run = await existingRun(outbox);
    transport.enqueue({ status: 429, headers: { 'Retry-After': '86400' } });
    outbox.append(metric(run, 1));
    const flushed = outbox.flush({ timeoutMs: 400_000 });
    await vi.advanceTimersByTimeAsync(400_000);
    expect(await flushed).toBe(true);
    expect(gaps(transport.requests)).toEqual([0, 300_000]);
  });

  const now = Date.UTC(2024, 0, 1, 12, 0, 0);
  it.for([
    { label: 'an HTTP date 30 s ahead', header: new Date(now + 30_000).toUTCString(), expectedMs: 30_000 },
    { label: 'an HTTP date in the past', header: new Date(now - 60_000).toUTCString(), expectedMs: 1_000 },
    { label: '0', header: '0', expectedMs: 1_000 },
    { label: 'garbage (the jittered default)', header: 'soon, maybe', expectedMs: 500 },
    { label: 'a negative number (the jittered default)', header: '-5', expectedMs: 500 },
    { label: 'an empty value (the jittered default)', header: '', expectedMs: 500 },
  ])('F04 429 with Retry-After as $label waits $expectedMs ms, never a tight loop', async ({ header, expectedMs }) => {
    vi.setSystemTime(now);
    const { outbox, transport } = outboxFixture({ random: () => 0.5 });
    const run = await existingRun(outbox);
    transport.enqueue(...Array.from({ length: 3 }, () => ({ status: 429, headers: { 'Retry-After': header } })));
    outbox.append(metric(run, 1));
    void outbox.flush({ timeoutMs: 1 });
    await vi.advanceTimersByTimeAsync(expectedMs - 1);
    expect(transport.requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(transport.requests).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(100);
    expect(transport.requests.length).toBeLessThanOrEqual(3);
  });
});

describe('413 split', () => {
  it('F05 413 for a large metrics batch: split in halves until it passes', async () => {
    const { outbox, transport } = outboxFixture();
    const run = await existingRun(outbox);
    const server = (request: RecordedRequest) => ((request.json as unknown[]).length > 2 ? { status: 413 } : { status: 201 });
    transport.enqueue(...Array.from({ length: 10 }, () => server));
    for (let step = 1; step <= 8; step++) outbox.append(metric(run, step));
    expect(await outbox.flush({ timeoutMs: 1_000 })).toBe(true);
    // [5..8] was claimed behind [1..4] (two batches out) before the second 413: it goes under the
    // key it was claimed with, is refused in turn, and is halved too.
    expect(transport.requests.map((request) => (request.json as unknown[]).length)).toEqual([8, 4, 2, 2, 4, 2, 2]);
    const passed = transport.requests.filter((request) => (request.json as unknown[]).length <= 2);
    expect(passed.flatMap(stepsOf)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(outbox.stats()).toMatchObject({ sent: 8, dropped: { too_large: 0 } });
  });

  it('F05 a single record still refused with 413 is dropped and counted as too_large; the rest goes', async () => {
    const errors: PolyaxonError[] = [];
    const { outbox, transport } = outboxFixture({ onError: (error) => errors.push(error) });
    const run = await existingRun(outbox);
    const server = (request: RecordedRequest) => (pointSteps(request).includes(2) ? { status: 413, body: 'Request Entity Too Large' } : { status: 201 });
    transport.enqueue(...Array.from({ length: 10 }, () => server));
    for (let step = 1; step <= 4; step++) outbox.append(metric(run, step));
    outbox.append({ run, kind: 'status', body: { status: 'succeeded' } });
    expect(await outbox.flush({ timeoutMs: 1_000 })).toBe(true);
    const delivered = transport.requests.filter((request) => !pointSteps(request).includes(2));
    expect(delivered.flatMap(pointSteps)).toEqual([1, 3, 4]);
    expect(transport.requests.at(-1)!.url).toMatch(/statuses\/$/);
    expect(outbox.stats()).toMatchObject({ sent: 4, dropped: { too_large: 1 } });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ status: 413, kind: 'over_limit', serverMessage: 'Request Entity Too Large' });
  });
});

function pointSteps(request: RecordedRequest): number[] {
  return Array.isArray(request.json) ? stepsOf(request) : [];
}

describe('refused records', () => {
  it("F06 400 for one record: dropped and counted with the server's message; the queue moves on", async () => {
    const errors: PolyaxonError[] = [];
    const { outbox, transport } = outboxFixture({ onError: (error) => errors.push(error) });
    const run = await existingRun(outbox);
    transport.enqueue({ status: 400, body: { name: ['Ensure this field has no more than 128 characters.'] } });
    outbox.append({ run, kind: 'patch', body: { name: 'x'.repeat(200) } });
    outbox.append({ run, kind: 'status', body: { status: 'succeeded' } });
    expect(await outbox.flush({ timeoutMs: 1_000 })).toBe(true);
    expect(transport.requests.map((request) => request.method)).toEqual(['PATCH', 'POST']);
    const stats = outbox.stats();
    expect(stats.dropped.rejected).toBe(1);
    expect(stats.sent).toBe(1);
    expect(stats.lastError).toMatchObject({ kind: 'bad_request', status: 400, message: 'name: Ensure this field has no more than 128 characters.' });
    expect(errors[0]).toBeInstanceOf(PolyaxonError);
    expect(errors[0].serverMessage).toBe('name: Ensure this field has no more than 128 characters.');
  });

  it("F34 a 400 for a batch holding one bad record: halved until it is alone; only it is dropped and counted, with the server's message and one warning", async () => {
    const errors: PolyaxonError[] = [];
    const { outbox, transport } = outboxFixture({ onError: (error) => errors.push(error) });
    const run = await existingRun(outbox);
    const message = 'Every metric value must be a finite number.';
    const server = (request: RecordedRequest) => (pointSteps(request).includes(6) ? { status: 400, body: { values: [message] } } : { status: 201 });
    transport.enqueue(...Array.from({ length: 20 }, () => server));
    for (let step = 1; step <= 8; step++) outbox.append(metric(run, step));
    outbox.append({ run, kind: 'status', body: { status: 'succeeded' } });
    expect(await outbox.flush({ timeoutMs: 1_000 })).toBe(true);

    const batches = transport.requests.filter((request) => Array.isArray(request.json));
    expect(batches.map(pointSteps)).toEqual([[1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 3, 4], [5, 6, 7, 8], [5, 6], [5], [6], [7, 8]]);
    expect(batches.filter((request) => !pointSteps(request).includes(6)).flatMap(pointSteps)).toEqual([1, 2, 3, 4, 5, 7, 8]);
    expect(transport.requests.at(-1)!.url).toMatch(/statuses\/$/);
    expect(outbox.stats()).toMatchObject({ sent: 8, dropped: { rejected: 1, too_large: 0 } });
    expect(outbox.stats().lastError).toMatchObject({ status: 400, message: `values: ${message}` });
    expect(errors).toHaveLength(1);
    expect(errors[0].serverMessage).toBe(`values: ${message}`);
    expect(warn.mock.calls.filter((call: unknown[]) => String(call[0]).includes(message))).toHaveLength(1);
  });

  it('a refused create rejects whenCreated and drops the run\'s later records as run_rejected', async () => {
    const { outbox, transport, store } = outboxFixture();
    transport.enqueue({ status: 400, body: { non_field_errors: ['Experiment expects a `content`.'] } });
    const run = 'r';
    outbox.append({ run, kind: 'create', body: { target: { user: 'u', project: 'p' }, experiment: {} } });
    const created = outbox.whenCreated(run);
    outbox.append({ run, kind: 'status', body: { status: 'running' } });
    outbox.append(metric(run, 1));
    await expect(created).rejects.toMatchObject({ status: 400, serverMessage: 'Experiment expects a `content`.' });
    expect(await outbox.flush({ timeoutMs: 1_000 })).toBe(true);
    expect(transport.requests).toHaveLength(1);
    expect(outbox.stats().dropped).toMatchObject({ rejected: 1, run_rejected: 2 });
    expect(await store.getMeta('run:r')).toMatchObject({ rejected: 'Experiment expects a `content`.' });
    await expect(outbox.whenCreated(run)).rejects.toBeInstanceOf(PolyaxonError);
  });

  it('records of a run with no create and no known id are dropped as unknown_run', async () => {
    const { outbox, transport } = outboxFixture();
    outbox.append(metric('nobody', 1));
    expect(await outbox.flush({ timeoutMs: 2_000 })).toBe(true);
    expect(transport.requests).toHaveLength(0);
    expect(outbox.stats().dropped.unknown_run).toBe(1);
  });
});

describe('missing project or experiment (F36) and a full server disk (F37)', () => {
  it('F36 a 404 for a batch of metrics drops nothing: the records stay, one error, asked again later', async () => {
    const errors: PolyaxonError[] = [];
    const { outbox, transport, store } = outboxFixture({ onError: (error) => errors.push(error) });
    const run = await existingRun(outbox);
    transport.enqueue({ status: 404, body: { detail: 'Not found.' } }, { status: 404, body: { detail: 'Not found.' } });
    for (let step = 1; step <= 3; step++) outbox.append(metric(run, step));
    const flushed = outbox.flush({ timeoutMs: 10_000 });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(await flushed).toBe(false);
    expect(transport.requests).toHaveLength(1);
    expect((await store.count()).records).toBe(3);
    expect(outbox.stats().dropped).toMatchObject({ rejected: 0, run_rejected: 0 });
    expect(outbox.stats().lastError).toMatchObject({ kind: 'not_found', status: 404, message: 'Not found.' });
    expect(outbox.stats().lastError!.help).toMatch(/experiment \d+ of project .* does not exist on http:\/\/.*records are kept/);

    // Asked again after MISSING_RETRY_MS: still missing, still kept, and no second onError.
    await vi.advanceTimersByTimeAsync(30_000);
    expect(transport.requests).toHaveLength(2);
    expect(errors).toHaveLength(1);
    const delivered = outbox.flush({ timeoutMs: 60_000 });
    await vi.advanceTimersByTimeAsync(31_000);
    expect(await delivered).toBe(true);
    expect(stepsOf(transport.requests[2])).toEqual([1, 2, 3]);
  });

  it('F37 507 is retried like 503: nothing dropped, its Retry-After honoured, the same batch delivered', async () => {
    const { outbox, transport } = outboxFixture();
    const run = await existingRun(outbox);
    transport.enqueue({ status: 507, body: { detail: 'Insufficient storage.' }, headers: { 'Retry-After': '4' } });
    for (let step = 1; step <= 3; step++) outbox.append(metric(run, step));
    const flushed = outbox.flush({ timeoutMs: 60_000 });
    await vi.advanceTimersByTimeAsync(3_900);
    expect(transport.requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await flushed).toBe(true);
    expect(transport.requests).toHaveLength(2);
    expect(transport.requests[1].body).toBe(transport.requests[0].body);
    expect(transport.requests[1].headers['Idempotency-Key']).toBe(transport.requests[0].headers['Idempotency-Key']);
    expect(outbox.stats()).toMatchObject({ sent: 3, dropped: { rejected: 0 } });
  });
});

describe('refused credentials', () => {
  it('F07 401 pauses sending and keeps records, with one error; a new token resumes', async () => {
    const errors: PolyaxonError[] = [];
    const fixture = outboxFixture({ onError: (error) => errors.push(error) });
    const { outbox, transport, store } = fixture;
    const run = await existingRun(outbox);
    transport.enqueue({ status: 401, body: { detail: 'Invalid token.' } });
    outbox.append(metric(run, 1));
    void outbox.flush({ timeoutMs: 1 });
    await vi.advanceTimersByTimeAsync(1);
    outbox.append({ run, kind: 'status', body: { status: 'running' } });
    await vi.advanceTimersByTimeAsync(120_000);

    expect(transport.requests).toHaveLength(1);
    expect(outbox.stats()).toMatchObject({ paused: true, pausedReason: 'unauthenticated', pending: 2 });
    expect(outbox.stats().lastError).toMatchObject({ kind: 'unauthenticated', status: 401, message: 'Invalid token.' });
    expect((await store.count()).records).toBe(2);
    expect(errors).toHaveLength(1);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toMatch(/^\[polyaxon-tracking\] http:\/\/[^ ]+ refused the token \(401 Invalid token\.\): .*records are kept.*POLYAXON_SECRET_USER_TOKEN/);

    fixture.settings = testSettings({ token: 'fresh-token' });
    const flushed = outbox.flush({ timeoutMs: 5_000 });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await flushed).toBe(true);
    expect(transport.requests.slice(1).map((request) => request.headers.Authorization)).toEqual(['Token fresh-token', 'Token fresh-token']);
    expect(transport.requests[1].body).toBe(transport.requests[0].body);
    expect(outbox.stats()).toMatchObject({ paused: false, sent: 2 });
  });

  it('F07 a new token is noticed without any new call, by the pause watcher', async () => {
    const fixture = outboxFixture();
    const run = await existingRun(fixture.outbox);
    fixture.transport.enqueue({ status: 401 });
    fixture.outbox.append({ run, kind: 'status', body: { status: 'running' } });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(fixture.transport.requests).toHaveLength(1);
    fixture.settings = testSettings({ token: 'fresh-token' });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(fixture.transport.requests).toHaveLength(2);
    expect(fixture.outbox.stats().sent).toBe(1);
  });

  it('F07 403 pauses too, and resume() retries with the same token', async () => {
    const errors: PolyaxonError[] = [];
    const { outbox, transport } = outboxFixture({ onError: (error) => errors.push(error) });
    const run = await existingRun(outbox);
    transport.enqueue({ status: 403, body: { detail: 'You do not have permission to perform this action.' } });
    outbox.append({ run, kind: 'status', body: { status: 'running' } });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(outbox.stats().pausedReason).toBe('forbidden');
    expect(errors.map((error) => error.kind)).toEqual(['forbidden']);
    outbox.resume();
    expect(await outbox.flush({ timeoutMs: 1_000 })).toBe(true);
    expect(transport.requests).toHaveLength(2);
  });

  it('F07 a create refused for credentials rejects whenCreated but stays queued', async () => {
    const fixture = outboxFixture();
    fixture.transport.enqueue({ status: 401, body: { detail: 'Invalid token.' } });
    fixture.outbox.append({ run: 'r', kind: 'create', body: { target: { user: 'u', project: 'p' }, experiment: {} } });
    await expect(fixture.outbox.whenCreated('r')).rejects.toMatchObject({ kind: 'unauthenticated' });
    const again = fixture.outbox.whenCreated('r');
    fixture.settings = testSettings({ token: 'fresh-token' });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await again).toBe(1);
  });

  it('F07 an abandoned run is not created later when a new token arrives', async () => {
    const fixture = outboxFixture();
    fixture.transport.enqueue({ status: 401 });
    fixture.outbox.append({ run: 'r', kind: 'create', body: { target: { user: 'u', project: 'p' }, experiment: {} } });
    fixture.outbox.append({ run: 'r', kind: 'status', body: { status: 'running' } });
    await expect(fixture.outbox.whenCreated('r')).rejects.toMatchObject({ kind: 'unauthenticated' });
    await fixture.outbox.abandonRun('r', 'create refused: 401');
    fixture.settings = testSettings({ token: 'fresh-token' });
    expect(await fixture.outbox.flush({ timeoutMs: 1_000 })).toBe(true);
    expect(fixture.transport.requests).toHaveLength(1);
    expect(fixture.outbox.stats().dropped.run_rejected).toBe(2);
  });
});

describe('close', () => {
  it('F20 close twice gives the same promise; later calls are ignored with one warning', async () => {
    const { outbox, transport } = outboxFixture();
    const run = await existingRun(outbox);
    outbox.append(metric(run, 1));
    const first = outbox.close({ timeoutMs: 1_000 });
    const second = outbox.close({ timeoutMs: 5 });
    expect(second).toBe(first);
    expect(await first).toBe(true);
    outbox.append(metric(run, 2));
    outbox.append({ run, kind: 'status', body: { status: 'succeeded' } });
    expect(outbox.flush()).toBe(first);
    await outbox.setRunTarget('other', { project: 'p', id: 1 });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(transport.requests).toHaveLength(1);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(outbox.stats().pending).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('F20 close resolves false on time when the server is down, and stops every timer', async () => {
    const { outbox, transport } = outboxFixture();
    const run = await existingRun(outbox);
    transport.enqueue(...Array.from({ length: 100 }, () => ({ fail: 'network' as const })));
    outbox.append(metric(run, 1));
    const closed = outbox.close({ timeoutMs: 3_000 });
    let result: boolean | undefined;
    void closed.then((value) => (result = value));
    await vi.advanceTimersByTimeAsync(2_999);
    expect(result).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(result).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('time', () => {
  it('F22 clock jumps backwards: order is kept by sequence number', async () => {
    const times = [50_000, 40_000, 10_000, 60_000, 5_000];
    let current = 50_000;
    const clock = { now: () => current };
    const { outbox, transport } = outboxFixture({ clock });
    const run = await existingRun(outbox);
    const kinds = [
      metric(run, 1),
      { run, kind: 'patch' as const, body: { name: 'n' } },
      metric(run, 2),
      metric(run, 3),
      { run, kind: 'status' as const, body: { status: 'succeeded' } },
    ];
    const appended = kinds.map((record, i) => {
      current = times[i];
      return outbox.append(record);
    });
    expect(await outbox.flush({ timeoutMs: 1_000 })).toBe(true);
    expect(appended.map((record) => record.createdAt)).toEqual(times);
    expect(transport.requests.map((request) => `${request.method} ${request.url.replace(/^.*\/7\//, '')}`)).toEqual([
      'POST metrics/',
      'PATCH ',
      'POST metrics/',
      'POST statuses/',
    ]);
    expect(stepsOf(transport.requests[2])).toEqual([2, 3]);
  });

  it('F24 server very slow: the request times out and is retried; flush({timeoutMs}) resolves false on time', async () => {
    const { outbox, transport } = outboxFixture({ requestTimeoutMs: 10_000 });
    const run = await existingRun(outbox);
    transport.enqueue({ status: 201, delayMs: 30_000 }, { status: 201, delayMs: 30_000 });
    outbox.append(metric(run, 1));
    let result: boolean | undefined;
    void outbox.flush({ timeoutMs: 5_000 }).then((value) => (result = value));
    await vi.advanceTimersByTimeAsync(4_999);
    expect(result).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(result).toBe(false);

    const flushed = outbox.flush({ timeoutMs: 60_000 });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(await flushed).toBe(true);
    expect(transport.requests).toHaveLength(3);
    expect(transport.requests[1].at - transport.requests[0].at).toBeGreaterThanOrEqual(10_000);
    expect(outbox.stats().lastError).toMatchObject({ kind: 'timeout' });
    expect(outbox.stats().sent).toBe(1);
  });

  it('F24 a transport that never answers is cut off after the request timeout', async () => {
    const { outbox, transport } = outboxFixture({ requestTimeoutMs: 2_000 });
    const run = await existingRun(outbox);
    transport.enqueue({ hang: true });
    outbox.append({ run, kind: 'status', body: { status: 'running' } });
    const flushed = outbox.flush({ timeoutMs: 10_000 });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(await flushed).toBe(true);
    expect(transport.requests).toHaveLength(2);
  });
});

describe('caps', () => {
  it('evicts the oldest metrics when full and counts them as queue_full; never a status', async () => {
    const { outbox, transport } = outboxFixture({ caps: { maxRecords: 5, maxBytes: 1e9 }, startOffline: true });
    const run = await existingRun(outbox);
    outbox.append({ run, kind: 'status', body: { status: 'running' } });
    for (let step = 1; step <= 8; step++) outbox.append(metric(run, step));
    outbox.append({ run, kind: 'status', body: { status: 'succeeded' } });
    await outbox.persist();
    expect(outbox.stats()).toMatchObject({ pending: 5, dropped: { queue_full: 5 } });
    expect(warn).toHaveBeenCalledTimes(1);
    outbox.setOnline(true);
    expect(await outbox.flush({ timeoutMs: 1_000 })).toBe(true);
    expect(transport.requests.map((request) => (Array.isArray(request.json) ? stepsOf(request) : (request.json as { status: string }).status))).toEqual([
      'running',
      [6, 7, 8],
      'succeeded',
    ]);
  });
});

describe('a failing store', () => {
  it('a refused write is counted as store_failed and never throws into the caller', async () => {
    const store = new MemoryStore();
    vi.spyOn(store, 'append').mockRejectedValue(new Error('QuotaExceededError'));
    const { outbox } = outboxFixture({ store });
    const run = await existingRun(outbox);
    outbox.append(metric(run, 1));
    expect(await outbox.flush({ timeoutMs: 1_000 })).toBe(true);
    expect(outbox.stats().dropped.store_failed).toBe(1);
  });

  it('a failing claim backs off; flush resolves false on time instead of rejecting', async () => {
    const store = new MemoryStore();
    const claim = vi.spyOn(store, 'claim').mockRejectedValue(new Error('connection closed'));
    const { outbox } = outboxFixture({ store });
    const run = await existingRun(outbox);
    outbox.append({ run, kind: 'status', body: { status: 'running' } });
    const flushed = outbox.flush({ timeoutMs: 2_000 });
    await vi.advanceTimersByTimeAsync(2_000);
    expect(await flushed).toBe(false);
    expect(claim.mock.calls.length).toBeLessThan(10);
    claim.mockRestore();
    const again = outbox.flush({ timeoutMs: 5_000 });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(await again).toBe(true);
  });
});

describe('offline create', () => {
  it('a create that cannot reach the server is retried; the run follows once it is acked', async () => {
    const { outbox, transport } = outboxFixture();
    transport.enqueue({ fail: 'network' }, { fail: 'network' }, { fail: 'timeout' });
    outbox.append({ run: 'r', kind: 'create', body: { target: { user: 'u', project: 'p' }, experiment: { name: 'x' } } });
    outbox.append({ run: 'r', kind: 'status', body: { status: 'running' } });
    outbox.append(metric('r', 1));
    const created = outbox.whenCreated('r');
    await vi.advanceTimersByTimeAsync(30_000);
    expect(await created).toBe(1);
    expect(await outbox.flush({ timeoutMs: 5_000 })).toBe(true);
    expect(transport.requests.map((request) => request.url.replace(/^.*\/v1/, ''))).toEqual([
      '/u/p/experiments/',
      '/u/p/experiments/',
      '/u/p/experiments/',
      '/u/p/experiments/',
      '/u/p/experiments/1/statuses/',
      '/u/p/experiments/1/metrics/',
    ]);
  });
});
