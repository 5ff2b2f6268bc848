import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createExperiment, startTestServer, type TestServer } from '../helpers/server-api';

let t: TestServer;
let path: string;
beforeEach(async () => {
  t = await startTestServer();
  ({ path } = await createExperiment(t.call));
});
afterEach(async () => {
  await t.dispose();
});

describe('statuses', () => {
  it('posting a status makes it last_status; started_at on running, finished_at on a done status', async () => {
    const running = await t.call('POST', `${path}/statuses/`, { status: 'running' });
    expect(running.status).toBe(201);
    expect(running.body).toMatchObject({ status: 'running', message: null, traceback: null });
    let detail = (await t.call('GET', `${path}/`)).body;
    expect(detail.last_status).toBe('running');
    expect(detail.started_at).toBe(running.body.created_at);
    expect(detail.finished_at).toBeNull();

    const failed = await t.call('POST', `${path}/statuses/`, { status: 'failed', message: 'boom', traceback: 'at line 1' });
    detail = (await t.call('GET', `${path}/`)).body;
    expect(detail).toMatchObject({ last_status: 'failed', finished_at: failed.body.created_at, started_at: running.body.created_at });

    const list = await t.call('GET', `${path}/statuses/`);
    expect(list.body.results.map((s: { status: string }) => s.status)).toEqual(['created', 'running', 'failed']);
    expect(list.body.results[2]).toMatchObject({ message: 'boom', traceback: 'at line 1' });
  });

  it('every done status sets finished_at; an unknown status is refused', async () => {
    for (const status of ['succeeded', 'failed', 'upstream_failed', 'stopped', 'skipped']) {
      const { path: own } = await createExperiment(t.call);
      await t.call('POST', `${own}/statuses/`, { status });
      expect((await t.call('GET', `${own}/`)).body.finished_at, status).not.toBeNull();
    }
    const bad = await t.call('POST', `${path}/statuses/`, { status: 'exploded' });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ status: ['"exploded" is not a valid choice.'] });
    expect((await t.call('POST', `${path}/statuses/`, {})).body).toEqual({ status: ['This field is required.'] });
  });

  it('stop/ sets stopped (200, no body); stopping a finished run changes nothing', async () => {
    await t.call('POST', `${path}/statuses/`, { status: 'running' });
    const stopped = await t.call('POST', `${path}/stop/`);
    expect(stopped.status).toBe(200);
    expect(stopped.text).toBe('');
    const detail = (await t.call('GET', `${path}/`)).body;
    expect(detail.last_status).toBe('stopped');
    await t.call('POST', `${path}/stop/`);
    expect((await t.call('GET', `${path}/statuses/`)).body.count).toBe(3);
  });

  it('_heartbeat/ answers 200 with no body and writes nothing', async () => {
    const before = (await t.call('GET', `${path}/`)).body.updated_at;
    const beat = await t.call('POST', `${path}/_heartbeat/`);
    expect(beat.status).toBe(200);
    expect(beat.text).toBe('');
    expect((await t.call('GET', `${path}/`)).body.updated_at).toBe(before);
  });
});

describe('zombie experiments', () => {
  it('a running experiment without heartbeats is failed after the timeout; one with heartbeats is not', async () => {
    const z = await startTestServer({ zombieTimeoutMs: 300 });
    try {
      const silent = await createExperiment(z.call);
      const alive = await createExperiment(z.call);
      await z.call('POST', `${silent.path}/statuses/`, { status: 'running' });
      await z.call('POST', `${alive.path}/statuses/`, { status: 'running' });
      const deadline = Date.now() + 5000;
      let silentStatus = 'running';
      while (silentStatus === 'running' && Date.now() < deadline) {
        await z.call('POST', `${alive.path}/_heartbeat/`);
        await new Promise((resolve) => setTimeout(resolve, 50));
        silentStatus = (await z.call('GET', `${silent.path}/`)).body.last_status;
      }
      expect(silentStatus).toBe('failed');
      const statuses = (await z.call('GET', `${silent.path}/statuses/`)).body.results;
      expect(statuses.at(-1).message).toMatch(/zombie/);
      expect((await z.call('GET', `${alive.path}/`)).body.last_status).toBe('running');
    } finally {
      await z.dispose();
    }
  });
});

