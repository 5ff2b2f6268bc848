import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createExperiment, startTestServer, type TestServer } from '../helpers/server-api';

let t: TestServer;
beforeEach(async () => {
  t = await startTestServer();
  await t.call('POST', 'projects/', { name: 'demo' });
});
afterEach(async () => {
  await t.dispose();
});

const CREATE_FIELDS = [
  'id', 'unique_name', 'project', 'user', 'name', 'description', 'readme', 'original_experiment',
  'experiment_group', 'build_job', 'content', 'params', 'backend', 'framework', 'is_managed', 'run_env',
  'data_refs', 'tags',
];

describe('experiment create', () => {
  it('answers 201 with exactly the create fields: no uuid, no last_status', async () => {
    const answer = await t.call('POST', 'local/demo/experiments/', {
      is_managed: false, backend: 'other', name: 'first', tags: ['x'], params: { lr: 0.1 },
    });
    expect(answer.status).toBe(201);
    expect(Object.keys(answer.body).sort()).toEqual([...CREATE_FIELDS].sort());
    expect(answer.body).toMatchObject({
      unique_name: `local.demo.${answer.body.id}`, project: 'local.demo', user: 'local', name: 'first',
      backend: 'other', is_managed: false, tags: ['x'], params: { lr: 0.1 },
    });
  });

  it('accepts the Python client\'s body, where every other schema field is null', async () => {
    const nulls = Object.fromEntries(
      ['id', 'uuid', 'unique_name', 'user', 'project', 'description', 'readme', 'original_experiment', 'experiment_group',
        'build_job', 'content', 'params', 'framework', 'run_env', 'data_refs', 'tags', 'ttl', 'created_at', 'updated_at',
        'started_at', 'finished_at', 'last_status', 'last_metric', 'num_jobs', 'resources'].map((field) => [field, null]),
    );
    const answer = await t.call('POST', 'local/demo/experiments/', { ...nulls, name: null, backend: 'other', is_managed: false });
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ name: null, backend: 'other', tags: null, params: null, project: 'local.demo' });
  });

  it('a managed create without content is refused as Polyaxon does', async () => {
    for (const body of [{}, { is_managed: true }]) {
      const answer = await t.call('POST', 'local/demo/experiments/', body);
      expect(answer.status).toBe(400);
      expect(answer.body).toEqual({ content: ['Experiment expects a `content`.'] });
    }
  });

  it('detail adds uuid (hex, no dashes), timestamps, last_status created, code_reference', async () => {
    const { path } = await createExperiment(t.call);
    const detail = await t.call('GET', `${path}/`);
    expect(detail.status).toBe(200);
    expect(detail.body.uuid).toMatch(/^[0-9a-f]{32}$/);
    expect(detail.body).toMatchObject({
      last_status: 'created', last_metric: null, started_at: null, finished_at: null, code_reference: null,
      num_jobs: 0, bookmarked: false,
    });
    expect(Date.parse(detail.body.created_at)).not.toBeNaN();
    expect(Date.parse(detail.body.updated_at)).not.toBeNaN();
  });

  it('renames a duplicate name to name-<n> on create and on PATCH', async () => {
    const first = await createExperiment(t.call, 'demo', { name: 'train' });
    const second = await createExperiment(t.call, 'demo', { name: 'train' });
    const third = await createExperiment(t.call, 'demo', { name: 'train' });
    expect([first.created.name, second.created.name, third.created.name]).toEqual(['train', 'train-1', 'train-2']);
    const other = await createExperiment(t.call, 'demo', { name: 'other' });
    const patched = await t.call('PATCH', `${other.path}/`, { name: 'train' });
    expect(patched.body.name).toBe('train-3');
    // Polyaxon 0.6.1 counts a run's own name as taken too (server-fidelity-fields.test.ts).
    expect((await t.call('PATCH', `${first.path}/`, { name: 'train' })).body.name).toBe('train-4');
  });

  it('refuses invalid names, tags and dictionaries with field errors', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ name: 'no spaces' }, 'name'],
      [{ name: 'experiment' }, 'name'],
      [{ tags: [''] }, 'tags'],
      [{ tags: [1] }, 'tags'],
      [{ params: [1, 2] }, 'params'],
      [{ experiment_group: 3 }, 'experiment_group'],
    ];
    for (const [body, field] of cases) {
      const answer = await t.call('POST', 'local/demo/experiments/', { is_managed: false, ...body });
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(Object.keys(answer.body)).toEqual([field]);
    }
  });
});

