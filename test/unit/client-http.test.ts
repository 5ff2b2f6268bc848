import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PolyaxonClient } from '../../src/client/client';
import { PolyaxonError } from '../../src/runtime/errors';
import type { ClientOptions } from '../../src/runtime/settings';
import { failure } from '../helpers/polyaxon-error';

/** A loopback server that records every request and answers what the test scripted. */
interface Recorded {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}
type Answer = { status: number; json?: unknown; text?: string; contentType?: string } | 'hang' | 'hang-body' | 'destroy';

let server: Server;
let port: number;
let recorded: Recorded[] = [];
let script: (request: Recorded) => Answer = () => ({ status: 200, json: {} });
const openResponses = new Set<ServerResponse>();

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const entry = { method: request.method ?? '', url: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString() };
      recorded.push(entry);
      answer(script(entry), response);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  for (const response of openResponses) response.destroy();
  server.closeAllConnections();
  server.close();
});
beforeEach(() => {
  recorded = [];
  script = () => ({ status: 200, json: {} });
});

function answer(scripted: Answer, response: ServerResponse): void {
  if (scripted === 'destroy') return void response.socket?.destroy();
  if (scripted === 'hang') return void openResponses.add(response);
  if (scripted === 'hang-body') {
    openResponses.add(response);
    response.writeHead(200, { 'content-type': 'application/json' });
    return void response.write('{"username":');
  }
  const body = scripted.json !== undefined ? JSON.stringify(scripted.json) : (scripted.text ?? '');
  const type = scripted.contentType ?? (scripted.json !== undefined ? 'application/json' : 'text/plain');
  response.writeHead(scripted.status, body ? { 'content-type': type } : {});
  response.end(body);
}

function client(options: ClientOptions = {}): PolyaxonClient {
  return new PolyaxonClient({ host: '127.0.0.1', port, token: 'secret-token', env: {}, ...options });
}

const experiment = { id: 7, unique_name: 'u.p.7', name: 'trial', tags: ['a'] };

describe('headers', () => {
  it('sends Authorization with the scheme word and the token', async () => {
    script = () => ({ status: 200, json: { username: 'u', email: 'u@x', is_superuser: false } });
    await client().auth.getUser();
    expect(recorded[0].headers.authorization).toBe('Token secret-token');
  });

  it('takes the scheme word from POLYAXON_AUTHENTICATION_TYPE', async () => {
    script = () => ({ status: 200, json: { username: 'u' } });
    await client({ env: { POLYAXON_AUTHENTICATION_TYPE: 'EphemeralToken' } }).auth.getUser();
    expect(recorded[0].headers.authorization).toBe('EphemeralToken secret-token');
  });

  it('sends no Authorization without a token', async () => {
    script = () => ({ status: 200, json: { username: 'u' } });
    await client({ token: undefined }).auth.getUser();
    expect(recorded[0].headers.authorization).toBeUndefined();
  });

  it('in-cluster: base host from POLYAXON_API_HTTP_HOST, internal header, token from the env', async () => {
    script = () => ({ status: 200, json: { username: 'u' } });
    const inCluster = new PolyaxonClient({
      env: {
        POLYAXON_IS_MANAGED: 'true',
        POLYAXON_API_HTTP_HOST: `http://127.0.0.1:${port}`,
        POLYAXON_INTERNAL_HEADER: 'X-POLYAXON-INTERNAL',
        POLYAXON_INTERNAL_HEADER_SERVICE: 'runner',
        POLYAXON_AUTHENTICATION_TYPE: 'Internaltoken',
        POLYAXON_SECRET_USER_TOKEN: 'cluster-token',
      },
    });
    await inCluster.auth.getUser();
    expect(recorded[0]).toMatchObject({ method: 'GET', url: '/api/v1/users/' });
    expect(recorded[0].headers['x-polyaxon-internal']).toBe('runner');
    expect(recorded[0].headers.authorization).toBe('Internaltoken cluster-token');
  });

  it('sends user headers, and the token wins over a user Authorization header', async () => {
    script = () => ({ status: 200, json: { username: 'u' } });
    await client({ headers: { 'X-Trace': 'abc', authorization: 'Basic nope' } }).auth.getUser();
    expect(recorded[0].headers['x-trace']).toBe('abc');
    expect(recorded[0].headers.authorization).toBe('Token secret-token');
  });

  it('JSON bodies carry Content-Type: application/json', async () => {
    script = () => ({ status: 200, json: experiment });
    await client().experiment.update('u', 'p', 7, { tags: ['b'], merge: true });
    expect(recorded[0].headers['content-type']).toBe('application/json');
    expect(JSON.parse(recorded[0].body)).toEqual({ tags: ['b'], merge: true });
  });

  it.each([
    ['heartbeat', (c: PolyaxonClient) => c.experiment.heartbeat('u', 'p', 7)],
    ['stop', (c: PolyaxonClient) => c.experiment.stop('u', 'p', 7)],
    ['code reference outside git', (c: PolyaxonClient) => c.experiment.createCodeReference('u', 'p', 7, null)],
  ])('%s sends no body and no Content-Type', async (_name, call) => {
    script = () => ({ status: 201, text: '' });
    await call(client());
    expect(recorded[0].method).toBe('POST');
    expect(recorded[0].body).toBe('');
    expect(recorded[0].headers['content-type']).toBeUndefined();
  });

  it('login posts a form and uses the token it gets', async () => {
    script = (request) => (request.url === '/api/v1/users/token/' ? { status: 200, json: { token: 'fresh' } } : { status: 200, json: { username: 'u' } });
    const c = client({ token: undefined });
    expect(await c.auth.login({ username: 'u', password: 'p&w=1' })).toBe('fresh');
    expect(recorded[0].method).toBe('POST');
    expect(recorded[0].headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(recorded[0].body))).toEqual({ username: 'u', password: 'p&w=1' });
    expect(c.settings.token).toBe('fresh');
    await c.auth.getUser();
    expect(recorded[1].headers.authorization).toBe('Token fresh');
  });

  it('setToken after a 401 lets the next call through', async () => {
    script = (request) => (request.headers.authorization === 'Token good' ? { status: 200, json: { username: 'u' } } : { status: 401, json: { detail: 'Invalid token.' } });
    const c = client({ token: 'stale' });
    expect((await failure(c.auth.getUser())).kind).toBe('unauthenticated');
    c.setToken('good');
    expect((await c.auth.getUser()).username).toBe('u');
  });
});