describe('metrics', () => {
  it('accepts an array or one object; every values dict is merged into last_metric', async () => {
    const batch = await t.call('POST', `${path}/metrics/`, [
      { values: { step: 1, loss: 0.9 }, created_at: '2020-03-04 10:33:50.123456+00:00' },
      { values: { step: 2, loss: 0.7, acc: 0.5 }, created_at: '2020-03-04 10:33:51+00:00' },
    ]);
    // A list is answered with no body (Polyaxon 0.6.1 hands it to a task).
    expect(batch.status).toBe(201);
    expect(batch.text).toBe('');
    const single = await t.call('POST', `${path}/metrics/`, { values: { step: 3, val_loss: 0.8 } });
    expect(single.status).toBe(201);
    expect(single.body.values).toEqual({ step: 3, val_loss: 0.8 });
    const detail = (await t.call('GET', `${path}/`)).body;
    expect(detail.last_metric).toEqual({ step: 3, loss: 0.7, acc: 0.5, val_loss: 0.8 });
    const list = await t.call('GET', `${path}/metrics/`);
    expect(list.body.count).toBe(3);
    expect(list.body.results.map((m: { values: { step: number } }) => m.values.step)).toEqual([1, 2, 3]);
    expect(list.body.results.map((m: { created_at: string }) => m.created_at).slice(0, 2)).toEqual(['2020-03-04T10:33:50.123456Z', '2020-03-04T10:33:51Z']);
  });

  it('booleans stay booleans; strings, NaN-like values and bad timestamps are refused', async () => {
    expect((await t.call('POST', `${path}/metrics/`, { values: { ok: true } })).body.values).toEqual({ ok: true });
    const text = await t.call('POST', `${path}/metrics/`, [{ values: { loss: 1 } }, { values: { loss: 'high' } }]);
    expect(text.status).toBe(400);
    expect(text.body.values[0]).toMatch(/^Item 1: /);
    const stamp = await t.call('POST', `${path}/metrics/`, { values: { loss: 1 }, created_at: 'yesterday' });
    expect(stamp.body).toEqual({ created_at: ['Datetime has wrong format.'] });
    expect((await t.call('POST', `${path}/metrics/`, { loss: 1 })).status).toBe(400);
    expect((await t.call('GET', `${path}/metrics/`)).body.count).toBe(1);
  });

  it('the metrics list answers every point by default (300,000 a page) and accepts limit', async () => {
    const points = Array.from({ length: 50 }, (_, step) => ({ values: { step, loss: 1 / (step + 1) } }));
    await t.call('POST', `${path}/metrics/`, points);
    const all = await t.call('GET', `${path}/metrics/`);
    expect(all.body.results).toHaveLength(50);
    expect(all.body.next).toBeNull();
    const first = await t.call('GET', `${path}/metrics/?limit=20`);
    expect(first.body.results).toHaveLength(20);
    expect(first.body.next).toContain('offset=20');
  });

  it('is throttled at the configured rate with 429 and Retry-After', async () => {
    const z = await startTestServer({ metricsRequestsPerSecond: 3 });
    try {
      const own = await createExperiment(z.call);
      const answers = [];
      for (let index = 0; index < 5; index += 1) answers.push(await z.call('POST', `${own.path}/metrics/`, { values: { i: index } }));
      const limited = answers.filter((answer) => answer.status === 429);
      expect(limited.length).toBeGreaterThan(0);
      expect(limited[0].headers.get('retry-after')).toBe('1');
      expect(limited[0].body.detail).toMatch(/throttled/);
    } finally {
      await z.dispose();
    }
  });
});

describe('logs and code reference', () => {
  it('logs: an array of lines or one string; GET answers the text', async () => {
    expect((await t.call('POST', `${path}/logs/`, ['2020-03-04 10:33:50 UTC INFO -- one', 'two'])).status).toBe(200);
    expect((await t.call('POST', `${path}/logs/`, 'three')).status).toBe(200);
    const logs = await t.call('GET', `${path}/logs/`);
    expect(logs.text).toBe('2020-03-04 10:33:50 UTC INFO -- one\ntwo\nthree\n');
    expect((await t.call('POST', `${path}/logs/`, [1, 2])).status).toBe(400);
  });

  it('coderef: posted fields are stored, the detail names it by id; no body records the defaults', async () => {
    expect((await t.call('GET', `${path}/coderef/`)).status).toBe(404);
    const ref = { commit: 'a'.repeat(40), head: 'a'.repeat(40), branch: 'main', git_url: 'https://example.com/r.git', is_dirty: true };
    const posted = await t.call('POST', `${path}/coderef/`, ref);
    expect(posted.status).toBe(201);
    expect(posted.body).toMatchObject(ref);
    expect((await t.call('GET', `${path}/coderef/`)).body).toMatchObject(ref);
    expect((await t.call('GET', `${path}/`)).body.code_reference).toBe(posted.body.id);
    const { path: other } = await createExperiment(t.call);
    const empty = await t.call('POST', `${other}/coderef/`);
    expect(empty.status).toBe(201);
    expect(empty.body).toMatchObject({ commit: null, branch: 'master', is_dirty: false });
  });
});
