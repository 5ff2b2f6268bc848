import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startServer } from '../../src/server/index';
import { apiFor, createExperiment, rawExchange, startTestServer, tempDir, type TestServer } from '../helpers/server-api';

let t: TestServer;
beforeEach(async () => {
  t = await startTestServer();
});
afterEach(async () => {
  await t.dispose();
});

/** Bytes in the database and its WAL: a commit that changed anything adds WAL frames. */
const storedBytes = async (dataDir: string) => {
  const sizes = await Promise.all(['server.db', 'server.db-wal'].map((name) => stat(join(dataDir, name)).then((info) => info.size, () => 0)));
  return sizes[0] + sizes[1];
};

describe('CORS', () => {
  it('answers a preflight allowing Authorization, Content-Type, Idempotency-Key and the methods used', async () => {
    const response = await fetch(`${t.server.url}/api/v1/local/demo/experiments/1/`, {
      method: 'OPTIONS',
      headers: {
        Origin: 'http://page.example',
        'Access-Control-Request-Method': 'PATCH',
        'Access-Control-Request-Headers': 'authorization, content-type, idempotency-key, x-polyaxon-internal',
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('x-polyaxon-tracking')).toBe('idempotency');
    const methods = response.headers.get('access-control-allow-methods') ?? '';
    for (const method of ['GET', 'POST', 'PATCH', 'DELETE']) expect(methods).toContain(method);
    const headers = (response.headers.get('access-control-allow-headers') ?? '').toLowerCase();
    for (const header of ['authorization', 'content-type', 'idempotency-key', 'x-polyaxon-internal']) {
      expect(headers).toContain(header);
    }
  });

  it('marks ordinary answers, errors included, as readable from any origin', async () => {
    const ok = await t.call('GET', 'users/', undefined, { headers: { Origin: 'http://page.example' } });
    expect(ok.headers.get('access-control-allow-origin')).toBe('*');
    const denied = await t.call('GET', 'users/', undefined, { token: null, headers: { Origin: 'http://page.example' } });
    expect(denied.status).toBe(401);
    expect(denied.headers.get('access-control-allow-origin')).toBe('*');
  });
});

describe('X-Polyaxon-Tracking (what the browser client probes before it sends Idempotency-Key)', () => {
  it('every answer, errors and non-API paths included, says `X-Polyaxon-Tracking: idempotency` and exposes it to pages', async () => {
    const origin = { Origin: 'http://page.example' };
    const answers = {
      'GET users/': await t.call('GET', 'users/', undefined, { headers: origin }),
      'GET users/ without token (401)': await t.call('GET', 'users/', undefined, { token: null, headers: origin }),
      'unknown path (404)': await t.call('GET', 'local/nothing/', undefined, { headers: origin }),
      'text body (415)': await t.call('POST', 'projects/', undefined, { raw: '{"name":"p"}', headers: { ...origin, 'Content-Type': 'text/plain' } }),
    };
    for (const [what, answer] of Object.entries(answers)) {
      expect(answer.headers.get('x-polyaxon-tracking'), what).toBe('idempotency');
      expect(answer.headers.get('access-control-expose-headers'), what).toMatch(/(^|, )X-Polyaxon-Tracking(,|$)/);
    }
    for (const path of ['/', '/favicon.ico']) {
      expect((await fetch(`${t.server.url}${path}`)).headers.get('x-polyaxon-tracking'), path).toBe('idempotency');
    }
  });
});

describe('gzip (as Polyaxon compresses its lists)', () => {
  it('answers to GET over 1 KiB are gzip-compressed when the request accepts gzip, and only then', async () => {
    const { path } = await createExperiment(t.call);
    const points = Array.from({ length: 200 }, (_, step) => ({ values: { step, loss: 1 / (step + 1) } }));
    expect((await t.call('POST', `${path}/metrics/`, points)).status).toBe(201);
    const listing = { path: `/api/v1/${path}/metrics/?limit=1000` };
    const auth = { Authorization: 'Token test-token' };

    const plain = await rawExchange(t.server.url, { ...listing, headers: auth });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers['content-length']).toBe(String(plain.bytes.length));
    expect(plain.bytes.length).toBeGreaterThan(1024);
    const listed = JSON.parse(plain.bytes.toString('utf8'));
    expect(listed.count).toBe(200);

    for (const acceptEncoding of ['gzip, deflate, br', 'deflate, gzip;q=0.5', '*']) {
      const gzipped = await rawExchange(t.server.url, { ...listing, headers: { ...auth, 'Accept-Encoding': acceptEncoding } });
      expect(gzipped.headers['content-encoding'], acceptEncoding).toBe('gzip');
      expect(gzipped.headers.vary).toMatch(/Accept-Encoding/);
      expect(gzipped.bytes.length).toBeLessThan(plain.bytes.length / 3);
      expect(JSON.parse(gunzipSync(gzipped.bytes).toString('utf8'))).toEqual(listed);
    }
    for (const refused of ['identity', 'gzip;q=0, identity', 'br', '*;q=0']) {
      const answer = await rawExchange(t.server.url, { ...listing, headers: { ...auth, 'Accept-Encoding': refused } });
      expect(answer.headers['content-encoding'], refused).toBeUndefined();
      expect(answer.bytes.equals(plain.bytes), refused).toBe(true);
    }
    // Only reads are compressed, as in Polyaxon: a write's answer costs no compression. (A list
    // of points is answered with no body at all; one point is answered with itself.)
    const wide = { values: Object.fromEntries(Array.from({ length: 100 }, (_, index) => [`metric_${index}`, index / 7])) };
    const written = await rawExchange(t.server.url, {
      method: 'POST',
      path: `/api/v1/${path}/metrics/`,
      headers: { ...auth, 'Accept-Encoding': 'gzip', 'Content-Type': 'application/json' },
      body: JSON.stringify(wide),
    });
    expect(written.status).toBe(201);
    expect(written.bytes.length).toBeGreaterThan(1024);
    expect(written.headers['content-encoding']).toBeUndefined();
    // Under the threshold a body goes out as it is, with its length.
    const small = await rawExchange(t.server.url, { path: '/api/v1/users/', headers: { ...auth, 'Accept-Encoding': 'gzip' } });
    expect(small.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(small.bytes.toString('utf8')).username).toBe('local');
    // The dashboard's script is text too.
    const page = await rawExchange(t.server.url, { path: '/' });
    const script = /src="(assets\/[^"]+\.js)"/.exec(page.bytes.toString('utf8'))?.[1];
    const asset = await rawExchange(t.server.url, { path: `/${script}`, headers: { 'Accept-Encoding': 'gzip' } });
    expect(asset.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(asset.bytes).toString('utf8')).toContain('u-over');
  });
});