describe('experiment PATCH', () => {
  it('tags: merge appends unseen tags in order; without merge they are replaced', async () => {
    const { path } = await createExperiment(t.call, 'demo', { tags: ['a', 'b'] });
    expect((await t.call('PATCH', `${path}/`, { tags: ['b', 'c'], merge: true })).body.tags).toEqual(['a', 'b', 'c']);
    expect((await t.call('PATCH', `${path}/`, { tags: ['z'] })).body.tags).toEqual(['z']);
  });

  it('params and data_refs: merge updates the dict; without merge it is replaced', async () => {
    const { path } = await createExperiment(t.call, 'demo', { params: { lr: 0.1, epochs: 3 } });
    const merged = await t.call('PATCH', `${path}/`, { params: { lr: 0.2, batch: 32 }, merge: true });
    expect(merged.body.params).toEqual({ lr: 0.2, epochs: 3, batch: 32 });
    expect((await t.call('PATCH', `${path}/`, { params: { only: 1 } })).body.params).toEqual({ only: 1 });
    await t.call('PATCH', `${path}/`, { data_refs: { train: 'aaaaaaaaaaaa' }, merge: true });
    const refs = await t.call('PATCH', `${path}/`, { data_refs: { test: 'bbbbbbbbbbbb' }, merge: true });
    expect(refs.body.data_refs).toEqual({ train: 'aaaaaaaaaaaa', test: 'bbbbbbbbbbbb' });
    const reset = await t.call('PATCH', `${path}/`, { data_refs: { test: 'cccccccccccc' } });
    expect(reset.body.data_refs).toEqual({ test: 'cccccccccccc' });
  });

  it('sets description, run_env, framework and backend one field per call', async () => {
    const { path } = await createExperiment(t.call);
    await t.call('PATCH', `${path}/`, { description: 'd' });
    await t.call('PATCH', `${path}/`, { run_env: { pid: 1 } });
    await t.call('PATCH', `${path}/`, { framework: 'tensorflow.js' });
    const last = await t.call('PATCH', `${path}/`, { backend: 'node' });
    expect(last.body).toMatchObject({ description: 'd', run_env: { pid: 1 }, framework: 'tensorflow.js', backend: 'node' });
  });

  it('DELETE answers 204 and the experiment is gone', async () => {
    const { path } = await createExperiment(t.call);
    expect((await t.call('DELETE', `${path}/`)).status).toBe(204);
    expect((await t.call('GET', `${path}/`)).status).toBe(404);
    expect((await t.call('GET', `${path}/metrics/`)).status).toBe(404);
  });

  it('an experiment of another project is not found through this project', async () => {
    await t.call('POST', 'projects/', { name: 'other' });
    const { id } = await createExperiment(t.call, 'other');
    expect((await t.call('GET', `local/demo/experiments/${id}/`)).status).toBe(404);
  });
});

describe('experiment list', () => {
  it('is paginated by 20 with offset links that keep the query', async () => {
    for (let index = 0; index < 45; index += 1) await createExperiment(t.call, 'demo', { name: `e${index}` });
    const first = await t.call('GET', 'local/demo/experiments/?sort=id');
    expect(first.body.count).toBe(45);
    expect(first.body.results.map((e: { name: string }) => e.name).slice(0, 2)).toEqual(['e0', 'e1']);
    expect(first.body.next).toBe(`${t.server.url}/api/v1/local/demo/experiments/?sort=id&offset=20`);
    const third = await t.call('GET', 'local/demo/experiments/?sort=id&offset=40');
    expect(third.body.results).toHaveLength(5);
    expect(third.body.next).toBeNull();
    expect(third.body.previous).toBe(`${t.server.url}/api/v1/local/demo/experiments/?sort=id&offset=20`);
  });

  it('filters with query and orders with sort', async () => {
    const a = await createExperiment(t.call, 'demo', { name: 'a', tags: ['keep'] });
    const b = await createExperiment(t.call, 'demo', { name: 'b' });
    const c = await createExperiment(t.call, 'demo', { name: 'c', tags: ['keep'] });
    await t.call('POST', `${a.path}/metrics/`, { values: { loss: 0.5 } });
    await t.call('POST', `${b.path}/metrics/`, { values: { loss: 0.1 } });
    await t.call('POST', `${c.path}/metrics/`, { values: { loss: 0.9 } });
    await t.call('POST', `${c.path}/statuses/`, { status: 'running' });
    const names = async (query: string) =>
      (await t.call('GET', `local/demo/experiments/?${query}`)).body.results.map((e: { name: string }) => e.name);
    expect(await names('sort=metric.loss')).toEqual(['b', 'a', 'c']);
    expect(await names('sort=-metric.loss')).toEqual(['c', 'a', 'b']);
    expect(await names('query=metric.loss:<0.6&sort=name')).toEqual(['a', 'b']);
    expect(await names('query=tags:keep, status:~running&sort=name')).toEqual(['a']);
    expect(await names('query=name:a|c&sort=-name')).toEqual(['c', 'a']);
    expect(await names('query=metric.loss:0.2..0.9&sort=id')).toEqual(['a', 'c']);
    const bad = await t.call('GET', 'local/demo/experiments/?query=nonsense');
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body)).toEqual(['query']);
  });

  it('metrics=true and params=true answer the narrow rows; independent/group filter', async () => {
    await createExperiment(t.call, 'demo', { params: { lr: 1 } });
    const metrics = await t.call('GET', 'local/demo/experiments/?metrics=true');
    expect(Object.keys(metrics.body.results[0]).sort()).toEqual(['finished_at', 'id', 'last_metric', 'name', 'started_at', 'unique_name', 'uuid']);
    const params = await t.call('GET', 'local/demo/experiments/?params=1');
    expect(params.body.results[0].params).toEqual({ lr: 1 });
    expect((await t.call('GET', 'local/demo/experiments/?independent=true')).body.count).toBe(1);
    expect((await t.call('GET', 'local/demo/experiments/?independent=false')).body.count).toBe(0);
    expect((await t.call('GET', 'local/demo/experiments/?group=4')).body.count).toBe(0);
    expect((await t.call('GET', 'local/demo/experiments/?metrics=maybe')).status).toBe(400);
  });
});
