/**
 * The seed's examples (Polyaxon's Python `Experiment` docs), each against the local server and
 * checked by what the server holds afterwards.
 */
import { execFileSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CodeRef } from '../../src/index.node';
import { closeExperiments, delivered, ensureProject, experimentOn, serverView } from '../fixtures/experiment-setup';
import { startLocalServer, type LocalServer } from '../helpers/local-server';

let local: LocalServer;

beforeEach(async () => {
  local = await startLocalServer({ users: { user2: 'token2' } });
  await ensureProject(local.client, 'mnist');
});

afterEach(async () => {
  await closeExperiments();
  await local.close();
});

async function created(options: Parameters<typeof experimentOn>[1] = {}, createOptions = {}) {
  const experiment = await experimentOn(local, options).create(createOptions);
  expect(experiment.id).toBeTypeOf('number');
  return experiment;
}

async function view(experiment: { id: number | undefined }, project = 'mnist', user = local.user) {
  return serverView(local.client, user, project, experiment.id!);
}

describe('Experiment: the seed examples against the local server', () => {
  it('create with tags and description', async () => {
    const experiment = await created({}, { tags: ['tag1', 'tag2'], description: 'new description' });
    await delivered(experiment);
    const { experiment: held } = await view(experiment);
    expect(held.tags).toEqual(['tag1', 'tag2']);
    expect(held.description).toBe('new description');
    expect(held.is_managed).toBe(false);
    expect(held.backend).toBe('other');
    expect(held.project).toBe(`${local.user}.mnist`);
  });

  it('create with a name', async () => {
    const experiment = await created({}, { name: 'new-name' });
    await delivered(experiment);
    expect((await view(experiment)).experiment.name).toBe('new-name');
  });

  it('set name', async () => {
    const experiment = await created();
    experiment.setName('new-name');
    await delivered(experiment);
    expect((await view(experiment)).experiment.name).toBe('new-name');
  });

  it('set description', async () => {
    const experiment = await created();
    experiment.setDescription('new description');
    await delivered(experiment);
    expect((await view(experiment)).experiment.description).toBe('new description');
  });

  it('log tags: append, then reset', async () => {
    const experiment = await created({}, { tags: ['tag1'] });
    experiment.logTags(['foo', 'bar']);
    experiment.logTags('bar, baz');
    await delivered(experiment);
    expect((await view(experiment)).experiment.tags).toEqual(['tag1', 'foo', 'bar', 'baz']);
    experiment.logTags(['foo', 'bar'], { reset: true });
    await delivered(experiment);
    expect((await view(experiment)).experiment.tags).toEqual(['foo', 'bar']);
  });

  it('log run env: the Node fields, no environment variables', async () => {
    const experiment = await created({ trackEnv: false });
    await experiment.logRunEnv();
    await delivered(experiment);
    const runEnv = (await view(experiment)).experiment.run_env as Record<string, unknown>;
    expect(runEnv).toMatchObject({ pid: process.pid, is_notebook: false, node_version: process.versions.node });
    expect(Object.keys(runEnv)).toEqual(expect.arrayContaining(['hostname', 'os', 'system', 'user', 'client_version', 'argv', 'packages']));
    expect(JSON.stringify(runEnv)).not.toContain(local.token);
    expect(Object.keys(runEnv)).not.toContain('env');
  });

  it('log code ref: the one given, and the repository at create with trackGit', async () => {
    const experiment = await created({ trackGit: true });
    await delivered(experiment);
    const atCreate = await local.client.experiment.getCodeReference(local.user, 'mnist', experiment.id!);
    // Others may commit while the test runs: the commit is one of this repository's recent ones.
    const recent = execFileSync('git', ['log', '-n', '50', '--format=%H'], { encoding: 'utf8' }).split('\n');
    expect(recent).toContain(atCreate.commit);
    expect(atCreate.head).toBe(atCreate.commit);
    expect(typeof atCreate.is_dirty).toBe('boolean');

    const given: CodeRef = { commit: 'a'.repeat(40), head: 'a'.repeat(40), branch: 'feature', git_url: 'https://example.com/repo.git', is_dirty: true };
    await experiment.logCodeRef(given);
    await delivered(experiment);
    expect(await local.client.experiment.getCodeReference(local.user, 'mnist', experiment.id!)).toMatchObject(given);
  });

  it('log status with message and traceback', async () => {
    const experiment = await created();
    experiment.logStatus('warning', 'disk almost full', 'Traceback: line 1');
    await delivered(experiment);
    const { statusRows, experiment: held } = await view(experiment);
    expect(held.last_status).toBe('warning');
    expect(statusRows.at(-1)).toMatchObject({ status: 'warning', message: 'disk almost full', traceback: 'Traceback: line 1' });
  });

  it.each([
    ['stop', 'stopped'],
    ['succeeded', 'succeeded'],
    ['failed', 'failed'],
  ] as const)('%s ends the run; later end calls do nothing', async (method, status) => {
    const experiment = await created();
    experiment[method]();
    experiment.succeeded();
    experiment.failed('too late');
    experiment.stop();
    await delivered(experiment);
    const { statuses, experiment: held } = await view(experiment);
    expect(statuses).toEqual(['created', 'running', status]);
    expect(held.last_status).toBe(status);
    expect(held.finished_at).toBeTruthy();
    expect(experiment.isRunning).toBe(false);
  });

  it('failed with a message and traceback', async () => {
    const experiment = await created();
    experiment.failed('exploded', 'Traceback (most recent call last)');
    await delivered(experiment);
    expect((await view(experiment)).statusRows.at(-1)).toMatchObject({ status: 'failed', message: 'exploded', traceback: 'Traceback (most recent call last)' });
  });

  it('log metrics with step: the server lists them in order and merges last_metric', async () => {
    const experiment = await created();
    experiment.logMetrics({ step: 1, loss: 0.3, accuracy: 0.9 });
    experiment.logMetrics({ step: 2, loss: 0.2, accuracy: 0.95 });
    experiment.logMetrics({ step: 3, loss: 0.1 });
    await delivered(experiment);
    const { metrics, experiment: held } = await view(experiment);
    expect(metrics.map((metric) => metric.values)).toEqual([
      { step: 1, loss: 0.3, accuracy: 0.9 },
      { step: 2, loss: 0.2, accuracy: 0.95 },
      { step: 3, loss: 0.1 },
    ]);
    expect(held.last_metric).toEqual({ step: 3, loss: 0.1, accuracy: 0.95 });
  });

  it('log params: append, then reset', async () => {
    const experiment = await created();
    experiment.logParams({ lr: 0.01, batch_size: 32 });
    experiment.logParams({ lr: 0.001, optimizer: 'adam' });
    await delivered(experiment);
    expect((await view(experiment)).experiment.params).toEqual({ lr: 0.001, batch_size: 32, optimizer: 'adam' });
    experiment.logParams({ dropout: 0.5 }, { reset: true });
    await delivered(experiment);
    expect((await view(experiment)).experiment.params).toEqual({ dropout: 0.5 });
  });

  it("log data refs: append, then reset; hashes equal the Python client's", async () => {
    const experiment = await created();
    await experiment.logDataRef({ data: 'dataset1', dataName: 'train' });
    await experiment.logDataRef({ data: [1, 2, 3], dataName: 'list' });
    await experiment.logDataRef({ data: { a: 1 } });
    await delivered(experiment);
    expect((await view(experiment)).experiment.data_refs).toEqual({ train: '9de96ebd8d30', list: '49a5a960c571', data: '5268827fe25d' });
    await experiment.logDataRef({ data: 'dataset1', dataName: 'only', reset: true });
    await delivered(experiment);
    expect((await view(experiment)).experiment.data_refs).toEqual({ only: '9de96ebd8d30' });
  });

  it("tracks outside the cluster into another user's project (user2/t2t)", async () => {
    const user2 = local.clientFor('token2');
    await ensureProject(user2, 't2t');
    const experiment = await created({ project: 'user2/t2t' }, { name: 'from-local' });
    experiment.logMetrics({ step: 1, loss: 1 });
    experiment.succeeded();
    await delivered(experiment);
    const held = await serverView(user2, 'user2', 't2t', experiment.id!);
    expect(held.experiment.project).toBe('user2.t2t');
    expect(held.experiment.name).toBe('from-local');
    expect(held.metrics.map((metric) => metric.values)).toEqual([{ step: 1, loss: 1 }]);
    expect(held.statuses).toEqual(['created', 'running', 'succeeded']);
  });

  it('user.name is the same project as user/name', async () => {
    const user2 = local.clientFor('token2');
    await ensureProject(user2, 't2t');
    const experiment = await created({ project: 'user2.t2t' });
    await delivered(experiment);
    expect((await user2.experiment.get('user2', 't2t', experiment.id!)).project).toBe('user2.t2t');
  });

  it('createProject, then an experiment in it', async () => {
    const project = await local.client.project.createProject({ name: 'fresh', description: 'a new project' });
    expect(project).toMatchObject({ name: 'fresh', description: 'a new project' });
    const experiment = await created({ project: 'fresh' });
    await delivered(experiment);
    const listed = await local.client.project.listExperiments(local.user, 'fresh');
    expect(listed.results.map((row) => row.id)).toEqual([experiment.id]);
  });
});
