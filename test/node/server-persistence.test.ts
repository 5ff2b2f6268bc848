import { rm } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/index';
import { apiFor, createExperiment, tempDir, type Call } from '../helpers/server-api';

let dataDir: string;
let running: RunningServer | undefined;

async function start(): Promise<Call> {
  running = await startServer({ dataDir, port: 0, quiet: true, token: 'persist-token' });
  return apiFor(running.url, running.token);
}
async function stop(): Promise<void> {
  await running?.close();
  running = undefined;
}

beforeEach(async () => {
  dataDir = await tempDir();
});
afterEach(async () => {
  await stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('persistence', () => {
  it('after stop and start on the same folder everything is there', async () => {
    let call = await start();
    await call('POST', 'projects/', { name: 'keep', tags: ['t'], is_public: false });
    const { path } = await createExperiment(call, 'keep', { name: 'run1', params: { lr: 0.1 }, tags: ['a'] });
    await call('PATCH', `${path}/`, { tags: ['b'], merge: true });
    await call('POST', `${path}/statuses/`, { status: 'running' });
    await call('POST', `${path}/coderef/`, { commit: 'c'.repeat(40), branch: 'main', is_dirty: false });
    await call('POST', `${path}/metrics/`, [{ values: { step: 1, loss: 0.5 } }, { values: { step: 2, loss: 0.25 } }]);
    await call('POST', `${path}/logs/`, ['line one', 'line two']);
    await call('POST', `${path}/statuses/`, { status: 'succeeded' });
    const before = {
      project: (await call('GET', 'local/keep/')).body,
      detail: (await call('GET', `${path}/`)).body,
      statuses: (await call('GET', `${path}/statuses/`)).body,
      metrics: (await call('GET', `${path}/metrics/`)).body,
      logs: (await call('GET', `${path}/logs/`)).text,
      list: (await call('GET', 'local/keep/experiments/')).body,
    };
    await stop();

    call = await start();
    expect(running?.imported).toBeNull();
    expect((await call('GET', 'local/keep/')).body).toEqual(before.project);
    expect((await call('GET', `${path}/`)).body).toEqual(before.detail);
    expect((await call('GET', `${path}/statuses/`)).body).toEqual(before.statuses);
    expect((await call('GET', `${path}/metrics/`)).body).toEqual(before.metrics);
    expect((await call('GET', `${path}/logs/`)).text).toBe(before.logs);
    expect((await call('GET', 'local/keep/experiments/')).body).toEqual(before.list);
    expect(before.detail).toMatchObject({ last_status: 'succeeded', tags: ['a', 'b'], last_metric: { step: 2, loss: 0.25 } });

    // Ids continue after the restart; a deleted experiment stays deleted.
    const next = await createExperiment(call, 'keep');
    expect(next.id).toBeGreaterThan(before.detail.id);
    await call('DELETE', `${next.path}/`);
    await stop();
    call = await start();
    expect((await call('GET', `${next.path}/`)).status).toBe(404);
  });

  it('an Idempotency-Key seen before a restart still replays after it', async () => {
    let call = await start();
    const { path } = await createExperiment(call);
    const headers = { 'Idempotency-Key': 'survives' };
    const first = await call('POST', `${path}/metrics/`, [{ values: { loss: 1 } }], { headers });
    await stop();
    call = await start();
    const again = await call('POST', `${path}/metrics/`, [{ values: { loss: 1 } }], { headers });
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect((await call('GET', `${path}/metrics/`)).body.count).toBe(1);
  });
});
