/**
 * Experiments, projects, code references, stop, names and field limits answer as Polyaxon 0.6.1
 * does (server at tag 0.6.1, paths under `polyaxon/`). Each case names the source file it follows.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PolyaxonClient } from '../../src/client/client';
import { createExperiment, startTestServer, type TestServer } from '../helpers/server-api';
import { ValidationError } from '../../src/runtime/errors';

let t: TestServer;
beforeEach(async () => {
  t = await startTestServer();
  await t.call('POST', 'projects/', { name: 'demo' });
});
afterEach(async () => {
  await t.dispose();
});

// api/experiments/serializers.py at 0.6.1: BookmarkedExperimentSerializer and ExperimentDetailSerializer.
const EXPERIMENT_ROW = [
  'id', 'uuid', 'name', 'unique_name', 'user', 'description', 'created_at', 'updated_at', 'started_at', 'finished_at',
  'last_status', 'original', 'cloning_strategy', 'project', 'experiment_group', 'build_job', 'backend', 'is_managed',
  'framework', 'tags', 'last_metric', 'params', 'bookmarked',
];
const EXPERIMENT_DETAIL = [
  ...EXPERIMENT_ROW, 'original_experiment', 'readme', 'content', 'resources', 'run_env', 'data_refs', 'num_jobs',
  'is_clone', 'code_reference', 'tensorboard', 'has_tensorboard',
];
// api/projects/serializers.py at 0.6.1: ProjectDetailSerializer (ProjectSerializer + bookmarked + these).
const PROJECT_DETAIL = [
  'id', 'uuid', 'user', 'name', 'owner', 'unique_name', 'description', 'tags', 'created_at', 'updated_at', 'is_public',
  'bookmarked', 'readme', 'has_code', 'tensorboard', 'notebook', 'has_tensorboard', 'has_notebook',
  'num_experiment_groups', 'num_independent_experiments', 'num_experiments', 'num_jobs', 'num_builds',
];
// api/code_reference/serializers.py: exclude = ['created_at', 'updated_at'].
const CODE_REFERENCE = ['id', 'branch', 'commit', 'head', 'is_dirty', 'git_url', 'repo', 'external_repo'];
// DRF DateTimeField.to_representation: isoformat(), `+00:00` written `Z`, microseconds only when not zero.
const DRF_DATETIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$/;

describe('response shapes (item h)', () => {
  it('experiment rows and details carry exactly the 0.6.1 serializer fields, code_reference as an id', async () => {
    const { path } = await createExperiment(t.call, 'demo', { name: 'shaped' });
    const reference = await t.call('POST', `${path}/coderef/`, { commit: 'a'.repeat(40), branch: 'main' });
    const detail = await t.call('GET', `${path}/`);
    expect(Object.keys(detail.body).sort()).toEqual([...EXPERIMENT_DETAIL].sort());
    expect(detail.body.code_reference).toBe(reference.body.id);
    expect(detail.body).toMatchObject({
      original: null, cloning_strategy: null, bookmarked: false, resources: null, num_jobs: 0, is_clone: false,
      tensorboard: null, has_tensorboard: null, experiment_group: null, build_job: null,
    });
    const row = (await t.call('GET', 'local/demo/experiments/')).body.results[0];
    expect(Object.keys(row).sort()).toEqual([...EXPERIMENT_ROW].sort());
    // Experiment.last_metric defaults to {} (db/models/experiments.py): a row shows it as is; the
    // detail's `... if obj.last_metric else None` shows null.
    expect(row.last_metric).toEqual({});
    expect(detail.body.last_metric).toBeNull();
    const narrow = (await t.call('GET', 'local/demo/experiments/?metrics=true')).body.results[0];
    expect(Object.keys(narrow).sort()).toEqual(['finished_at', 'id', 'last_metric', 'name', 'started_at', 'unique_name', 'uuid']);
    const params = (await t.call('GET', 'local/demo/experiments/?params=true')).body.results[0];
    expect(Object.keys(params).sort()).toEqual(['id', 'name', 'params', 'unique_name', 'uuid']);
  });

  it('projects carry every ProjectDetailSerializer field; unknown ones are null', async () => {
    const detail = await t.call('GET', 'local/demo/');
    expect(Object.keys(detail.body).sort()).toEqual([...PROJECT_DETAIL].sort());
    expect(detail.body).toMatchObject({ has_code: false, tensorboard: null, notebook: null, has_tensorboard: null, has_notebook: null });
    const listed = (await t.call('GET', 'local/')).body.results[0];
    expect(Object.keys(listed)).toEqual(expect.arrayContaining(PROJECT_DETAIL));
  });

  it('datetimes are written as DRF writes them', async () => {
    const { path } = await createExperiment(t.call);
    await t.call('POST', `${path}/statuses/`, { status: 'running' });
    await t.call('POST', `${path}/metrics/`, [{ values: { loss: 1 } }, { values: { loss: 2 }, created_at: '2020-03-04 10:33:50+00:00' }]);
    const detail = (await t.call('GET', `${path}/`)).body;
    for (const field of ['created_at', 'updated_at', 'started_at']) expect(detail[field], field).toMatch(DRF_DATETIME);
    expect((await t.call('GET', `${path}/statuses/`)).body.results[1].created_at).toMatch(DRF_DATETIME);
    const points = (await t.call('GET', `${path}/metrics/`)).body.results;
    expect(points[0].created_at).toMatch(DRF_DATETIME);
    expect(points[1].created_at).toBe('2020-03-04T10:33:50Z');
    expect((await t.call('GET', 'local/demo/')).body.created_at).toMatch(DRF_DATETIME);
  });
});

describe('code reference (item c)', () => {
  it('an empty POST stores the model defaults: branch master, is_dirty false, the rest null', async () => {
    // db/models/repos.py CodeReference: branch default 'master', is_dirty default False.
    const { path } = await createExperiment(t.call);
    const answer = await t.call('POST', `${path}/coderef/`);
    expect(answer.status).toBe(201);
    expect(answer.body).toEqual({
      id: expect.any(Number), branch: 'master', commit: null, head: null, is_dirty: false, git_url: null, repo: null, external_repo: null,
    });
    expect(Object.keys(answer.body)).toEqual(CODE_REFERENCE);
    expect((await t.call('GET', `${path}/coderef/`)).body).toEqual(answer.body);
    const partial = await t.call('POST', `${path}/coderef/`, { commit: 'abc' });
    expect(partial.body).toMatchObject({ branch: 'master', commit: 'abc', is_dirty: false });
  });
});

describe('renaming to a taken name (item e)', () => {
  it('name-N with N = 1 + every experiment anywhere whose name starts with the name, on create and PATCH', async () => {
    // api/utils/serializers/names.py NamesMixin.validated_name, called with query=Experiment.all:
    // the collision is looked up in the project, the count over every project of every user.
    // On a local server that counts runs of other projects too (`dupx` in project `other` makes
    // the next duplicate in `demo` skip a number), and a PATCH to the run's own name renames it:
    // surprising, but what 0.6.1 does, so a run gets the same name here as on a cluster.
    const dup = await createExperiment(t.call, 'demo', { name: 'dup' });
    const one = await createExperiment(t.call, 'demo', { name: 'dup' });
    const two = await createExperiment(t.call, 'demo', { name: 'dup' });
    expect([dup.created.name, one.created.name, two.created.name]).toEqual(['dup', 'dup-1', 'dup-2']);
    expect((await t.call('PATCH', `${two.path}/`, { name: 'dup' })).body.name).toBe('dup-3');
    // `dupe` starts with `dup`: counted, and so is `dupx` of another project.
    await createExperiment(t.call, 'demo', { name: 'dupe' });
    await createExperiment(t.call, 'other', { name: 'dupx' });
    const next = await createExperiment(t.call, 'demo', { name: 'dup' });
    expect(next.created.name).toBe('dup-5');
    // A PATCH to its own current name counts as taken.
    expect((await t.call('PATCH', `${dup.path}/`, { name: 'dup' })).body.name).toBe('dup-6');
    // Case matters (Postgres LIKE): `Dup` is a name of its own.
    expect((await createExperiment(t.call, 'demo', { name: 'Dup' })).created.name).toBe('Dup');
  });

  it('a computed name that is taken is refused as 0.6.1 refuses it', async () => {
    // `dup`, `dup-2`: the count gives `dup-2` again. 0.6.1 does not re-check: its pre_save signal
    // (signals/names.py) raises, and ExperimentCreateSerializer.create wraps it in a
    // ValidationError whose text is the inner error's repr: a one-string list.
    await createExperiment(t.call, 'demo', { name: 'dup' });
    const second = await createExperiment(t.call, 'demo', { name: 'dup-2' });
    const refused = await t.call('POST', 'local/demo/experiments/', { is_managed: false, name: 'dup' });
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual([
      "[ErrorDetail(string='An instance with name `dup-2` already exists in this project.', code='invalid')]",
    ]);
    // On PATCH 0.6.1 hits the (project, name) unique constraint and answers 500; here a 400 with
    // the signal's own message, and nothing changed.
    const other = await createExperiment(t.call, 'demo', { name: 'x' });
    const patched = await t.call('PATCH', `${other.path}/`, { name: 'dup' });
    expect(patched.status).toBe(400);
    expect(patched.body).toEqual(['An instance with name `dup-2` already exists in this project.']);
    expect((await t.call('GET', `${second.path}/`)).body.name).toBe('dup-2');
    expect((await t.call('GET', `${other.path}/`)).body.name).toBe('x');
  });
});

describe('stop on an unmanaged run (item f)', () => {
  it('appends stopped "Experiment was stopped" after any status but stopped and skipped; 200, empty body', async () => {
    // api/experiments/views.py ExperimentStopView.post answers Response(status=200); the task
    // (scheduler/tasks/experiments.py experiments_stop) calls set_status(STOPPED, message=
    // 'Experiment was stopped'), stored when lifecycles/experiments.py allows it:
    // TRANSITION_MATRIX[STOPPED] = VALUES - {STOPPED, SKIPPED}.
    const cases: Array<[string, boolean]> = [['running', true], ['succeeded', true], ['failed', true], ['stopped', false], ['skipped', false]];
    for (const [status, appended] of cases) {
      const { path } = await createExperiment(t.call);
      await t.call('POST', `${path}/statuses/`, { status });
      const before = (await t.call('GET', `${path}/`)).body;
      const stop = await t.call('POST', `${path}/stop/`);
      expect(stop.status).toBe(200);
      expect(stop.text).toBe('');
      expect(stop.headers.get('content-type')).toBeNull();
      const statuses = (await t.call('GET', `${path}/statuses/`)).body.results;
      const last = statuses[statuses.length - 1];
      if (appended) expect(last, status).toMatchObject({ status: 'stopped', message: 'Experiment was stopped' });
      else expect(statuses, status).toHaveLength(2);
      const after = (await t.call('GET', `${path}/`)).body;
      expect(after.last_status).toBe(appended ? 'stopped' : status);
      // finished_at is set once, by the first done status (signals/run_time.py set_finished_at).
      if (before.finished_at) expect(after.finished_at).toBe(before.finished_at);
    }
  });
});

describe('field limits (item g)', () => {
  it('refuses over-long fields with DRF\'s message naming the field, counting characters after trimming', async () => {
    // db/models/statuses.py message 256; db/models/repos.py commit/head 40, branch 124, git_url 256;
    // db/models/experiments.py framework 16, abstract/backend.py backend 16; abstract/tag.py each tag 64.
    const { path } = await createExperiment(t.call);
    const long = (n: number) => 'é'.repeat(n);
    const tooLong = (n: number) => [`Ensure this field has no more than ${n} characters.`];
    expect((await t.call('POST', `${path}/statuses/`, { status: 'running', message: long(257) })).body).toEqual({ message: tooLong(256) });
    // 256 characters, written in more UTF-16 units than that, with spaces around that DRF trims.
    const fits = await t.call('POST', `${path}/statuses/`, { status: 'running', message: `  ${'😀'.repeat(256)}  ` });
    expect(fits.status).toBe(201);
    expect(fits.body.message).toBe('😀'.repeat(256));
    for (const [field, limit] of [['commit', 40], ['head', 40], ['branch', 124], ['git_url', 256]] as const) {
      const answer = await t.call('POST', `${path}/coderef/`, { [field]: long(limit + 1) });
      expect(answer.status, field).toBe(400);
      expect(answer.body, field).toEqual({ [field]: tooLong(limit) });
      expect((await t.call('POST', `${path}/coderef/`, { [field]: ` ${long(limit)} ` })).status, field).toBe(201);
    }
    for (const field of ['framework', 'backend']) {
      expect((await t.call('PATCH', `${path}/`, { [field]: long(17) })).body, field).toEqual({ [field]: tooLong(16) });
      expect((await t.call('POST', 'local/demo/experiments/', { is_managed: false, [field]: long(17) })).body).toEqual({ [field]: tooLong(16) });
    }
    expect((await t.call('PATCH', `${path}/`, { tags: ['ok', long(65)] })).body).toEqual({ tags: { 1: tooLong(64) } });
    expect((await t.call('PATCH', `${path}/`, { tags: [long(64)] })).status).toBe(200);
  });
});

describe('reserved names are 0.6.1\'s NAME_BLACKLIST (item i)', () => {
  it('refuses metric, metrics, notebookbookmark; accepts notebook and bookmark', async () => {
    // libs/blacklist.py: the list lacks a comma between 'notebook' and 'bookmark', so it reserves
    // `notebookbookmark`, not those two; every word also with an `s`, compared lowercased.
    for (const name of ['metric', 'Metrics', 'notebookbookmark', 'notebookbookmarks', 'statusess', 'THIS']) {
      const project = await t.call('POST', 'projects/', { name });
      expect(project.status, name).toBe(400);
      expect(project.body, name).toEqual({ name: ['The name is a reserved word or already taken.'] });
      expect((await t.call('POST', 'local/demo/experiments/', { is_managed: false, name })).status, name).toBe(400);
    }
    for (const name of ['notebook', 'bookmark', 'bookmarks', 'group', 'run']) {
      expect((await t.call('POST', 'projects/', { name })).status, name).toBe(201);
      expect((await t.call('GET', `local/${name}/`)).status, name).toBe(200);
    }
  });

  it('the client checks names against the same list (src/wire/names.ts): Metrics refused before sending, notebooks created', async () => {
    const client = new PolyaxonClient({ host: t.server.host, port: t.server.port, token: t.server.token, env: {} });
    // A ValidationError, not the PolyaxonError of a server's 400: the client refused it itself.
    await expect(client.project.createProject({ name: 'Metrics' })).rejects.toThrow(ValidationError);
    await expect(client.project.createProject({ name: 'Metrics' })).rejects.toMatchObject({ field: 'name', rule: expect.stringMatching(/reserved/) });
    expect((await client.project.createProject({ name: 'notebooks' })).name).toBe('notebooks');
    await expect(client.project.createExperiment(t.server.user, 'notebooks', { name: 'notebookbookmark' })).rejects.toThrow(ValidationError);
    expect((await client.project.createExperiment(t.server.user, 'notebooks', { name: 'bookmark' })).name).toBe('bookmark');
  });
});

describe('JSON fields keep their types (item j)', () => {
  it('params true, 1.0 and 1 come back as sent, also after a merge', async () => {
    // Experiment.params is a JSONField (db/models/experiments.py): Python's json keeps 1.0 a float.
    const created = await t.call('POST', 'local/demo/experiments/', undefined, {
      raw: '{"is_managed": false, "params": {"flag": true, "lr": 1.0, "epochs": 1, "nested": {"w": 2.0}}, "run_env": {"v": 3.0}}',
      headers: { 'Content-Type': 'application/json' },
    });
    expect(created.text).toContain('"params":{"flag":true,"lr":1.0,"epochs":1,"nested":{"w":2.0}}');
    const path = `local/demo/experiments/${created.body.id}`;
    const merged = await t.call('PATCH', `${path}/`, undefined, {
      raw: '{"params": {"momentum": 0.90, "lr": 2.0}, "merge": true}',
      headers: { 'Content-Type': 'application/json' },
    });
    expect(merged.text).toContain('"params":{"flag":true,"lr":2.0,"epochs":1,"nested":{"w":2.0},"momentum":0.90}');
    const detail = await t.call('GET', `${path}/`);
    expect(detail.text).toContain('"run_env":{"v":3.0}');
    expect((await t.call('GET', 'local/demo/experiments/?params=true')).text).toContain('"lr":2.0');
  });
});