describe('Idempotency-Key', () => {
  it('a repeated key answers the first response and writes nothing again', async () => {
    const { path } = await createExperiment(t.call);
    const headers = { 'Idempotency-Key': 'batch-1' };
    const first = await t.call('POST', `${path}/metrics/`, [{ values: { step: 1, loss: 0.5 } }], { headers });
    const bytesAfterFirst = await storedBytes(t.dataDir);
    const again = await t.call('POST', `${path}/metrics/`, [{ values: { step: 1, loss: 0.5 } }], { headers });
    expect(again.status).toBe(first.status);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await storedBytes(t.dataDir)).toBe(bytesAfterFirst);
    expect((await t.call('GET', `${path}/metrics/`)).body.count).toBe(1);
  });

  it('concurrent requests with one key run once', async () => {
    const { path } = await createExperiment(t.call);
    const headers = { 'Idempotency-Key': 'same' };
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => t.call('POST', `${path}/metrics/`, { values: { loss: 1 } }, { headers })),
    );
    expect(new Set(answers.map((answer) => answer.body.id)).size).toBe(1);
    expect((await t.call('GET', `${path}/metrics/`)).body.count).toBe(1);
  });

  it('keys are per user, and a refused request is not remembered', async () => {
    const z = await startTestServer({ users: { alice: 'alice-token' } });
    try {
      const headers = { 'Idempotency-Key': 'k' };
      const bad = await z.call('POST', 'projects/', { name: 'not a slug' }, { headers });
      expect(bad.status).toBe(400);
      const mine = await z.call('POST', 'projects/', { name: 'mine' }, { headers });
      expect(mine.status).toBe(201);
      const hers = await z.call('POST', 'projects/', { name: 'hers' }, { headers, token: 'alice-token' });
      expect(hers.status).toBe(201);
      expect(hers.body.unique_name).toBe('alice.hers');
    } finally {
      await z.dispose();
    }
  });

  it('an unusable key is refused with 400', async () => {
    const answer = await t.call('POST', 'projects/', { name: 'p' }, { headers: { 'Idempotency-Key': 'x'.repeat(300) } });
    expect(answer.status).toBe(400);
    expect(answer.body.detail).toMatch(/Idempotency-Key/);
  });
});

