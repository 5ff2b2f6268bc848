import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PolyaxonClient } from '../../src/client/client';
import { ValidationError } from '../../src/runtime/errors';
import type { ClientOptions } from '../../src/runtime/settings';

/**
 * URL building for hosts that cannot be reached from a test (ports 80/443, https, cluster names):
 * fetch is replaced by a recorder, so nothing leaves the process. Requests against a real
 * loopback server are in client-http.test.ts.
 */
interface Sent {
  url: string;
  method: string;
  headers: Headers;
  body: unknown;
}
let sent: Sent[] = [];

beforeEach(() => {
  sent = [];
  vi.stubGlobal('fetch', async (input: string | URL | Request, init: RequestInit = {}) => {
    sent.push({ url: String(input), method: init.method ?? 'GET', headers: new Headers(init.headers), body: init.body });
    return new Response(JSON.stringify({ id: 3, unique_name: 'u.p.3', username: 'u' }), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    });
  });
});
afterEach(() => vi.unstubAllGlobals());

async function urlOf(options: ClientOptions): Promise<string> {
  await new PolyaxonClient(options).experiment.get('u', 'p', 3);
  expect(sent).toHaveLength(1);
  return sent[0].url;
}

describe('base URL', () => {
  const cases: Array<[string, ClientOptions, string]> = [
    ['defaults', { env: {} }, 'http://localhost:8000/api/v1/u/p/experiments/3/'],
    ['port 80 is written', { host: 'plx.example.com', port: 80, env: {} }, 'http://plx.example.com:80/api/v1/u/p/experiments/3/'],
    ['port 443 with https is written', { host: 'plx.example.com', port: 443, useHttps: true, env: {} }, 'https://plx.example.com:443/api/v1/u/p/experiments/3/'],
    ['api version option', { apiVersion: 'v2', env: {} }, 'http://localhost:8000/api/v2/u/p/experiments/3/'],
    ['IPv6 host', { host: '[::1]', port: 8080, env: {} }, 'http://[::1]:8080/api/v1/u/p/experiments/3/'],
    [
      'POLYAXON_* variables',
      { env: { POLYAXON_API_HOST: 'api.local', POLYAXON_HTTP_PORT: '443', POLYAXON_USE_HTTPS: 'Yes', POLYAXON_API_VERSION: 'v1' } },
      'https://api.local:443/api/v1/u/p/experiments/3/',
    ],
    ['POLYAXON_USE_HTTPS=off', { env: { POLYAXON_USE_HTTPS: 'off', POLYAXON_HTTP_PORT: '80' } }, 'http://localhost:80/api/v1/u/p/experiments/3/'],
    [
      'explicit options beat variables',
      { host: 'explicit', port: 9000, useHttps: false, env: { POLYAXON_API_HOST: 'env', POLYAXON_HTTP_PORT: '1', POLYAXON_USE_HTTPS: 'true' } },
      'http://explicit:9000/api/v1/u/p/experiments/3/',
    ],
    [
      'in-cluster base host verbatim, scheme included',
      { env: { POLYAXON_IS_MANAGED: 'true', POLYAXON_API_HTTP_HOST: 'http://polyaxon-api.polyaxon:80', POLYAXON_API_HOST: 'ignored' } },
      'http://polyaxon-api.polyaxon:80/api/v1/u/p/experiments/3/',
    ],
    [
      'in-cluster host with trailing slash',
      { env: { POLYAXON_IS_MANAGED: '1', POLYAXON_API_HTTP_HOST: 'https://plx.internal/' } },
      'https://plx.internal/api/v1/u/p/experiments/3/',
    ],
    [
      'legacy POLYAXON_IN_CLUSTER',
      { env: { POLYAXON_IN_CLUSTER: 'TRUE', POLYAXON_API_HTTP_HOST: 'http://legacy:8000' } },
      'http://legacy:8000/api/v1/u/p/experiments/3/',
    ],
    [
      'cluster host ignored when not managed',
      { env: { POLYAXON_IS_MANAGED: 'false', POLYAXON_API_HTTP_HOST: 'http://cluster:80' } },
      'http://localhost:8000/api/v1/u/p/experiments/3/',
    ],
  ];
  it.each(cases)('%s', async (_name, options, expected) => {
    expect(await urlOf(options)).toBe(expected);
  });

  it('an env lookup function works like an env object', async () => {
    const env = (name: string) => ({ POLYAXON_API_HOST: 'fn-host', POLYAXON_HTTP_PORT: '81' })[name];
    expect(await urlOf({ env })).toBe('http://fn-host:81/api/v1/u/p/experiments/3/');
  });

  it('never shows credentials of a cluster host in an error URL', async () => {
    vi.stubGlobal('fetch', async () => new Response('{"detail":"Not found."}', { status: 404, headers: { 'content-type': 'application/json' } }));
    const client = new PolyaxonClient({ env: { POLYAXON_IS_MANAGED: 'y', POLYAXON_API_HTTP_HOST: 'https://me:secret@plx.internal:443' } });
    const error = await client.experiment.get('u', 'p', 3).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ kind: 'not_found', url: 'https://plx.internal:443/api/v1/u/p/experiments/3/' });
    expect(String((error as Error).message)).not.toContain('secret');
  });
});

