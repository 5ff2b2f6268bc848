import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PolyaxonClient } from '../../src/client/client';
import { PolyaxonError } from '../../src/runtime/errors';
import { startServer } from '../../src/server/index';
import { failure } from '../helpers/polyaxon-error';

/** PolyaxonClient against the embedded local server: every endpoint and the contract's semantics. */
type Server = Awaited<ReturnType<typeof startServer>>;

let server: Server;
let dataDir: string;
let client: PolyaxonClient;
let user: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'plx-client-'));
  server = await startServer({ port: 0, dataDir, user: 'local', users: { other: 'other-token' }, quiet: true });
  client = clientFor(server.token);
  user = server.user;
});
afterAll(async () => {
  await server?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

function clientFor(token: string | undefined): PolyaxonClient {
  return new PolyaxonClient({ host: server.host, port: server.port, token, env: {} });
}

let projectCount = 0;
/** A fresh project per test, so tests never see each other's experiments. */
async function freshProject(): Promise<string> {
  projectCount += 1;
  const name = `proj-${projectCount}`;
  await client.project.createProject({ name });
  return name;
}

describe('users and auth', () => {
  it('who am I answers the token owner', async () => {
    expect(await client.auth.getUser()).toMatchObject({ username: 'local' });
    expect(await clientFor('other-token').auth.getUser()).toMatchObject({ username: 'other' });
  });

  it('login takes form fields, answers the token and the client uses it', async () => {
    const anonymous = clientFor(undefined);
    expect(await anonymous.auth.login({ username: 'other', password: 'other-token' })).toBe('other-token');
    expect(anonymous.settings.token).toBe('other-token');
    expect((await anonymous.auth.getUser()).username).toBe('other');
  });

  it('bad credentials are a 400 with the non-field message', async () => {
    const error = await failure(clientFor(undefined).auth.login({ username: 'local', password: 'wrong' }));
    expect(error).toMatchObject({ kind: 'bad_request', status: 400, serverMessage: 'Unable to log in with provided credentials.' });
  });

  it('a missing or wrong token is unauthenticated, with the server detail', async () => {
    expect(await failure(clientFor(undefined).auth.getUser())).toMatchObject({
      kind: 'unauthenticated',
      status: 401,
      serverMessage: 'Authentication credentials were not provided.',
    });
    expect(await failure(clientFor('wrong').auth.getUser())).toMatchObject({ kind: 'unauthenticated', serverMessage: 'Invalid token.' });
  });

  it('an in-cluster client reaches the server through POLYAXON_API_HTTP_HOST', async () => {
    const inCluster = new PolyaxonClient({
      env: {
        POLYAXON_IS_MANAGED: 'true',
        POLYAXON_API_HTTP_HOST: `http://${server.host}:${server.port}`,
        POLYAXON_INTERNAL_HEADER: 'X-POLYAXON-INTERNAL',
        POLYAXON_INTERNAL_HEADER_SERVICE: 'runner',
        POLYAXON_AUTHENTICATION_TYPE: 'Internaltoken',
        POLYAXON_SECRET_USER_TOKEN: server.token,
      },
    });
    expect((await inCluster.auth.getUser()).username).toBe('local');
  });
});

describe('projects', () => {
  it('create, get, list, delete', async () => {
    const created = await client.project.createProject({ name: 'vision', description: 'cats', tags: ['cv'], is_public: false });
    expect(created).toMatchObject({ name: 'vision', user, unique_name: `${user}.vision`, description: 'cats', tags: ['cv'], is_public: false });
    expect(await client.project.getProject(user, 'vision')).toMatchObject({ name: 'vision', description: 'cats' });
    const listed = await client.project.listProjects(user);
    expect(listed.results.map((project) => project.name)).toContain('vision');
    expect(listed.count).toBe(listed.results.length);
    await client.project.deleteProject(user, 'vision');
    expect((await failure(client.project.getProject(user, 'vision'))).kind).toBe('not_found');
  });

  it('PATCH merges tags with merge: true and replaces them without', async () => {
    await client.project.createProject({ name: 'tagged', tags: ['a', 'b'] });
    expect((await client.project.updateProject(user, 'tagged', { tags: ['b', 'c'], merge: true })).tags).toEqual(['a', 'b', 'c']);
    expect((await client.project.updateProject(user, 'tagged', { tags: ['z'] })).tags).toEqual(['z']);
    expect((await client.project.updateProject(user, 'tagged', { tags: ['y'], merge: false })).tags).toEqual(['y']);
    expect((await client.project.updateProject(user, 'tagged', { description: 'now described' })).description).toBe('now described');
    expect((await client.project.getProject(user, 'tagged')).tags).toEqual(['y']);
  });

  it('a duplicate project name is refused with the field message', async () => {
    await client.project.createProject({ name: 'twice' });
    const error = await failure(client.project.createProject({ name: 'twice' }));
    expect(error.kind).toBe('bad_request');
    expect(error.serverMessage).toMatch(/^name: /);
  });

  it("another user may read a public project but not write to it; a private one is forbidden", async () => {
    const other = clientFor('other-token');
    await client.project.createProject({ name: 'open-proj', is_public: true });
    await client.project.createProject({ name: 'closed-proj', is_public: false });
    expect((await other.project.getProject(user, 'open-proj')).name).toBe('open-proj');
    expect((await failure(other.project.createExperiment(user, 'open-proj'))).kind).toBe('forbidden');
    expect((await failure(other.project.getProject(user, 'closed-proj'))).kind).toBe('forbidden');
  });

  it('an unknown project or user is not found', async () => {
    expect((await failure(client.project.getProject(user, 'no-such-project'))).kind).toBe('not_found');
    expect((await failure(client.project.listExperiments('nobody', 'nothing'))).kind).toBe('not_found');
  });
});

describe('experiments', () => {
  it('create answers the create fields (no uuid, no status); get adds the detail fields', async () => {
    const project = await freshProject();
    const created = await client.project.createExperiment(user, project, { name: 'first', description: 'd', tags: ['x'], framework: 'tfjs' });
    expect(created).toMatchObject({
      unique_name: `${user}.${project}.${created.id}`,
      project: `${user}.${project}`,
      user,
      name: 'first',
      description: 'd',
      tags: ['x'],
      framework: 'tfjs',
      backend: 'other',
      is_managed: false,
    });
    expect(created).not.toHaveProperty('uuid');
    expect(created).not.toHaveProperty('last_status');
    const detail = await client.experiment.get(user, project, created.id);
    expect(detail.uuid).toMatch(/^[0-9a-f]{32}$/);
    expect(detail).toMatchObject({ id: created.id, name: 'first', last_status: 'created', started_at: null, finished_at: null });
    expect(detail).toHaveProperty('created_at');
    expect(detail).toHaveProperty('updated_at');
  });

  it('a managed create without content is refused with the server field message', async () => {
    const project = await freshProject();
    const error = await failure(client.project.createExperiment(user, project, { is_managed: true }));
    expect(error).toMatchObject({ kind: 'bad_request', status: 400, serverMessage: 'content: Experiment expects a `content`.' });
  });

  it('duplicate names are renamed name-<n> on create and on PATCH', async () => {
    const project = await freshProject();
    const names = [];
    for (let index = 0; index < 3; index += 1) names.push((await client.project.createExperiment(user, project, { name: 'trial' })).name);
    expect(names).toEqual(['trial', 'trial-1', 'trial-2']);
    const other = await client.project.createExperiment(user, project, { name: 'other' });
    expect((await client.experiment.update(user, project, other.id, { name: 'trial' })).name).toBe('trial-3');
    // Polyaxon 0.6.1 counts an experiment's own name as taken too (api/utils/serializers/names.py).
    expect((await client.experiment.update(user, project, other.id, { name: 'trial-3' })).name).toBe('trial-3-1');
  });

  it('tags, params and data refs merge with merge: true and are replaced without', async () => {
    const project = await freshProject();
    const { id } = await client.project.createExperiment(user, project, { tags: ['a'] });
    const update = (patch: Parameters<PolyaxonClient['experiment']['update']>[3]) => client.experiment.update(user, project, id, patch);

    expect((await update({ tags: ['a', 'b'], merge: true })).tags).toEqual(['a', 'b']);
    expect((await update({ tags: ['c', 'a'], merge: true })).tags).toEqual(['a', 'b', 'c']);
    expect((await update({ tags: ['only'] })).tags).toEqual(['only']);

    expect((await update({ params: { lr: 0.1, batch: 32 }, merge: true })).params).toEqual({ lr: 0.1, batch: 32 });
    expect((await update({ params: { lr: 0.01, epochs: 5 }, merge: true })).params).toEqual({ lr: 0.01, batch: 32, epochs: 5 });
    expect((await update({ params: { dropout: 0.5 } })).params).toEqual({ dropout: 0.5 });

    expect((await update({ data_refs: { train: 'aaaaaaaaaaaa' }, merge: true })).data_refs).toEqual({ train: 'aaaaaaaaaaaa' });
    expect((await update({ data_refs: { test: 'bbbbbbbbbbbb' }, merge: true })).data_refs).toEqual({ train: 'aaaaaaaaaaaa', test: 'bbbbbbbbbbbb' });
    expect((await update({ data_refs: { valid: 'cccccccccccc' } })).data_refs).toEqual({ valid: 'cccccccccccc' });

    const detail = await client.experiment.get(user, project, id);
    expect(detail).toMatchObject({ tags: ['only'], params: { dropout: 0.5 }, data_refs: { valid: 'cccccccccccc' } });
  });

  it('one-field PATCHes: description, run_env, framework, backend', async () => {
    const project = await freshProject();
    const { id } = await client.project.createExperiment(user, project);
    await client.experiment.update(user, project, id, { description: 'about' });
    await client.experiment.update(user, project, id, { run_env: { node: 'v20', platform: 'linux' } });
    await client.experiment.update(user, project, id, { framework: 'tensorflow' });
    await client.experiment.update(user, project, id, { backend: 'tfjs' });
    expect(await client.experiment.get(user, project, id)).toMatchObject({
      description: 'about',
      run_env: { node: 'v20', platform: 'linux' },
      framework: 'tensorflow',
      backend: 'tfjs',
    });
  });

  it('delete removes the experiment', async () => {
    const project = await freshProject();
    const { id } = await client.project.createExperiment(user, project);
    await client.experiment.delete(user, project, id);
    expect((await failure(client.experiment.get(user, project, id))).kind).toBe('not_found');
    expect((await failure(client.experiment.heartbeat(user, project, id))).kind).toBe('not_found');
  });

  it('lists 25 experiments as pages of 20 and 5', async () => {
    const project = await freshProject();
    for (let index = 0; index < 25; index += 1) await client.project.createExperiment(user, project, { name: `exp-${index}` });
    const first = await client.project.listExperiments(user, project, { page: 1 });
    const second = await client.project.listExperiments(user, project, { page: 2 });
    expect(first).toMatchObject({ count: 25, previous: null });
    expect(first.results).toHaveLength(20);
    expect(first.next).toMatch(/offset=20/);
    expect(second).toMatchObject({ count: 25, next: null });
    expect(second.results).toHaveLength(5);
    expect(second.previous).not.toBeNull();
    const ids = new Set([...first.results, ...second.results].map((experiment) => experiment.id));
    expect(ids.size).toBe(25);
    expect((await client.project.listExperiments(user, project, { page: 3 })).results).toHaveLength(0);
  });

  it('list filters: query, sort, metrics and params rows', async () => {
    const project = await freshProject();
    const a = await client.project.createExperiment(user, project, { name: 'alpha', params: { lr: 1 } });
    const b = await client.project.createExperiment(user, project, { name: 'beta', params: { lr: 2 } });
    await client.experiment.createStatus(user, project, b.id, { status: 'running' });
    await client.experiment.createMetrics(user, project, a.id, [{ values: { loss: 0.3 } }]);

    const running = await client.project.listExperiments(user, project, { query: 'status:running' });
    expect(running.results.map((experiment) => experiment.id)).toEqual([b.id]);
    const ascending = await client.project.listExperiments(user, project, { sort: 'id' });
    expect(ascending.results.map((experiment) => experiment.id)).toEqual([a.id, b.id]);
    const descending = await client.project.listExperiments(user, project, { sort: '-id' });
    expect(descending.results.map((experiment) => experiment.id)).toEqual([b.id, a.id]);
    const withMetrics = await client.project.listExperiments(user, project, { metrics: true, sort: 'id' });
    expect(withMetrics.results[0].last_metric).toEqual({ loss: 0.3 });
    const withParams = await client.project.listExperiments(user, project, { params: true, sort: 'id' });
    expect(withParams.results.map((experiment) => experiment.params)).toEqual([{ lr: 1 }, { lr: 2 }]);
    expect((await client.project.listExperiments(user, project, { independent: true })).count).toBe(2);
  });
});

describe('statuses, heartbeat and stop', () => {
  it('running sets started_at; a done status sets finished_at; each becomes last_status', async () => {
    const project = await freshProject();
    const { id } = await client.project.createExperiment(user, project);

    const running = await client.experiment.createStatus(user, project, id, { status: 'running' });
    expect(running).toMatchObject({ status: 'running' });
    const afterRunning = await client.experiment.get(user, project, id);
    expect(afterRunning.last_status).toBe('running');
    expect(afterRunning.started_at).toEqual(expect.any(String));
    expect(afterRunning.finished_at).toBeNull();

    await client.experiment.heartbeat(user, project, id);

    const failed = await client.experiment.createStatus(user, project, id, { status: 'failed', message: 'loss is NaN', traceback: 'Error: NaN\n  at train' });
    expect(failed).toMatchObject({ status: 'failed', message: 'loss is NaN', traceback: 'Error: NaN\n  at train' });
    const afterFailed = await client.experiment.get(user, project, id);
    expect(afterFailed.last_status).toBe('failed');
    expect(afterFailed.finished_at).toEqual(expect.any(String));
    expect(afterFailed.started_at).toBe(afterRunning.started_at);
    expect(Date.parse(afterFailed.finished_at as string)).toBeGreaterThanOrEqual(Date.parse(afterRunning.started_at as string));

    const statuses = await client.experiment.getStatuses(user, project, id);
    expect(statuses.results.map((status) => status.status)).toEqual(['created', 'running', 'failed']);
    expect(statuses.count).toBe(3);
  });

  it('a status without message keeps message and traceback empty', async () => {
    const project = await freshProject();
    const { id } = await client.project.createExperiment(user, project);
    const status = await client.experiment.createStatus(user, project, id, { status: 'succeeded' });
    expect(status.message ?? null).toBeNull();
    expect(status.traceback ?? null).toBeNull();
    expect((await client.experiment.get(user, project, id)).finished_at).toEqual(expect.any(String));
  });

  it('stop ends a running experiment as stopped', async () => {
    const project = await freshProject();
    const { id } = await client.project.createExperiment(user, project);
    await client.experiment.createStatus(user, project, id, { status: 'running' });
    await client.experiment.stop(user, project, id);
    const detail = await client.experiment.get(user, project, id);
    expect(detail.last_status).toBe('stopped');
    expect(detail.finished_at).toEqual(expect.any(String));
  });
});

describe('metrics, logs and code reference', () => {
  it('metric batches are stored and every values dict is merged into last_metric', async () => {
    const project = await freshProject();
    const { id } = await client.project.createExperiment(user, project);
    await client.experiment.createMetrics(user, project, id, [
      { values: { step: 1, loss: 0.9 }, created_at: '2020-03-04 10:33:50.123456+00:00' },
      { values: { step: 2, loss: 0.7, accuracy: 0.5 }, created_at: '2020-03-04 10:33:51+00:00' },
    ]);
    await client.experiment.createMetrics(user, project, id, [{ values: { step: 3, val_loss: 0.8 } }]);

    expect((await client.experiment.get(user, project, id)).last_metric).toEqual({ step: 3, loss: 0.7, accuracy: 0.5, val_loss: 0.8 });
    const metrics = await client.experiment.getMetrics(user, project, id);
    expect(metrics.count).toBe(3);
    expect(metrics.results.map((metric) => metric.values)).toEqual([
      { step: 1, loss: 0.9 },
      { step: 2, loss: 0.7, accuracy: 0.5 },
      { step: 3, val_loss: 0.8 },
    ]);
    expect(Date.parse(metrics.results[0].created_at as string)).toBe(Date.UTC(2020, 2, 4, 10, 33, 50, 123));
  });

  it('a metric batch the server refuses names the item and field', async () => {
    const project = await freshProject();
    const { id } = await client.project.createExperiment(user, project);
    const error = await failure(client.experiment.createMetrics(user, project, id, [{ values: { loss: 1 } }, { values: { loss: 2 }, created_at: 'yesterday' }]));
    expect(error.kind).toBe('bad_request');
    expect(error.serverMessage).toMatch(/^created_at: .*1.*format/);
    expect((await client.experiment.getMetrics(user, project, id)).count).toBe(0);
  });

  it('metrics page like every list', async () => {
    const project = await freshProject();
    const { id } = await client.project.createExperiment(user, project);
    const points = Array.from({ length: 23 }, (_, step) => ({ values: { step } }));
    await client.experiment.createMetrics(user, project, id, points);
    const second = await client.experiment.getMetrics(user, project, id, { page: 2 });
    expect(second.count).toBe(23);
    expect(second.results.map((metric) => metric.values.step)).toEqual([20, 21, 22]);
  });

  it('log lines come back as text in order', async () => {
    const project = await freshProject();
    const { id } = await client.project.createExperiment(user, project);
    await client.experiment.sendLogs(user, project, id, ['2020-03-04 10:33:50 UTC INFO -- epoch 1', '2020-03-04 10:33:51 UTC INFO -- epoch 2']);
    await client.experiment.sendLogs(user, project, id, ['2020-03-04 10:33:52 UTC INFO -- done']);
    const text = await client.experiment.getLogs(user, project, id);
    expect(text.trimEnd().split('\n')).toEqual([
      '2020-03-04 10:33:50 UTC INFO -- epoch 1',
      '2020-03-04 10:33:51 UTC INFO -- epoch 2',
      '2020-03-04 10:33:52 UTC INFO -- done',
    ]);
  });

  it('code reference: none at first, then the posted one, also in the detail', async () => {
    const project = await freshProject();
    const { id } = await client.project.createExperiment(user, project);
    expect((await failure(client.experiment.getCodeReference(user, project, id))).kind).toBe('not_found');
    const reference = { commit: 'a1b2c3', head: 'a1b2c3', branch: 'main', git_url: 'https://example.com/repo.git', is_dirty: true };
    const created = await client.experiment.createCodeReference(user, project, id, reference);
    expect(created).toMatchObject(reference);
    expect(await client.experiment.getCodeReference(user, project, id)).toMatchObject(reference);
    // The detail names it by id, as Polyaxon 0.6.1's ExperimentDetailSerializer does.
    expect((await client.experiment.get(user, project, id)).code_reference).toBe(created?.id);
  });

  it('a code reference posted with no body (outside git) records the model defaults', async () => {
    const project = await freshProject();
    const { id } = await client.project.createExperiment(user, project);
    const answer = await client.experiment.createCodeReference(user, project, id, null);
    expect(answer).toMatchObject({ commit: null, head: null, branch: 'master', git_url: null, is_dirty: false });
  });
});
