/**
 * What an Experiment puts on the wire (polyaxon-v0-api.md), recorded by a proxy in front of the
 * local server: the create body, the order of requests, statuses, metrics' `created_at`, headers.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeExperiments, delivered, experimentOn, serverView, startMnistServer } from '../fixtures/experiment-setup';
import { clientFor, eventually, startRecordingProxy, type LocalServer, type RecordingProxy } from '../helpers/local-server';

let local: LocalServer;
let proxy: RecordingProxy;

beforeEach(async () => {
  local = await startMnistServer();
  proxy = await startRecordingProxy(local.port);
});

afterEach(async () => {
  await closeExperiments();
  await proxy.close();
  await local.close();
});

/** An experiment whose requests pass through the recording proxy. */
function recorded(options: Parameters<typeof experimentOn>[1] = {}) {
  return experimentOn(local, { client: clientFor(proxy.port, local.token), ...options });
}

const SECRET_VARIABLE = 'PXT_WIRE_TEST_SECRET_TOKEN';
const SECRET_VALUE = 'do-not-send-this-value-3f9a';

describe('Experiment: the create request', () => {
  it('posts is_managed false, backend other and run_env (without environment variables) when trackEnv', async () => {
    process.env[SECRET_VARIABLE] = SECRET_VALUE;
    try {
      const experiment = await recorded().create({ name: 'wired', tags: ['a'], description: 'd', framework: 'tensorflow' });
      await delivered(experiment);
    } finally {
      delete process.env[SECRET_VARIABLE];
    }
    const [create] = proxy.matching(`/api/v1/${local.user}/mnist/experiments/`, 'POST');
    expect(create.json).toMatchObject({ is_managed: false, backend: 'other', name: 'wired', tags: ['a'], description: 'd', framework: 'tensorflow' });
    expect(create.json.run_env).toMatchObject({ pid: process.pid, is_notebook: false });
    expect(create.body).not.toContain(SECRET_VALUE);
    expect(create.body).not.toContain(SECRET_VARIABLE);
    expect(create.body).not.toContain(local.token);
    expect(create.headers['content-type']).toBe('application/json');
    expect(create.headers.authorization).toBe(`Token ${local.token}`);
    expect(create.headers['idempotency-key']).toBeTruthy();
  });

  it('posts no run_env and only the given fields when trackEnv is false', async () => {
    const experiment = await recorded({ trackEnv: false }).create();
    await delivered(experiment);
    const [create] = proxy.matching('/experiments/', 'POST');
    expect(create.json).toEqual({ is_managed: false, backend: 'other' });
  });

  it('a given backend replaces "other"', async () => {
    await delivered(await recorded({ trackEnv: false }).create({ backend: 'native' }));
    expect(proxy.matching('/experiments/', 'POST')[0].json).toEqual({ is_managed: false, backend: 'native' });
  });

  it('learns the user from GET users/ when the project does not name it', async () => {
    await delivered(await recorded({ trackEnv: false }).create());
    const paths = proxy.requests.map((request) => `${request.method} ${request.path}`);
    expect(paths[0]).toBe('GET /api/v1/users/');
    expect(paths[1]).toBe(`POST /api/v1/${local.user}/mnist/experiments/`);
  });

  it('sends no GET users/ when the project names its owner', async () => {
    await delivered(await recorded({ trackEnv: false, project: `${local.user}/mnist` }).create());
    expect(proxy.matching('/users/')).toHaveLength(0);
  });
});

describe('Experiment: order and shape of what follows the create', () => {
  it('create, code ref, running, metrics, succeeded: in call order; statuses created → running → succeeded', async () => {
    const experiment = await recorded({ trackGit: true }).create();
    experiment.logMetrics({ step: 1, loss: 0.5 });
    experiment.logMetrics({ step: 2, loss: 0.25 });
    experiment.succeeded();
    await delivered(experiment);
    const base = `/api/v1/${local.user}/mnist/experiments/`;
    const writes = proxy.requests.filter((request) => request.method !== 'GET').map((request) => `${request.method} ${request.path.replace(base, '')}`);
    const id = experiment.id!;
    expect(writes).toEqual(['POST ', `POST ${id}/coderef/`, `POST ${id}/statuses/`, `POST ${id}/metrics/`, `POST ${id}/statuses/`]);
    expect(proxy.matching('/statuses/', 'POST').map((request) => request.json)).toEqual([{ status: 'running' }, { status: 'succeeded' }]);
    const { statuses } = await serverView(local.client, local.user, 'mnist', id);
    expect(statuses).toEqual(['created', 'running', 'succeeded']);
  });

  it('metrics of one tick go as one JSON array; created_at in Python str(datetime) form', async () => {
    const experiment = await recorded().create();
    for (let step = 0; step < 5; step++) experiment.logMetrics({ step, accuracy: step / 10, flag: step % 2 === 0 });
    await delivered(experiment);
    const posts = proxy.matching('/metrics/', 'POST');
    expect(posts).toHaveLength(1);
    const points = posts[0].json as Array<{ values: Record<string, number>; created_at: string }>;
    expect(points.map((point) => point.values)).toEqual([0, 1, 2, 3, 4].map((step) => ({ step, accuracy: step / 10, flag: step % 2 === 0 ? 1 : 0 })));
    for (const point of points) {
      expect(point.created_at).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?\+00:00$/);
      expect(Math.abs(Date.parse(point.created_at.replace(' ', 'T')) - Date.now())).toBeLessThan(60_000);
    }
    const { metrics } = await serverView(local.client, local.user, 'mnist', experiment.id!);
    expect(metrics).toHaveLength(5);
  });

  it('patches one field per request: merge true, and no merge key with reset', async () => {
    const experiment = await recorded({ trackEnv: false }).create();
    experiment.logTags(['x']);
    experiment.logTags(['y'], { reset: true });
    experiment.logParams({ lr: 1 });
    experiment.setName('renamed');
    await delivered(experiment);
    expect(proxy.matching('/experiments/', 'PATCH').map((request) => request.json)).toEqual([
      { tags: ['x'], merge: true },
      { tags: ['y'] },
      { params: { lr: 1 }, merge: true },
      { name: 'renamed' },
    ]);
  });

  it('posts a heartbeat while running and none after the run ended', async () => {
    const experiment = await recorded({ heartbeatIntervalMs: 40 }).create();
    await eventually(() => proxy.matching('/_heartbeat/', 'POST').length >= 2, 5_000);
    experiment.succeeded();
    await delivered(experiment);
    const beats = proxy.matching('/_heartbeat/', 'POST').length;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(proxy.matching('/_heartbeat/', 'POST').length).toBe(beats);
    expect(proxy.matching('/_heartbeat/', 'POST')[0].body).toBe('');
  });
});
