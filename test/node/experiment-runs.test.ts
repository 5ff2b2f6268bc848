/**
 * Runs beyond the seed's examples: calls made while create() is still gathering context, an
 * existing experiment tracked by id, several runs sharing one server's queue, logs, Blob data
 * refs, and a create refused only once the server is back.
 */
import { rm } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { closeExperiments, delivered, experimentOn, serverView } from '../fixtures/experiment-setup';
import { mnistServerPerTest } from '../helpers/mnist-server-per-test';
import { clientFor, eventually, reserveFreePort, startLocalServer, startRecordingProxy, tempFolder, TEST_TOKEN, type LocalServer } from '../helpers/local-server';

let local: LocalServer;

mnistServerPerTest((started) => (local = started));

describe('Experiment runs', () => {
  it('calls made before create() resolves follow the create, in call order', async () => {
    const experiment = experimentOn(local, { trackEnv: true, trackGit: true });
    const creating = experiment.create({ name: 'eager' });
    experiment.logMetrics({ step: 1, loss: 1 });
    experiment.logParams({ lr: 0.5 });
    experiment.succeeded();
    await creating;
    await delivered(experiment);
    const { metrics, statuses, experiment: held } = await serverView(local.client, local.user, 'mnist', experiment.id!);
    expect(metrics.map((metric) => metric.values)).toEqual([{ step: 1, loss: 1 }]);
    expect(held.params).toEqual({ lr: 0.5 });
    expect(statuses).toEqual(['created', 'running', 'succeeded']);
  });

  it('experimentId tracks an experiment that already exists: no create, records go to it', async () => {
    const existing = await local.client.project.createExperiment(local.user, 'mnist', { name: 'existing' });
    const proxy = await startRecordingProxy(local.port);
    try {
      const experiment = experimentOn(local, { client: clientFor(proxy.port, local.token), experimentId: existing.id!, heartbeatIntervalMs: 30 });
      expect(experiment.id).toBe(existing.id);
      experiment.logMetrics({ step: 1, accuracy: 0.5 });
      experiment.logTags(['resumed']);
      await delivered(experiment);
      await eventually(() => proxy.matching(`/experiments/${existing.id}/_heartbeat/`, 'POST').length > 0, 5_000);
      expect(proxy.requests.filter((request) => request.method === 'POST' && request.path.endsWith('/experiments/'))).toHaveLength(0);
      const { metrics, experiment: held } = await serverView(local.client, local.user, 'mnist', existing.id!);
      expect(metrics.map((metric) => metric.values)).toEqual([{ step: 1, accuracy: 0.5 }]);
      expect(held.tags).toEqual(['resumed']);
    } finally {
      await closeExperiments();
      await proxy.close();
    }
  });

  it('two runs on one server share a queue; each run gets its own records', async () => {
    const [first, second] = await Promise.all([experimentOn(local).create({ name: 'first' }), experimentOn(local).create({ name: 'second' })]);
    for (let step = 0; step < 30; step++) {
      first.logMetrics({ step, which: 1 });
      second.logMetrics({ step, which: 2 });
    }
    first.succeeded();
    second.failed('diverged');
    await Promise.all([delivered(first), delivered(second)]);
    expect(first.queue).toBe(second.queue);
    const one = await serverView(local.client, local.user, 'mnist', first.id!);
    const two = await serverView(local.client, local.user, 'mnist', second.id!);
    const steps = Array.from({ length: 30 }, (_, step) => step);
    // Every point of each (metrics come 300,000 a page), in order, none of the other run's.
    expect(one.metrics.map((metric) => metric.values)).toEqual(steps.map((step) => ({ step, which: 1 })));
    expect(two.metrics.map((metric) => metric.values)).toEqual(steps.map((step) => ({ step, which: 2 })));
    expect(one.statuses.at(-1)).toBe('succeeded');
    expect(two.statusRows.at(-1)).toMatchObject({ status: 'failed', message: 'diverged' });
  });

  it('sendLogs posts log lines in the contract format', async () => {
    const experiment = await experimentOn(local).create();
    experiment.sendLogs(['epoch 1 done', 'epoch 2 done']);
    experiment.sendLogs('all done');
    await delivered(experiment);
    const text = await local.client.experiment.getLogs(local.user, 'mnist', experiment.id!);
    const lines = text.split('\n').filter(Boolean);
    expect(lines).toHaveLength(3);
    for (const [index, message] of ['epoch 1 done', 'epoch 2 done', 'all done'].entries()) {
      expect(lines[index]).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC INFO -- ${message}$`));
    }
  });

  it('trackLogs mirrors console lines into the run, and stops once the run ended', async () => {
    const experiment = await experimentOn(local, { trackLogs: true }).create();
    console.log('captured line', 42);
    experiment.succeeded();
    console.log('after the end');
    await delivered(experiment);
    const text = await local.client.experiment.getLogs(local.user, 'mnist', experiment.id!);
    expect(text).toMatch(/ -- captured line 42$/m);
    expect(text).not.toContain('after the end');
  });

  it('a Blob data ref is hashed from its bytes, the same as the bytes themselves', async () => {
    const experiment = await experimentOn(local).create();
    const bytes = new TextEncoder().encode('dataset1');
    await experiment.logDataRef({ data: new Blob([bytes]), dataName: 'blob' });
    await experiment.logDataRef({ data: bytes, dataName: 'bytes' });
    await delivered(experiment);
    const refs = (await serverView(local.client, local.user, 'mnist', experiment.id!)).experiment.data_refs as Record<string, string>;
    expect(refs.blob).toMatch(/^[0-9a-f]{12}$/);
    expect(refs.blob).toBe(refs.bytes);
  });

  it('F36 offline at create, and the project missing once the server is back: it is created (createProject) and the run and its point arrive', async () => {
    const port = await reserveFreePort();
    const outboxDir = await tempFolder('pxt-exp-refused-outbox-');
    const experiment = experimentOn({ client: clientFor(port, TEST_TOKEN), outboxDir }, { project: 'missing', createTimeoutMs: 300 });
    await experiment.create();
    expect(experiment.id).toBeUndefined();
    experiment.logMetrics({ loss: 1 });
    const later = await startLocalServer({ port, outboxDir });
    try {
      const id = await experiment.whenCreated;
      expect(experiment.isRunning).toBe(true);
      expect(await experiment.flush({ timeoutMs: 10_000 })).toBe(true);
      expect(Object.values(experiment.stats()!.outbox.dropped).every((count) => count === 0)).toBe(true);
      const { metrics } = await serverView(later.client, later.user, 'missing', id);
      expect(metrics.map((metric) => metric.values)).toEqual([{ loss: 1 }]);
    } finally {
      await closeExperiments();
      await later.close();
      await rm(outboxDir, { recursive: true, force: true });
    }
  });
});