describe('every endpoint: method, path, query, body', () => {
  const statusAnswer = { status: 'running', id: 1 };
  const list = (results: unknown[]) => ({ count: results.length, next: null, previous: null, results });
  const cases: Array<[string, (c: PolyaxonClient) => Promise<unknown>, string, string, unknown, unknown]> = [
    ['who am I', (c) => c.auth.getUser(), 'GET', '/api/v1/users/', undefined, { username: 'u' }],
    ['create project', (c) => c.project.createProject({ name: 'p', description: 'd', tags: ['x'], is_public: false }), 'POST', '/api/v1/projects/', { name: 'p', description: 'd', tags: ['x'], is_public: false }, { name: 'p' }],
    ['get project', (c) => c.project.getProject('u', 'p'), 'GET', '/api/v1/u/p/', undefined, { name: 'p' }],
    ['update project with merge', (c) => c.project.updateProject('u', 'p', { tags: ['y'], merge: true }), 'PATCH', '/api/v1/u/p/', { tags: ['y'], merge: true }, { name: 'p' }],
    ['update project with reset drops merge', (c) => c.project.updateProject('u', 'p', { tags: ['y'], merge: false }), 'PATCH', '/api/v1/u/p/', { tags: ['y'] }, { name: 'p' }],
    ['delete project', (c) => c.project.deleteProject('u', 'p'), 'DELETE', '/api/v1/u/p/', undefined, undefined],
    ['list projects', (c) => c.project.listProjects('u', { page: 2 }), 'GET', '/api/v1/u/?offset=20', undefined, list([{ name: 'p' }])],
    [
      'list experiments with every filter',
      (c) => c.project.listExperiments('u', 'p', { metrics: true, params: true, query: 'status:running', sort: '-created_at', independent: true, group: 4, page: 2 }),
      'GET',
      '/api/v1/u/p/experiments/?metrics=true&params=true&query=status%3Arunning&sort=-created_at&independent=true&group=4&offset=20',
      undefined,
      list([experiment]),
    ],
    ['create experiment', (c) => c.project.createExperiment('u', 'p', { name: 'trial', tags: ['a'] }), 'POST', '/api/v1/u/p/experiments/', { backend: 'other', is_managed: false, name: 'trial', tags: ['a'] }, experiment],
    ['create experiment with a backend', (c) => c.project.createExperiment('u', 'p', { backend: 'tfjs', framework: 'tensorflow' }), 'POST', '/api/v1/u/p/experiments/', { backend: 'tfjs', is_managed: false, framework: 'tensorflow' }, experiment],
    ['get experiment', (c) => c.experiment.get('u', 'p', 7), 'GET', '/api/v1/u/p/experiments/7/', undefined, experiment],
    ['update experiment params (reset)', (c) => c.experiment.update('u', 'p', 7, { params: { lr: 0.1 } }), 'PATCH', '/api/v1/u/p/experiments/7/', { params: { lr: 0.1 } }, experiment],
    ['delete experiment', (c) => c.experiment.delete('u', 'p', 7), 'DELETE', '/api/v1/u/p/experiments/7/', undefined, undefined],
    ['statuses', (c) => c.experiment.getStatuses('u', 'p', 7), 'GET', '/api/v1/u/p/experiments/7/statuses/?offset=0', undefined, list([statusAnswer])],
    ['post a bare status', (c) => c.experiment.createStatus('u', 'p', 7, { status: 'running' }), 'POST', '/api/v1/u/p/experiments/7/statuses/', { status: 'running' }, statusAnswer],
    ['post a status with message and traceback', (c) => c.experiment.createStatus('u', 'p', 7, { status: 'failed', message: 'boom', traceback: 'at x' }), 'POST', '/api/v1/u/p/experiments/7/statuses/', { status: 'failed', message: 'boom', traceback: 'at x' }, statusAnswer],
    ['get code reference', (c) => c.experiment.getCodeReference('u', 'p', 7), 'GET', '/api/v1/u/p/experiments/7/coderef/', undefined, { commit: 'abc' }],
    [
      'post code reference',
      (c) => c.experiment.createCodeReference('u', 'p', 7, { commit: 'abc', head: 'abc', branch: 'main', git_url: 'https://git/x', is_dirty: false }),
      'POST',
      '/api/v1/u/p/experiments/7/coderef/',
      { commit: 'abc', head: 'abc', branch: 'main', git_url: 'https://git/x', is_dirty: false },
      { commit: 'abc' },
    ],
    ['metrics', (c) => c.experiment.getMetrics('u', 'p', 7, { page: 3 }), 'GET', '/api/v1/u/p/experiments/7/metrics/?offset=40', undefined, list([{ values: { loss: 1 } }])],
    [
      'post one metric as an array',
      (c) => c.experiment.createMetrics('u', 'p', 7, [{ values: { step: 1, loss: 0.5 }, created_at: '2020-03-04 10:33:50.123456+00:00' }]),
      'POST',
      '/api/v1/u/p/experiments/7/metrics/',
      [{ values: { step: 1, loss: 0.5 }, created_at: '2020-03-04 10:33:50.123456+00:00' }],
      undefined,
    ],
    ['logs', (c) => c.experiment.getLogs('u', 'p', 7), 'GET', '/api/v1/u/p/experiments/7/logs/', undefined, undefined],
    ['send logs', (c) => c.experiment.sendLogs('u', 'p', 7, ['2020-03-04 10:33:50 UTC INFO -- hi']), 'POST', '/api/v1/u/p/experiments/7/logs/', ['2020-03-04 10:33:50 UTC INFO -- hi'], undefined],
    ['heartbeat', (c) => c.experiment.heartbeat('u', 'p', 7), 'POST', '/api/v1/u/p/experiments/7/_heartbeat/', undefined, undefined],
    ['stop', (c) => c.experiment.stop('u', 'p', 7), 'POST', '/api/v1/u/p/experiments/7/stop/', undefined, undefined],
  ];
  it.each(cases)('%s', async (_name, call, method, url, body, reply) => {
    script = () => (reply === undefined ? { status: 200, text: '' } : { status: 200, json: reply });
    await call(client());
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({ method, url });
    if (body === undefined) expect(recorded[0].body).toBe('');
    else expect(JSON.parse(recorded[0].body)).toEqual(body);
  });
});