describe('every path ends with a slash', () => {
  const client = () => new PolyaxonClient({ env: {} });
  const base = 'http://localhost:8000/api/v1';
  const cases: Array<[string, (c: PolyaxonClient) => Promise<unknown>, string]> = [
    ['who am I', (c) => c.auth.getUser(), `${base}/users/`],
    ['project', (c) => c.project.getProject('u', 'p'), `${base}/u/p/`],
    ['projects of a user, page 1', (c) => c.project.listProjects('u'), `${base}/u/?offset=0`],
    ['experiments, page 3', (c) => c.project.listExperiments('u', 'p', { page: 3 }), `${base}/u/p/experiments/?offset=40`],
    ['statuses', (c) => c.experiment.getStatuses('u', 'p', 3, { page: 2 }), `${base}/u/p/experiments/3/statuses/?offset=20`],
    ['metrics, page 2 of 5,000', (c) => c.experiment.getMetrics('u', 'p', 3, { page: 2, limit: 5000 }), `${base}/u/p/experiments/3/metrics/?offset=5000&limit=5000`],
    ['metrics from an offset', (c) => c.experiment.getMetrics('u', 'p', 3, { offset: 1234, limit: 1000, page: 9 }), `${base}/u/p/experiments/3/metrics/?offset=1234&limit=1000`],
    ['code reference', (c) => c.experiment.getCodeReference('u', 'p', 3), `${base}/u/p/experiments/3/coderef/`],
    ['heartbeat', (c) => c.experiment.heartbeat('u', 'p', 3), `${base}/u/p/experiments/3/_heartbeat/`],
  ];
  it.each(cases)('%s', async (_name, call, expected) => {
    await call(client()).catch(() => undefined);
    expect(sent.map((request) => request.url)).toEqual([expected]);
  });
});

describe('settings', () => {
  it('falls back to the injected env object', () => {
    const settings = new PolyaxonClient({
      env: {
        POLYAXON_SECRET_USER_TOKEN: 'env-token',
        POLYAXON_AUTHENTICATION_TYPE: 'EphemeralToken',
        POLYAXON_NO_OP: 'true',
        POLYAXON_IS_OFFLINE: 'on',
        POLYAXON_VERIFY_SSL: 'no',
      },
    }).settings;
    expect(settings).toMatchObject({
      baseUrl: 'http://localhost:8000/api/v1',
      token: 'env-token',
      authenticationType: 'EphemeralToken',
      timeoutMs: 30_000,
      noOp: true,
      isOffline: true,
      verifySsl: false,
      isManaged: false,
    });
  });

  it('explicit options win over the env object', () => {
    const settings = new PolyaxonClient({
      token: 'explicit',
      authenticationType: 'Token',
      timeoutMs: 500,
      env: { POLYAXON_SECRET_USER_TOKEN: 'env-token', POLYAXON_AUTHENTICATION_TYPE: 'Internaltoken' },
    }).settings;
    expect(settings).toMatchObject({ token: 'explicit', authenticationType: 'Token', timeoutMs: 500 });
  });

  it('collects user headers and the in-cluster internal header', () => {
    const settings = new PolyaxonClient({
      headers: { 'X-Trace': '1' },
      env: { POLYAXON_INTERNAL_HEADER: 'X-POLYAXON-INTERNAL', POLYAXON_INTERNAL_HEADER_SERVICE: 'runner' },
    }).settings;
    expect(settings.headers).toEqual({ 'X-Trace': '1', 'X-POLYAXON-INTERNAL': 'runner' });
  });

  it('settings are read-only and setToken replaces the token', () => {
    const client = new PolyaxonClient({ token: 'a', env: {} });
    expect(Object.isFrozen(client.settings)).toBe(true);
    expect(Object.isFrozen(client.settings.headers)).toBe(true);
    client.setToken('b');
    expect(client.settings.token).toBe('b');
    client.setToken(undefined);
    expect(client.settings.token).toBeUndefined();
  });

  const badOptions: Array<[string, ClientOptions, string]> = [
    ['port 0', { port: 0, env: {} }, 'port'],
    ['port 70000', { port: 70_000, env: {} }, 'port'],
    ['fractional port', { port: 80.5, env: {} }, 'port'],
    ['non-numeric POLYAXON_HTTP_PORT', { env: { POLYAXON_HTTP_PORT: 'eighty' } }, 'POLYAXON_HTTP_PORT'],
    ['negative timeout', { timeoutMs: -1, env: {} }, 'timeoutMs'],
    ['host with a scheme', { host: 'http://x', env: {} }, 'host'],
    ['host with a path', { host: 'x/y', env: {} }, 'host'],
  ];
  it.each(badOptions)('refuses %s naming the field', (_name, options, field) => {
    expect(() => new PolyaxonClient(options)).toThrow(ValidationError);
    try {
      new PolyaxonClient(options);
    } catch (error) {
      expect((error as ValidationError).field).toBe(field);
    }
  });
});

