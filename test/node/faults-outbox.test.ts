import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Experiment } from '../../src/index.node';
import type { ProxiedRequest } from '../helpers/fault-proxy';
import { directClient, eventually, FAULT_PROJECT, FAULT_USER, requests, startFaultRig, storedMetrics, type FaultRig } from '../helpers/fault-setup';

/**
 * reliability.md at the node level: a real Experiment → the fault proxy → the real local server.
 * Each test ends by comparing what the server stored with what was logged: same values, same
 * order, nothing lost, nothing duplicated (the local server honours Idempotency-Key).
 */
let rig: FaultRig;

beforeEach(async () => {
  rig = await startFaultRig();
});
afterEach(async () => {
  await rig?.dispose();
});

function logPoints(experiment: Experiment, from: number, count: number): Array<Record<string, number>> {
  const points: Array<Record<string, number>> = [];
  for (let step = from; step < from + count; step++) {
    const values = { step, loss: 1 / (step + 1) };
    experiment.logMetrics(values);
    points.push(values);
  }
  return points;
}

async function created(experiment: Experiment): Promise<number> {
  await experiment.create();
  expect(experiment.id).toBeTypeOf('number');
  return experiment.id!;
}

function metricsPosts(): ProxiedRequest[] {
  return rig.proxy.log.filter(requests.metricsPost);
}

