/**
 * Experiment behaviours around the calls: POLYAXON_NO_OP, strict and non-strict refusals (F21),
 * close twice and calls after close (F20), a re-run notebook cell ending the previous run.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Experiment, ValidationError } from '../../src/index.node';
import { logger } from '../../src/runtime/logger';
import { installedEnvironment } from '../../src/runtime/installed';
import { closeExperiments, delivered, ensureProject, experimentOn, serverView, startMnistServer } from '../fixtures/experiment-setup';
import { clientFor, startRecordingProxy, type LocalServer, type RecordingProxy } from '../helpers/local-server';

let local: LocalServer;
let proxy: RecordingProxy;

beforeEach(async () => {
  logger.resetWarnings();
  local = await startMnistServer();
  proxy = await startRecordingProxy(local.port);
});

afterEach(async () => {
  vi.restoreAllMocks();
  await closeExperiments();
  await proxy.close();
  await local.close();
});

function libraryWarnings(spy: { mock: { calls: unknown[][] } }): string[] {
  return spy.mock.calls.map((call) => String(call[0])).filter((line) => line.startsWith('[polyaxon-tracking]'));
}

describe('POLYAXON_NO_OP', () => {
  it('makes every call do nothing and sends no request', async () => {
    const runEnv = vi.spyOn(installedEnvironment(), 'runEnv');
    const codeRef = vi.spyOn(installedEnvironment(), 'codeRef');
    const client = clientFor(proxy.port, local.token, { env: { POLYAXON_NO_OP: 'true' } });
    // No project either: a no-op experiment needs nothing.
    const experiment = new Experiment({ client, outbox: { directory: local.outboxDir } });
    expect(await experiment.create({ name: 'ignored' })).toBe(experiment);
    experiment.setName('x');
    experiment.setDescription('y');
    experiment.logTags(['t']);
    experiment.logParams({ lr: 1 });
    experiment.logMetrics({ step: 1, loss: 1 });
    await experiment.logDataRef({ data: 'dataset1' });
    await experiment.logRunEnv();
    await experiment.logCodeRef();
    experiment.logStatus('running');
    experiment.succeeded();
    experiment.failed();
    experiment.stop();
    expect(await experiment.flush({ timeoutMs: 1_000 })).toBe(true);
    expect(await experiment.close({ timeoutMs: 1_000 })).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(proxy.requests).toEqual([]);
    expect(runEnv).not.toHaveBeenCalled();
    expect(codeRef).not.toHaveBeenCalled();
    expect(experiment.id).toBeUndefined();
    expect((await local.client.project.listExperiments(local.user, 'mnist')).count).toBe(0);
  });

  it('is read from the process environment too', async () => {
    process.env.POLYAXON_NO_OP = '1';
    try {
      const experiment = new Experiment({ client: undefined, outbox: { directory: local.outboxDir } });
      await experiment.create();
      experiment.logMetrics({ loss: 1 });
      expect(experiment.stats()).toBeUndefined();
    } finally {
      delete process.env.POLYAXON_NO_OP;
    }
  });
});

describe('F21 refused input through the Experiment', () => {
  it('strict (default): a bad metric throws a ValidationError naming the field; nothing is queued', async () => {
    const experiment = await experimentOn(local).create();
    await delivered(experiment);
    const pendingBefore = experiment.stats()!.outbox.pending;
    let thrown: unknown;
    try {
      experiment.logMetrics({ step: 1, loss: Number.NaN });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ValidationError);
    expect((thrown as ValidationError).field).toBe('metrics.loss');
    expect((thrown as ValidationError).message).toContain('finite number');
    expect(experiment.stats()!.outbox.pending).toBe(pendingBefore);
    expect(() => experiment.setName('not a slug')).toThrow(ValidationError);
    expect(() => experiment.logTags(['ok', ''])).toThrow(/tags/);
  });

  it('strict: an invalid name or tags at create are refused before any request', async () => {
    const experiment = experimentOn(local, { client: clientFor(proxy.port, local.token) });
    await expect(experiment.create({ name: 'admin' })).rejects.toMatchObject({ name: 'ValidationError', field: 'name' });
    await expect(experiment.create({ tags: [''] as string[] })).rejects.toMatchObject({ field: expect.stringMatching(/^tags/) });
    expect(proxy.requests).toEqual([]);
  });

  it('strict: false warns once, queues nothing, and training goes on', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const experiment = await experimentOn(local, { strict: false }).create();
    // A loss that went NaN stays NaN for the rest of training: one warning, not one per step.
    for (let step = 1; step <= 50; step++) experiment.logMetrics({ step, loss: Number.NaN });
    experiment.logMetrics({ step: 51, loss: 0.5 });
    experiment.setName('not a slug');
    await delivered(experiment);
    const warnings = libraryWarnings(warn);
    expect(warnings.filter((line) => line.includes('metrics.loss'))).toHaveLength(1);
    expect(warnings.filter((line) => line.includes('name'))).toHaveLength(1);
    const { metrics, experiment: held } = await serverView(local.client, local.user, 'mnist', experiment.id!);
    expect(metrics.map((metric) => metric.values)).toEqual([{ step: 51, loss: 0.5 }]);
    expect(held.name).toBeNull();
  });
});

describe('F20 close through the Experiment', () => {
  it('close() twice gives the same result; later calls are ignored with one warning', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const experiment = await experimentOn(local).create();
    experiment.logMetrics({ step: 1, loss: 1 });
    const first = experiment.close({ timeoutMs: 5_000 });
    const second = experiment.close({ timeoutMs: 5_000 });
    expect(second).toBe(first);
    expect(await first).toBe(true);
    expect(await experiment.close()).toBe(true);

    experiment.logMetrics({ step: 2, loss: 2 });
    experiment.logMetrics({ step: 3, loss: 3 });
    experiment.setName('late');
    experiment.logStatus('failed', 'late');
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(libraryWarnings(warn).filter((line) => line.includes('after experiment.close()'))).toHaveLength(1);
    const { metrics, statuses, experiment: held } = await serverView(local.client, local.user, 'mnist', experiment.id!);
    expect(metrics.map((metric) => metric.values)).toEqual([{ step: 1, loss: 1 }]);
    // close() itself ended the run as a normal exit would (F44); the late status never left.
    expect(statuses).toEqual(['created', 'running', 'succeeded']);
    expect(held.name).toBeNull();
  });
});

describe('notebook re-run (endPrevious)', () => {
  it('a second create with the same project and name (the re-run cell) stops the first', async () => {
    const first = await experimentOn(local, { endPrevious: true }).create({ name: 'cell-1' });
    const second = await experimentOn(local, { endPrevious: true }).create({ name: 'cell-1' });
    await delivered(second);
    expect(first.isRunning).toBe(false);
    expect(second.isRunning).toBe(true);
    const firstView = await serverView(local.client, local.user, 'mnist', first.id!);
    expect(firstView.statuses).toEqual(['created', 'running', 'stopped']);
    expect(firstView.statusRows.at(-1)?.message).toBe('superseded by a new run');
    expect((await serverView(local.client, local.user, 'mnist', second.id!)).statuses).toEqual(['created', 'running']);
  });

  it("another cell's run still training is never stopped (another name, or no name)", async () => {
    const training = await experimentOn(local, { endPrevious: true }).create({ name: 'cell-1' });
    const unnamed = await experimentOn(local, { endPrevious: true }).create();
    const other = await experimentOn(local, { endPrevious: true }).create({ name: 'cell-2' });
    await experimentOn(local, { endPrevious: true }).create();
    await delivered(other);
    expect([training.isRunning, unnamed.isRunning, other.isRunning]).toEqual([true, true, true]);
    expect((await serverView(local.client, local.user, 'mnist', training.id!)).statuses).toEqual(['created', 'running']);
  });

  it('without endPrevious (the Node default) both runs go on', async () => {
    const first = await experimentOn(local).create({ name: 'cell-1' });
    const second = await experimentOn(local).create({ name: 'cell-1' });
    await delivered(second);
    expect(first.isRunning).toBe(true);
    expect((await serverView(local.client, local.user, 'mnist', first.id!)).statuses).toEqual(['created', 'running']);
  });

  it('a run of another project is not stopped', async () => {
    await ensureProject(local.client, 'other');
    const first = await experimentOn(local, { endPrevious: true, project: 'other' }).create({ name: 'cell-1' });
    await experimentOn(local, { endPrevious: true }).create({ name: 'cell-1' });
    expect(first.isRunning).toBe(true);
  });
});