describe('routing', () => {
  it('accepts paths with and without the trailing slash', async () => {
    expect((await t.call('GET', 'users')).status).toBe(200);
    expect((await t.call('GET', 'users/')).status).toBe(200);
  });

  it('answers 405 with Allow for a known path and an unknown method, 404 for an unknown path', async () => {
    const answer = await t.call('PUT', 'users/');
    expect(answer.status).toBe(405);
    expect(answer.headers.get('allow')).toBe('GET');
    const missing = await t.call('GET', 'local/demo/experiments/1/nothing-here/');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ detail: 'Not found.' });
  });

  it('serves the dashboard page without a token; its data still needs one', async () => {
    const page = await fetch(`${t.server.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toMatch(/<script type="module" src="assets\/app-[\w-]+\.js">/);
    expect(html).not.toContain('test-token');
  });
});

describe('token and auth modes', () => {
  it('generates a token at first start (file mode 0600) and reuses it at the next start', async () => {
    const dataDir = await tempDir();
    try {
      const first = await startServer({ dataDir, port: 0, quiet: true });
      await first.close();
      expect(first.token).toMatch(/^[0-9a-f]{40}$/);
      const file = join(dataDir, 'token');
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      const second = await startServer({ dataDir, port: 0, quiet: true });
      expect(second.token).toBe(first.token);
      const call = apiFor(second.url, second.token);
      expect((await call('GET', 'users/')).status).toBe(200);
      await second.close();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('--no-auth accepts requests without a token as the main user', async () => {
    const dataDir = await tempDir();
    try {
      const server = await startServer({ dataDir, port: 0, quiet: true, noAuth: true, user: 'me' });
      const answer = await apiFor(server.url, '')('GET', 'users/', undefined, { token: null });
      expect(answer.body.username).toBe('me');
      await server.close();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('accepts Polyaxon\'s other scheme words and refuses a malformed header', async () => {
    for (const scheme of ['Token', 'EphemeralToken', 'Internaltoken']) {
      const response = await fetch(`${t.server.url}/api/v1/users/`, { headers: { Authorization: `${scheme} test-token` } });
      expect(response.status, scheme).toBe(200);
    }
    const malformed = await fetch(`${t.server.url}/api/v1/users/`, { headers: { Authorization: 'Basic dGVzdA==' } });
    expect(malformed.status).toBe(401);
  });

  it('close() twice is one close', async () => {
    const dataDir = await tempDir();
    const server = await startServer({ dataDir, port: 0, quiet: true, token: 't' });
    const first = server.close();
    expect(server.close()).toBe(first);
    await first;
    await rm(dataDir, { recursive: true, force: true });
  });
});