describe('invalid input is refused before any request', () => {
  const client = () => new PolyaxonClient({ env: {} });
  const cases: Array<[string, (c: PolyaxonClient) => Promise<unknown>, string, RegExp]> = [
    ['project name with a space', (c) => c.project.createProject({ name: 'my project' }), 'name', /slug/],
    ['reserved project name', (c) => c.project.createProject({ name: 'Projects' }), 'name', /reserved/],
    ['project name of 129 chars', (c) => c.project.createProject({ name: 'a'.repeat(129) }), 'name', /at most 128/],
    ['empty project name', (c) => c.project.createProject({ name: '' }), 'name', /empty/],
    ['project path segment', (c) => c.project.getProject('u', '../etc'), 'project', /slug/],
    ['user path segment', (c) => c.project.getProject('..', 'p'), 'user', /letters/],
    ['user with a slash', (c) => c.project.listProjects('a/b'), 'user', /letters/],
    ['non-integer experiment id', (c) => c.experiment.get('u', 'p', 1.5), 'id', /positive integer/],
    ['zero experiment id', (c) => c.experiment.heartbeat('u', 'p', 0), 'id', /positive integer/],
    ['experiment id as text', (c) => c.experiment.stop('u', 'p', '3' as unknown as number), 'id', /positive integer/],
    ['page 0', (c) => c.project.listExperiments('u', 'p', { page: 0 }), 'page', /at least 1/],
    ['fractional page', (c) => c.experiment.getMetrics('u', 'p', 1, { page: 1.5 }), 'page', /at least 1/],
    ['limit 0', (c) => c.experiment.getMetrics('u', 'p', 1, { limit: 0 }), 'limit', /at least 1/],
    ['negative offset', (c) => c.experiment.getStatuses('u', 'p', 1, { offset: -1 }), 'offset', /at least 0/],
    ['experiment name', (c) => c.project.createExperiment('u', 'p', { name: 'a b' }), 'name', /slug/],
    ['renaming to a reserved word', (c) => c.experiment.update('u', 'p', 1, { name: 'status' }), 'name', /reserved/],
    ['empty tag', (c) => c.experiment.update('u', 'p', 1, { tags: ['ok', ' '] }), 'tags[1]', /non-empty/],
    ['tag of 65 chars', (c) => c.project.createProject({ name: 'p', tags: ['t'.repeat(65)] }), 'tags[0]', /at most 64/],
    ['unknown status', (c) => c.experiment.createStatus('u', 'p', 1, { status: 'done' as never }), 'status', /one of/],
    ['metric value that is text', (c) => c.experiment.createMetrics('u', 'p', 1, [{ values: { loss: 'x' as never } }]), 'metrics[0].values.loss', /number/],
    ['metric value NaN', (c) => c.experiment.createMetrics('u', 'p', 1, [{ values: { loss: Number.NaN } }]), 'metrics[0].values.loss', /finite/],
    ['metrics not an array', (c) => c.experiment.createMetrics('u', 'p', 1, { values: {} } as never), 'metrics', /array/],
    ['log line that is not text', (c) => c.experiment.sendLogs('u', 'p', 1, ['ok', 3 as never]), 'lines[1]', /string/],
    ['login without password', (c) => c.auth.login({ username: 'u', password: '' }), 'password', /non-empty/],
  ];
  it.each(cases)('%s', async (_name, call, field, rule) => {
    const error = await call(client()).then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe(field);
    expect((error as ValidationError).rule).toMatch(rule);
    expect(sent).toHaveLength(0);
  });
});
