/**
 * F42: `serve --no-auth` is usable by the user's own tools and by no web page they happen to visit.
 * Requests go over loopback with the `Host` and `Origin` a browser (or a DNS-rebinding page) would
 * send; the browser's side of it is test/browser/security-no-auth.spec.ts.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { createOriginPolicy } from '../../src/server/origin-policy';
import { rawExchange, startTestServer, type RawAnswer, type TestServer } from '../helpers/server-api';

const NAMED = 'http://127.0.0.1:5173';
let t: TestServer | undefined;
let bare: Server | undefined;

afterEach(async () => {
  await t?.dispose();
  t = undefined;
  await new Promise<void>((resolve) => (bare ? bare.close(() => resolve()) : resolve()));
  bare = undefined;
});

const json = (answer: RawAnswer) => JSON.parse(answer.bytes.toString('utf8'));

async function noAuthServer(corsOrigins: string[] = [NAMED]): Promise<TestServer> {
  t = await startTestServer({ noAuth: true, token: undefined, corsOrigins });
  return t;
}

async function projectNames(server: TestServer): Promise<string[]> {
  const listed = await server.call('GET', 'local/');
  return listed.body.results.map((project: { name: string }) => project.name);
}

describe('F42 serve --no-auth and web pages', () => {
  it('F42 a Host that is not one of the server\'s names is refused with 403 (DNS rebinding); loopback names work', async () => {
    const server = await noAuthServer();
    const port = server.server.port;
    for (const host of [`evil.example:${port}`, `evil.example.:${port}`, `127.0.0.1.nip.io:${port}`]) {
      const read = await rawExchange(server.server.url, { path: '/api/v1/local/', headers: { Host: host } });
      expect(read.status, host).toBe(403);
      expect(json(read).detail, host).toMatch(/^Host ".*" is not a name of this server/);
      const write = await rawExchange(server.server.url, {
        method: 'POST', path: '/api/v1/projects/', headers: { Host: host, 'Content-Type': 'application/json' }, body: '{"name":"rebound"}',
      });
      expect(write.status, host).toBe(403);
    }
    expect(await projectNames(server)).toEqual([]);
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`, `app.localhost:${port}`]) {
      expect((await rawExchange(server.server.url, { path: '/api/v1/users/', headers: { Host: host } })).status, host).toBe(200);
    }
  });

  it('F42 another origin cannot read or write: 403 before anything runs, and no CORS headers', async () => {
    const server = await noAuthServer();
    const foreign = 'http://127.0.0.1:9';
    const read = await rawExchange(server.server.url, { path: '/api/v1/local/', headers: { Origin: foreign } });
    expect(read.status).toBe(403);
    expect(json(read).detail).toBe(`Origin "${foreign}" may not use this server; start serve with --cors-origin ${foreign} to allow it.`);
    expect(read.headers['access-control-allow-origin']).toBeUndefined();
    // The writes a page can make without a preflight: a form, text/plain, a body-less POST.
    const simple = [
      { 'Content-Type': 'application/x-www-form-urlencoded', body: 'name=csrf' },
      { 'Content-Type': 'text/plain;charset=UTF-8', body: '{"name":"csrf"}' },
      { 'Content-Type': 'application/json', body: '{"name":"csrf"}' },
    ];
    for (const { body, ...headers } of simple) {
      const write = await rawExchange(server.server.url, { method: 'POST', path: '/api/v1/projects/', headers: { ...headers, Origin: foreign }, body });
      expect(write.status).toBe(403);
    }
    const preflight = await rawExchange(server.server.url, {
      method: 'OPTIONS', path: '/api/v1/projects/', headers: { Origin: foreign, 'Access-Control-Request-Method': 'POST' },
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    expect(preflight.headers['access-control-allow-methods']).toBeUndefined();
    expect(await projectNames(server)).toEqual([]);
  });

  it('F42 the server\'s own origin (any of its loopback names) and each --cors-origin get CORS for their origin alone', async () => {
    const server = await noAuthServer([NAMED, 'https://lab.example']);
    const port = server.server.port;
    for (const [index, origin] of [`http://127.0.0.1:${port}`, `http://localhost:${port}`, NAMED, 'https://lab.example', 'HTTPS://LAB.EXAMPLE:443'].entries()) {
      const answer = await rawExchange(server.server.url, {
        method: 'POST', path: '/api/v1/projects/', headers: { Origin: origin, 'Content-Type': 'application/json' }, body: `{"name":"p${index}"}`,
      });
      expect(answer.status, origin).toBe(201);
      expect(answer.headers['access-control-allow-origin'], origin).toBe(origin);
      expect(answer.headers.vary, origin).toMatch(/Origin/);
      expect(answer.headers['access-control-expose-headers'], origin).toMatch(/X-Polyaxon-Tracking/);
    }
    const preflight = await rawExchange(server.server.url, {
      method: 'OPTIONS',
      path: '/api/v1/projects/',
      headers: { Origin: NAMED, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type, idempotency-key' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(NAMED);
    expect(preflight.headers['access-control-allow-headers']).toMatch(/Idempotency-Key/);
    // A page the server itself served through a port mapping names the Host it was loaded from.
    const mapped = await rawExchange(server.server.url, { path: '/api/v1/users/', headers: { Host: 'localhost:18080', Origin: 'http://localhost:18080' } });
    expect(mapped.status).toBe(200);
    expect(mapped.headers['access-control-allow-origin']).toBe('http://localhost:18080');
    // Same server, another port: another origin.
    const otherPort = await rawExchange(server.server.url, { path: '/api/v1/users/', headers: { Origin: `http://127.0.0.1:${port + 1}` } });
    expect(otherPort.status).toBe(403);
    // Tools that send no Origin (curl, the Python client, Node) are not affected.
    expect((await rawExchange(server.server.url, { path: '/api/v1/users/' })).status).toBe(200);
  });

  it('F42 a text/plain, form or multipart body gets 415 with a JSON error and writes nothing; the login form still works', async () => {
    const server = await startTestServer();
    t = server;
    const bodies = [
      { type: 'text/plain;charset=UTF-8', body: '{"name":"p"}' },
      { type: 'application/x-www-form-urlencoded', body: 'name=p' },
      { type: 'multipart/form-data; boundary=x', body: '--x\r\nContent-Disposition: form-data; name="name"\r\n\r\np\r\n--x--\r\n' },
      { type: '', body: '{"name":"p"}' },
    ];
    for (const { type, body } of bodies) {
      const headers: Record<string, string> = { Authorization: 'Token test-token' };
      if (type) headers['Content-Type'] = type;
      const answer = await rawExchange(server.server.url, { method: 'POST', path: '/api/v1/projects/', headers, body });
      expect(answer.status, type).toBe(415);
      expect(answer.headers['content-type'], type).toBe('application/json');
      // DRF's UnsupportedMediaType, as Polyaxon 0.6.1 answers a body none of its parsers reads.
      expect(json(answer), type).toEqual({ detail: `Unsupported media type "${type}" in request.` });
    }
    expect(await projectNames(server)).toEqual([]);
    const form = { 'Content-Type': 'application/x-www-form-urlencoded' };
    const login = await server.call('POST', 'users/token/', undefined, { token: null, headers: form, raw: 'username=local&password=test-token' });
    expect(login.status).toBe(200);
    expect(login.body).toEqual({ token: 'test-token' });
    expect((await server.call('POST', 'projects/', { name: 'json' }, { headers: { 'Content-Type': 'application/json; charset=utf-8' } })).status).toBe(201);
  });

  it('F42 bound to every interface, --no-auth answers to the machine\'s addresses and name, and to nothing else', async () => {
    // The policy of a server bound to 0.0.0.0, exercised on a loopback socket.
    const policy = createOriginPolicy({ boundHost: '0.0.0.0', noAuth: true, corsOrigins: [], allowedHosts: ['proxy.lan'] });
    bare = createServer((req, res) => {
      const admission = policy.admit(req);
      res.writeHead(admission.kind === 'admitted' ? 200 : 403, admission.headers);
      res.end();
    });
    await new Promise<void>((resolve) => bare!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(bare.address() as AddressInfo).port}`;
    const addresses = Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((entry) => entry.address));
    const own = [hostname(), '0.0.0.0', 'proxy.lan', ...addresses.map((address) => (address.includes(':') ? `[${address}]` : address))];
    for (const host of own) expect((await rawExchange(url, { path: '/', headers: { Host: `${host}:8000` } })).status, host).toBe(200);
    expect((await rawExchange(url, { path: '/', headers: { Host: 'evil.example:8000' } })).status).toBe(403);
  });
});

describe('with a token', () => {
  it('any origin may call (CORS *) and Host is not checked, unless --cors-origin names origins', async () => {
    t = await startTestServer();
    const open = await rawExchange(t.server.url, { path: '/api/v1/users/', headers: { Origin: 'http://page.example', Host: 'box.lan', Authorization: 'Token test-token' } });
    expect(open.status).toBe(200);
    expect(open.headers['access-control-allow-origin']).toBe('*');
    await t.dispose();
    t = await startTestServer({ corsOrigins: [NAMED] });
    const named = await rawExchange(t.server.url, { path: '/api/v1/users/', headers: { Origin: NAMED, Authorization: 'Token test-token' } });
    expect(named.headers['access-control-allow-origin']).toBe(NAMED);
    const other = await rawExchange(t.server.url, { path: '/api/v1/users/', headers: { Origin: 'http://page.example', Authorization: 'Token test-token' } });
    expect(other.status).toBe(403);
  });
});
