/**
 * F09 at the node level: `create()` with the server down resolves after `createTimeoutMs` with no
 * id, the run goes on offline, and once the server is up the create and everything after it
 * arrive in order. A refused create (400, 401, 404) rejects at once with a clear error.
 */
import { rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { PolyaxonError, type Experiment } from '../../src/index.node';
import { closeExperiments, delivered, ensureProject, experimentOn, serverView } from '../fixtures/experiment-setup';
import {
  clientFor,
  reserveFreePort,
  startLocalServer,
  startRecordingProxy,
  tempFolder,
  TEST_TOKEN,
  type LocalServer,
  type RecordingProxy,
} from '../helpers/local-server';

const cleanups: Array<() => Promise<unknown>> = [];

afterEach(async () => {
  await closeExperiments();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serverAt(options: Parameters<typeof startLocalServer>[0]): Promise<LocalServer> {
  const local = await startLocalServer(options);
  cleanups.push(() => local.close());
  return local;
}

/** Settles within `timeoutMs` or fails the test (instead of hanging until the test timeout). */
function within<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  return Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} did not settle within ${timeoutMs} ms`)), timeoutMs))]);
}

describe('F09 offline at create()', () => {
  it('resolves after createTimeoutMs without an id; create, metrics and statuses arrive in order once the server is up', async () => {
    const port = await reserveFreePort();
    const dataDir = await tempFolder('pxt-exp-offline-data-');
    const outboxDir = await tempFolder('pxt-exp-offline-outbox-');
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }), () => rm(outboxDir, { recursive: true, force: true }));
    // The project exists on the server; the server is then down while the run starts.
    const before = await startLocalServer({ port, dataDir, outboxDir });
    await ensureProject(before.client, 'mnist');
    await before.server.close();

    const experiment = experimentOn({ client: clientFor(port, TEST_TOKEN), outboxDir }, { createTimeoutMs: 400, trackEnv: false });
    let createdId: number | undefined;
    void experiment.whenCreated.then((id) => (createdId = id));
    const startedAt = Date.now();
    await experiment.create({ name: 'offline-run', tags: ['offline'] });
    const elapsedMs = Date.now() - startedAt;
    expect(elapsedMs).toBeGreaterThanOrEqual(350);
    // A bound on the wait, not on the machine: well under the 10 s a refused create waits below.
    expect(elapsedMs).toBeLessThan(4_000);
    expect(experiment.id).toBeUndefined();
    expect(experiment.isRunning).toBe(true);

    for (let step = 1; step <= 20; step++) experiment.logMetrics({ step, loss: 1 / step });
    experiment.logParams({ lr: 0.01 });
    experiment.succeeded();
    expect(await experiment.flush({ timeoutMs: 200 })).toBe(false);
    expect(createdId).toBeUndefined();

    const after = await serverAt({ port, dataDir, outboxDir });
    const id = await within(experiment.whenCreated, 20_000, 'whenCreated');
    expect(experiment.id).toBe(id);
    await delivered(experiment, 20_000);

    const { experiment: held, metrics, statusRows } = await serverView(after.client, after.user, 'mnist', id);
    expect(held).toMatchObject({ name: 'offline-run', tags: ['offline'], params: { lr: 0.01 }, last_status: 'succeeded' });
    expect(metrics.map((metric) => metric.values)).toEqual(Array.from({ length: 20 }, (_, index) => ({ step: index + 1, loss: 1 / (index + 1) })));
    expect(statusRows.map((row) => row.status)).toEqual(['created', 'running', 'succeeded']);
    // The final status came after every metric (per-experiment order).
    const lastMetricAt = Math.max(...metrics.map((metric) => Date.parse(String(metric.created_at).replace(' ', 'T'))));
    expect(Date.parse(String(statusRows[2].created_at).replace(' ', 'T'))).toBeGreaterThanOrEqual(lastMetricAt);
    expect((await after.client.project.listExperiments(after.user, 'mnist')).count).toBe(1);
  }, 60_000);
});

describe('a refused create rejects at once', () => {
  let proxy: RecordingProxy;

  async function scripted(status: number, body: unknown): Promise<LocalServer> {
    const local = await serverAt({});
    await ensureProject(local.client, 'mnist');
    proxy = await startRecordingProxy(local.port, (request) => (request.method === 'POST' && request.path.endsWith('/experiments/') ? { status, body } : undefined));
    cleanups.push(() => proxy.close());
    return local;
  }

  async function rejection(experiment: Experiment): Promise<{ error: unknown; elapsedMs: number }> {
    const startedAt = Date.now();
    const error = await within(experiment.create().then(() => undefined, (thrown: unknown) => thrown), 8_000, 'create');
    return { error, elapsedMs: Date.now() - startedAt };
  }

  it('400: rejects with the server message well before createTimeoutMs; the run is not running', async () => {
    const local = await scripted(400, { non_field_errors: ['experiment refused for this test'] });
    const experiment = experimentOn(local, { client: clientFor(proxy.port, local.token), createTimeoutMs: 10_000 });
    const { error, elapsedMs } = await rejection(experiment);
    expect(elapsedMs).toBeLessThan(5_000);
    expect(error).toBeInstanceOf(PolyaxonError);
    expect(error).toMatchObject({ status: 400 });
    expect(String((error as Error).message) + (error as PolyaxonError).serverMessage).toContain('experiment refused for this test');
    expect(experiment.isRunning).toBe(false);
    await expect(experiment.whenCreated).rejects.toBe(error);
    // Later calls go nowhere and do not throw.
    experiment.logMetrics({ loss: 1 });
    experiment.succeeded();
    expect(await experiment.flush({ timeoutMs: 2_000 })).toBe(true);
    expect(proxy.matching('/metrics/')).toHaveLength(0);
  });

  it('F36 404: a project that does not exist is created (createProject, the default), and the create goes through', async () => {
    const local = await serverAt({});
    const experiment = experimentOn(local, { project: 'missing', createTimeoutMs: 10_000 });
    await within(experiment.create(), 8_000, 'create');
    expect(experiment.id).toBeTypeOf('number');
    expect(await local.client.project.getProject(local.user, 'missing')).toMatchObject({ name: 'missing', user: local.user });
  });

  it.each(['mnist', 'local/mnist'])('401: a wrong token rejects with an unauthenticated error (project %s)', async (project) => {
    const local = await serverAt({});
    await ensureProject(local.client, 'mnist');
    const experiment = experimentOn(local, { client: clientFor(local.port, 'wrong-token'), project, createTimeoutMs: 10_000 });
    const { error, elapsedMs } = await rejection(experiment);
    expect(elapsedMs).toBeLessThan(5_000);
    expect(error).toBeInstanceOf(PolyaxonError);
    expect(error).toMatchObject({ status: 401, kind: 'unauthenticated' });
    expect(String((error as Error).message)).not.toContain('wrong-token');
    expect(experiment.isRunning).toBe(false);
    expect((await local.client.project.listExperiments(local.user, 'mnist')).count).toBe(0);
    // create() said the experiment does not exist: a good token later must not create it.
    experiment.client.setToken(local.token);
    expect(await experiment.close({ timeoutMs: 5_000 })).toBe(true);
    expect((await local.client.project.listExperiments(local.user, 'mnist')).count).toBe(0);
    expect(experiment.stats()?.outbox.dropped.run_rejected).toBeGreaterThan(0);
  });

  it('401: a second create with the same refused token rejects at once too (the queue is paused)', async () => {
    const local = await serverAt({});
    await ensureProject(local.client, 'mnist');
    const client = clientFor(local.port, 'wrong-token');
    const first = experimentOn(local, { client, createTimeoutMs: 10_000 });
    await rejection(first);
    const second = experimentOn(local, { client, createTimeoutMs: 10_000, trackEnv: false });
    const { error, elapsedMs } = await rejection(second);
    expect(elapsedMs).toBeLessThan(1_000);
    expect(error).toMatchObject({ status: 401, kind: 'unauthenticated' });
    await Promise.all([first.close({ timeoutMs: 100 }), second.close({ timeoutMs: 100 })]);
  });
});
