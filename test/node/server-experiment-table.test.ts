/**
 * `GET {user}/{project}/experiments/table/`, the runs table's one-request read (a local-server
 * extension): every run of the project, newest first, each the list's own values of the table's
 * fields; through a real server on loopback.
 */
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createExperiment, rawExchange, startTestServer, type TestServer } from '../helpers/server-api';

let t: TestServer;
beforeEach(async () => {
  t = await startTestServer();
});
afterEach(async () => {
  await t.dispose();
});

const FIELDS = ['id', 'name', 'last_status', 'tags', 'user', 'description', 'created_at', 'started_at', 'finished_at', 'last_metric', 'params'];

/** Every item of the paged list, as Polyaxon 0.6.1 answers it. */
async function listAll(project: string) {
  const answer = await t.call('GET', `local/${project}/experiments/?limit=1000&sort=-id`);
  expect(answer.status).toBe(200);
  return answer.body.results as Array<Record<string, unknown>>;
}

describe('GET .../experiments/table/', () => {
  it('answers every run newest first with the list\'s values of the table\'s fields, names and params from the data kept as data', async () => {
    const plain = await createExperiment(t.call, 'table', { name: 'plain' });
    const hostile = await createExperiment(t.call, 'table', {
      name: 'hostile',
      description: 'line one\nline two \u0001 \u2028 "quoted" \\ é 🙂',
      tags: ['a', '</script>'],
      // Parsed, so `__proto__` is a key of its own rather than the object's prototype.
      params: JSON.parse('{"__proto__": 1, "constructor": "x", "nested": {"deep": [1, null, "two"]}, "lr": 0.001}'),
    });
    const unnamed = await createExperiment(t.call, 'table', { tags: [] });
    await createExperiment(t.call, 'other', { name: 'elsewhere' });
    expect((await t.call('POST', `${hostile.path}/metrics/`, [{ values: { loss: 0.25, step: 3 } }])).status).toBe(201);
    expect((await t.call('POST', `${hostile.path}/statuses/`, { status: 'running' })).status).toBe(201);
    expect((await t.call('POST', `${plain.path}/statuses/`, { status: 'running' })).status).toBe(201);
    expect((await t.call('POST', `${plain.path}/statuses/`, { status: 'failed' })).status).toBe(201);

    const answer = await t.call('GET', 'local/table/experiments/table/');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/json');
    expect(answer.body.fields).toEqual(FIELDS);
    const rows = answer.body.rows as unknown[][];
    expect(rows.map((row) => row[0])).toEqual([unnamed.id, hostile.id, plain.id]);

    const list = await listAll('table');
    for (const [index, item] of list.entries()) {
      const row = Object.fromEntries(FIELDS.map((field, at) => [field, rows[index][at]]));
      for (const field of ['id', 'name', 'last_status', 'tags', 'user', 'description', 'params']) expect(row[field], field).toEqual(item[field]);
      // The list writes `{}` for a run without metrics; the table keeps the stored null.
      expect(row.last_metric ?? {}).toEqual(item.last_metric);
      // Times are the same instants (the list writes DRF's microseconds, the table the stored text).
      for (const field of ['created_at', 'started_at', 'finished_at']) {
        expect(row[field] === null ? null : Date.parse(row[field] as string), field).toEqual(item[field] === null ? null : Date.parse(item[field] as string));
      }
    }
    const hostileRow = rows[1];
    expect(hostileRow[9]).toEqual({ loss: 0.25, step: 3 });
    expect(Object.keys(hostileRow[10] as object)).toEqual(['__proto__', 'constructor', 'nested', 'lr']);
    expect(rows[2][2]).toBe('failed');
    expect(rows[2][7]).not.toBeNull();
    expect(rows[2][8]).not.toBeNull();
  });

  it('answers an empty project with no rows, an unknown one 404 and a missing token 401', async () => {
    expect((await t.call('POST', 'projects/', { name: 'empty' })).status).toBe(201);
    const empty = await t.call('GET', 'local/empty/experiments/table/');
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual({ fields: FIELDS, rows: [] });
    expect((await t.call('GET', 'local/nothing/experiments/table/')).status).toBe(404);
    expect((await t.call('GET', 'local/empty/experiments/table/', undefined, { token: null })).status).toBe(401);
  });

  it('goes out gzip-compressed when asked, with its length', async () => {
    for (let index = 0; index < 30; index += 1) await createExperiment(t.call, 'many', { name: `run-${index}`, params: { index } });
    const answer = await rawExchange(t.server.url, {
      path: '/api/v1/local/many/experiments/table/',
      headers: { Authorization: 'Token test-token', 'Accept-Encoding': 'gzip' },
    });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-encoding']).toBe('gzip');
    expect(answer.headers['content-length']).toBe(String(answer.bytes.length));
    const body = JSON.parse(gunzipSync(answer.bytes).toString('utf8'));
    expect(body.rows).toHaveLength(30);
    expect(body.rows[0].slice(0, 2)).toEqual([expect.any(Number), 'run-29']);
  });
});