describe('responses', () => {
  it('keep snake_case fields, including ones this library does not know', async () => {
    script = () => ({ status: 200, json: { ...experiment, last_metric: { loss: 0.1 }, num_jobs: 1, future_field: { x: 1 } } });
    const answer = await client().experiment.get('u', 'p', 7);
    expect(answer).toMatchObject({ id: 7, unique_name: 'u.p.7', last_metric: { loss: 0.1 }, num_jobs: 1, future_field: { x: 1 } });
  });

  it('a list answer without next/previous gives null for both', async () => {
    script = () => ({ status: 200, json: { count: 1, results: [experiment] } });
    const page = await client().project.listExperiments('u', 'p');
    expect(page).toMatchObject({ count: 1, next: null, previous: null, results: [experiment] });
  });

  it('an answer of the wrong shape is a server error naming the field', async () => {
    script = () => ({ status: 200, json: { id: 'seven' } });
    const error = await failure(client().experiment.get('u', 'p', 7));
    expect(error.kind).toBe('server');
    expect(error.status).toBe(200);
    expect(error.serverMessage).toMatch(/^unexpected response: id/);
  });

  it('logs served as text come back as text; a JSON list of lines is joined', async () => {
    script = () => ({ status: 200, text: 'line 1\n[2] line 2', contentType: 'text/plain; charset=utf-8' });
    expect(await client().experiment.getLogs('u', 'p', 7)).toBe('line 1\n[2] line 2');
    script = () => ({ status: 200, json: ['a', 'b'] });
    expect(await client().experiment.getLogs('u', 'p', 7)).toBe('a\nb');
  });

  it('code_reference is the id Polyaxon 0.6.1 sends; an earlier local server\'s object gives its id', async () => {
    for (const [sent, read] of [[12, 12], [null, null], [{ id: 3, commit: 'abc' }, 3]]) {
      script = () => ({ status: 200, json: { ...experiment, code_reference: sent } });
      expect((await client().experiment.get('u', 'p', 7)).code_reference, JSON.stringify(sent)).toBe(read);
    }
  });

  it('a metrics list post answered 201 with no body, as Polyaxon 0.6.1 answers it, resolves', async () => {
    script = () => ({ status: 201, text: '', contentType: '' });
    await expect(client().experiment.createMetrics('u', 'p', 7, [{ values: { loss: 1 } }])).resolves.toBeUndefined();
  });

  it('a code reference post answered with no body gives null', async () => {
    script = () => ({ status: 201, text: '' });
    expect(await client().experiment.createCodeReference('u', 'p', 7, null)).toBeNull();
  });
});

