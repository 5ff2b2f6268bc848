/**
 * In the cluster (POLYAXON_IS_MANAGED): the experiment already exists on the server; `Experiment()`
 * without a project tracks into the one POLYAXON_EXPERIMENT_INFO names, with the token of the
 * run, and sends no status of its own (polyaxon-v0-api.md, "Outside vs inside the cluster").
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Experiment } from '../../src/index.node';
import { delivered, serverView, startMnistServer } from '../fixtures/experiment-setup';
import { startRecordingProxy, type LocalServer, type RecordingProxy } from '../helpers/local-server';

let local: LocalServer;
let proxy: RecordingProxy;
let experimentId: number;
const opened: Experiment[] = [];
const savedEnv = { ...process.env };

function managedEnv(variables: Record<string, string>): void {
  Object.assign(process.env, {
    POLYAXON_IS_MANAGED: 'true',
    POLYAXON_EXPERIMENT_INFO: JSON.stringify({
      project_name: `${local.user}.mnist`,
      experiment_group_name: null,
      experiment_name: `${local.user}.mnist.${experimentId}`,
      project_uuid: 'a'.repeat(32),
      experiment_group_uuid: null,
      experiment_uuid: 'b'.repeat(32),
    }),
    POLYAXON_SECRET_USER_TOKEN: local.token,
    POLYAXON_OUTBOX_DIR: local.outboxDir,
    ...variables,
  });
}

function track(experiment: Experiment): Experiment {
  opened.push(experiment);
  return experiment;
}

beforeEach(async () => {
  local = await startMnistServer();
  experimentId = (await local.client.project.createExperiment(local.user, 'mnist', { name: 'scheduled' })).id!;
  // The platform started the run before the code runs.
  await local.client.experiment.createStatus(local.user, 'mnist', experimentId, { status: 'running' });
  proxy = await startRecordingProxy(local.port);
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((experiment) => experiment.close({ timeoutMs: 5_000 })));
  for (const name of Object.keys(process.env)) if (!(name in savedEnv)) delete process.env[name];
  Object.assign(process.env, savedEnv);
  await proxy.close();
  await local.close();
});

describe('Experiment in the cluster', () => {
  it('Experiment() without a project tracks into POLYAXON_EXPERIMENT_INFO with the run token; no statuses of its own', async () => {
    managedEnv({ POLYAXON_API_HTTP_HOST: `http://127.0.0.1:${proxy.port}` });
    const experiment = track(new Experiment());
    expect(experiment.isManaged).toBe(true);
    expect(experiment.id).toBe(experimentId);
    expect(await experiment.whenCreated).toBe(experimentId);
    experiment.logMetrics({ step: 1, loss: 0.5 });
    experiment.logMetrics({ step: 2, loss: 0.25 });
    experiment.logParams({ lr: 0.1 });
    await delivered(experiment);

    const { metrics, statuses, experiment: held } = await serverView(local.client, local.user, 'mnist', experimentId);
    expect(metrics.map((metric) => metric.values)).toEqual([
      { step: 1, loss: 0.5 },
      { step: 2, loss: 0.25 },
    ]);
    expect(held.params).toEqual({ lr: 0.1 });
    expect(statuses).toEqual(['created', 'running']);
    expect(proxy.matching('/experiments/', 'POST').filter((request) => request.path.endsWith('/experiments/'))).toHaveLength(0);
    expect(proxy.matching('/statuses/')).toHaveLength(0);
    expect(proxy.matching('/coderef/')).toHaveLength(0);
    for (const request of proxy.requests) expect(request.headers.authorization).toBe(`Token ${local.token}`);
  });

  it('normal exit and a crash send no status for a managed run', async () => {
    managedEnv({ POLYAXON_API_HTTP_HOST: `http://127.0.0.1:${proxy.port}/` });
    const experiment = track(new Experiment({ outbox: { directory: local.outboxDir } }));
    experiment.logMetrics({ loss: 1 });
    experiment.endAtExit();
    experiment.endAtCrash(new Error('boom'));
    await delivered(experiment);
    expect(proxy.matching('/statuses/')).toHaveLength(0);
    expect(experiment.isRunning).toBe(true);
    expect((await serverView(local.client, local.user, 'mnist', experimentId)).statuses).toEqual(['created', 'running']);
  });

  it('POLYAXON_API_HOST and POLYAXON_HTTP_PORT when no POLYAXON_API_HTTP_HOST is given', async () => {
    managedEnv({ POLYAXON_API_HOST: '127.0.0.1', POLYAXON_HTTP_PORT: String(proxy.port) });
    const experiment = track(new Experiment({ outbox: { directory: local.outboxDir } }));
    experiment.logMetrics({ step: 1, accuracy: 0.9 });
    await delivered(experiment);
    expect(proxy.matching(`/api/v1/${local.user}/mnist/experiments/${experimentId}/metrics/`, 'POST')).toHaveLength(1);
    expect(experiment.client.settings.baseUrl).toBe(`http://127.0.0.1:${proxy.port}/api/v1`);
  });

  it('the internal header goes with every request when both variables are set', async () => {
    managedEnv({
      POLYAXON_API_HTTP_HOST: `http://127.0.0.1:${proxy.port}`,
      POLYAXON_INTERNAL_HEADER: 'X-POLYAXON-INTERNAL',
      POLYAXON_INTERNAL_HEADER_SERVICE: 'runner',
    });
    const experiment = track(new Experiment({ outbox: { directory: local.outboxDir } }));
    experiment.logMetrics({ loss: 1 });
    await delivered(experiment);
    expect(proxy.requests.length).toBeGreaterThan(0);
    for (const request of proxy.requests) expect(request.headers['x-polyaxon-internal']).toBe('runner');
  });

  it('an experiment in a group: the id is the last part of experiment_name', async () => {
    managedEnv({ POLYAXON_API_HTTP_HOST: `http://127.0.0.1:${proxy.port}` });
    process.env.POLYAXON_EXPERIMENT_INFO = JSON.stringify({ project_name: `${local.user}.mnist`, experiment_name: `${local.user}.mnist.7.${experimentId}` });
    const experiment = track(new Experiment({ outbox: { directory: local.outboxDir } }));
    expect(experiment.id).toBe(experimentId);
    expect(experiment.projectRef).toEqual({ user: local.user, project: 'mnist' });
  });

  it('refuses a missing or malformed POLYAXON_EXPERIMENT_INFO, naming the variable', () => {
    managedEnv({ POLYAXON_API_HTTP_HOST: `http://127.0.0.1:${proxy.port}` });
    process.env.POLYAXON_EXPERIMENT_INFO = '{not json';
    expect(() => new Experiment({ outbox: { directory: local.outboxDir } })).toThrow(/POLYAXON_EXPERIMENT_INFO/);
    delete process.env.POLYAXON_EXPERIMENT_INFO;
    expect(() => new Experiment({ outbox: { directory: local.outboxDir } })).toThrow(/POLYAXON_EXPERIMENT_INFO/);
  });
});