describe('node faults through the proxy', () => {
  it('F01 500 then 200: retried with backoff, byte-identical with the same Idempotency-Key, stored once', async () => {
    rig.proxy.script({ kind: 'respond', status: 500, body: { detail: 'A server error occurred.' } }, { match: requests.metricsPost });
    const experiment = rig.experiment();
    const id = await created(experiment);
    const logged = logPoints(experiment, 0, 50);

    expect(await experiment.flush({ timeoutMs: 10_000 })).toBe(true);

    const [refused, retried, ...rest] = metricsPosts();
    expect(rest).toEqual([]);
    expect(refused).toMatchObject({ action: 'respond', status: 500 });
    expect(retried).toMatchObject({ action: 'pass', status: 201 });
    expect(retried.idempotencyKey).toBeTruthy();
    expect(retried.idempotencyKey).toBe(refused.idempotencyKey);
    expect(retried.body).toBe(refused.body);
    // MIN_BACKOFF_MS: even the luckiest jitter draw waits a little.
    expect(retried.at - refused.at).toBeGreaterThanOrEqual(90);
    expect(await storedMetrics(rig.server, id)).toEqual(logged);
    expect(experiment.stats()!.outbox).toMatchObject({ dropped: { rejected: 0, too_large: 0 }, pending: 0 });
  });

  it('F02 response lost after the server stored the batch: retried with the same key, stored once', async () => {
    rig.proxy.script({ kind: 'drop-after-forward' }, { match: requests.metricsPost });
    const experiment = rig.experiment();
    const id = await created(experiment);
    const logged = logPoints(experiment, 0, 40);

    expect(await experiment.flush({ timeoutMs: 10_000 })).toBe(true);

    const [lost, retried, ...rest] = metricsPosts();
    expect(rest).toEqual([]);
    expect(lost.action).toBe('drop-after-forward');
    expect(lost.status).toBeUndefined();
    expect(retried).toMatchObject({ action: 'pass', status: 201, idempotencyKey: lost.idempotencyKey, body: lost.body });
    // The server got the batch twice and kept it once.
    expect(await storedMetrics(rig.server, id)).toEqual(logged);
    expect(experiment.stats()!.outbox.lastError).toMatchObject({ kind: 'network' });
  });

  it('F05 413 for a large metrics batch: split until it passes; a single record still refused is dropped and counted', async () => {
    const LIMIT_BYTES = 4096;
    rig.proxy.script(
      { kind: 'respond', status: 413, body: { detail: 'Request body too large.' } },
      { count: Infinity, match: (request) => requests.metricsPost(request) && Buffer.byteLength(request.body) > LIMIT_BYTES },
    );
    const experiment = rig.experiment();
    const id = await created(experiment);
    const before = logPoints(experiment, 0, 100);
    const huge: Record<string, number> = {};
    for (let key = 0; key < 120; key++) huge[`a_rather_long_metric_name_number_${key}`] = key;
    experiment.logMetrics(huge);
    const after = logPoints(experiment, 100, 100);

    expect(await experiment.flush({ timeoutMs: 15_000 })).toBe(true);

    expect(await storedMetrics(rig.server, id)).toEqual([...before, ...after]);
    const stats = experiment.stats()!.outbox;
    expect(stats.dropped.too_large).toBe(1);
    expect(stats.lastError).toMatchObject({ status: 413, message: 'Request body too large.' });
    const posts = metricsPosts();
    const refusedSizes = posts.filter((post) => post.status === 413).map((post) => (JSON.parse(post.body) as unknown[]).length);
    // Halving from a full first batch (INITIAL_BATCH_COUNT, outbox/batch-size.ts) down to the huge point alone, refused once.
    expect(refusedSizes[0]).toBe(200);
    expect(refusedSizes.filter((size) => size === 1)).toHaveLength(1);
    expect(posts.filter((post) => post.status === 201).every((post) => Buffer.byteLength(post.body) <= LIMIT_BYTES)).toBe(true);
  });

  it('F06 400 for one record: dropped and counted with the server\'s message, the queue moves on', async () => {
    const message = 'params: Value "x" is not allowed here.';
    rig.proxy.script(
      { kind: 'respond', status: 400, body: { params: ['Value "x" is not allowed here.'] } },
      { count: Infinity, match: (request) => requests.experimentPatch(request) && request.body.includes('"refused"') },
    );
    const experiment = rig.experiment();
    const id = await created(experiment);
    experiment.logParams({ lr: 0.1 });
    experiment.logParams({ refused: 'x' });
    const logged = logPoints(experiment, 0, 5);
    experiment.logParams({ batch_size: 32 });
    logged.push(...logPoints(experiment, 5, 5));

    expect(await experiment.flush({ timeoutMs: 10_000 })).toBe(true);

    const stats = experiment.stats()!.outbox;
    expect(stats.dropped.rejected).toBe(1);
    expect(stats.lastError).toMatchObject({ status: 400, message });
    const refusals = rig.proxy.log.filter((request) => request.status === 400);
    expect(refusals).toHaveLength(1);
    const stored = await directClient(rig.server).experiment.get(FAULT_USER, FAULT_PROJECT, id);
    expect(stored.params).toEqual({ lr: 0.1, batch_size: 32 });
    expect(await storedMetrics(rig.server, id)).toEqual(logged);
  });

  it('F07 401 pauses sending and keeps records; resumes after a new token', async () => {
    const experiment = rig.experiment();
    const id = await created(experiment);
    const logged = logPoints(experiment, 0, 3);
    expect(await experiment.flush({ timeoutMs: 5_000 })).toBe(true);

    // The token is revoked: the server now knows only a new one.
    const server = await rig.restartServer({ token: 'the-new-token' });
    const revokedAt = rig.proxy.log.length;
    logged.push(...logPoints(experiment, 3, 5));
    experiment.logParams({ after_revocation: true });

    expect(await eventually(() => experiment.stats()!.outbox.paused)).toBe(true);
    let stats = experiment.stats()!.outbox;
    expect(stats.pausedReason).toBe('unauthenticated');
    expect(stats.lastError).toMatchObject({ kind: 'unauthenticated', status: 401, message: 'Invalid token.' });
    expect(stats.pending).toBe(6);
    expect(await experiment.flush({ timeoutMs: 1_500 })).toBe(false);
    // Paused means paused: one refused request, not a retry loop against the server.
    expect(rig.proxy.log.slice(revokedAt).filter((request) => request.status === 401)).toHaveLength(1);

    experiment.client.setToken('the-new-token');
    expect(await experiment.flush({ timeoutMs: 5_000 })).toBe(true);

    stats = experiment.stats()!.outbox;
    expect(stats.paused).toBe(false);
    expect(stats.dropped).toMatchObject({ rejected: 0, run_rejected: 0, unknown_run: 0 });
    expect(await storedMetrics(server, id)).toEqual(logged);
    const stored = await directClient(server).experiment.get(FAULT_USER, FAULT_PROJECT, id);
    expect(stored.params).toEqual({ after_revocation: true });
  });

  it('F24 very slow server: request times out and is retried; flush({timeoutMs}) resolves false on time', async () => {
    const REQUEST_TIMEOUT_MS = 400;
    const experiment = rig.experiment(rig.clientViaProxy({ timeoutMs: REQUEST_TIMEOUT_MS }));
    const id = await created(experiment);
    rig.proxy.script({ kind: 'delay', ms: 30_000 }, { match: requests.metricsPost });
    const logged = logPoints(experiment, 0, 10);

    const started = Date.now();
    expect(await experiment.flush({ timeoutMs: 250 })).toBe(false);
    const waitedMs = Date.now() - started;
    expect(waitedMs).toBeGreaterThanOrEqual(245);
    expect(waitedMs).toBeLessThan(1_000);

    expect(await experiment.flush({ timeoutMs: 10_000 })).toBe(true);
    const [slow, retried, ...rest] = metricsPosts();
    expect(rest).toEqual([]);
    expect(slow.action).toBe('delay');
    expect(retried).toMatchObject({ action: 'pass', status: 201, idempotencyKey: slow.idempotencyKey, body: slow.body });
    expect(retried.at - slow.at).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS);
    expect(retried.at - slow.at).toBeLessThan(30_000);
    expect(experiment.stats()!.outbox.lastError).toMatchObject({ kind: 'timeout' });
    expect(await storedMetrics(rig.server, id)).toEqual(logged);
  });
});