describe('error mapping', () => {
  const cases: Array<[number, unknown, string, string]> = [
    [400, { name: ['This field is required.'], tags: ['Not a list.', 'Too long.'] }, 'bad_request', 'name: This field is required.; tags: Not a list.; tags: Too long.'],
    [400, { non_field_errors: ['Experiment expects a `content`.'] }, 'bad_request', 'Experiment expects a `content`.'],
    [400, { params: { lr: ['A valid number is required.'] } }, 'bad_request', 'params.lr: A valid number is required.'],
    [401, { detail: 'Authentication credentials were not provided.' }, 'unauthenticated', 'Authentication credentials were not provided.'],
    [403, { detail: 'You do not have permission to perform this action.' }, 'forbidden', 'You do not have permission to perform this action.'],
    [404, { detail: 'Not found.' }, 'not_found', 'Not found.'],
    [413, { detail: 'Request body too large.' }, 'over_limit', 'Request body too large.'],
    [429, { detail: 'Request was throttled. Expected available in 1 second.' }, 'over_limit', 'Request was throttled. Expected available in 1 second.'],
    [500, '<h1>Server Error (500)</h1>', 'server', '<h1>Server Error (500)</h1>'],
    [503, undefined, 'server', ''],
  ];
  it.each(cases)('%i %j → %s', async (status, body, kind, message) => {
    script = () => (typeof body === 'string' ? { status, text: body, contentType: 'text/html' } : body === undefined ? { status } : { status, json: body });
    const error = await failure(client().project.createExperiment('u', 'p', { name: 'trial' }));
    expect(error).toMatchObject({ kind, status, method: 'POST', url: `http://127.0.0.1:${port}/api/v1/u/p/experiments/`, serverMessage: message });
    expect(error.body).toEqual(body);
    // Retrying is the outbox's decision: the client sends exactly once, even for 429 and 5xx.
    expect(recorded).toHaveLength(1);
  });

  it('never puts the token in the error', async () => {
    script = () => ({ status: 403, json: { detail: 'nope' } });
    const error = await failure(client().project.getProject('u', 'p'));
    expect(`${error.message} ${error.url} ${error.serverMessage} ${JSON.stringify(error)}`).not.toContain('secret-token');
  });

  it('an answer that never comes is a timeout after timeoutMs', async () => {
    script = () => 'hang';
    const started = Date.now();
    const error = await failure(client({ timeoutMs: 200 }).auth.getUser());
    expect(error).toMatchObject({ kind: 'timeout', status: 0, method: 'GET', url: `http://127.0.0.1:${port}/api/v1/users/` });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('a body that stops halfway is a timeout too', async () => {
    script = () => 'hang-body';
    const error = await failure(client({ timeoutMs: 200 }).auth.getUser());
    expect(error.kind).toBe('timeout');
  });

  it('a destroyed socket is a network error with no status', async () => {
    script = () => 'destroy';
    const error = await failure(client().experiment.heartbeat('u', 'p', 7));
    expect(error).toMatchObject({ kind: 'network', status: 0, method: 'POST', url: `http://127.0.0.1:${port}/api/v1/u/p/experiments/7/_heartbeat/` });
    expect(error.serverMessage).not.toBe('');
    expect(recorded).toHaveLength(1);
  });

  it('a refused connection is a network error', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const closedPort = (closed.address() as AddressInfo).port;
    closed.close();
    await once(closed, 'close');
    const error = await failure(client({ port: closedPort }).auth.getUser());
    expect(error).toMatchObject({ kind: 'network', status: 0 });
    expect(error.serverMessage).toMatch(/ECONNREFUSED/);
  });
});
