import { request } from 'node:http';
import { rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createExperiment, snapshotDir, startTestServer, tempDir, type TestServer } from '../helpers/server-api';

let t: TestServer;
let experimentPath: string;
let before: Awaited<ReturnType<typeof snapshotDir>>;

beforeEach(async () => {
  t = await startTestServer({ users: { alice: 'alice-token' } });
  await t.call('POST', 'projects/', { name: 'private', is_public: false });
  ({ path: experimentPath } = await createExperiment(t.call, 'private'));
  before = await snapshotDir(t.dataDir);
});
afterEach(async () => {
  // Every case below must leave the data folder exactly as it was.
  expect(await snapshotDir(t.dataDir)).toEqual(before);
  await t.dispose();
});

/** A request with the path sent byte for byte (fetch would resolve `..` segments first). */
function rawRequest(path: string, options: { method?: string; body?: string; chunks?: Buffer[]; token?: string } = {}) {
  const url = new URL(t.server.url);
  return new Promise<{ status: number; body: any; text: string }>((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path,
        method: options.method ?? 'GET',
        headers: { Authorization: `Token ${options.token ?? 'test-token'}`, 'Content-Type': 'application/json' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, text, body: text ? JSON.parse(text) : null });
        });
      },
    );
    req.on('error', reject);
    for (const chunk of options.chunks ?? []) req.write(chunk);
    req.end(options.body);
  });
}

describe('F27 local server refuses bad requests with a JSON error and writes nothing', () => {
  it('F27 missing token: 401', async () => {
    const answer = await t.call('POST', `${experimentPath}/metrics/`, { values: { loss: 1 } }, { token: null });
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({ detail: 'Authentication credentials were not provided.' });
  });

  it('F27 wrong token: 401', async () => {
    const answer = await t.call('POST', 'projects/', { name: 'sneaky' }, { token: 'wrong-token' });
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({ detail: 'Invalid token.' });
    expect(answer.headers.get('www-authenticate')).toBe('Token');
  });

  it('F27 foreign user\'s private project: 403 for reads and writes', async () => {
    const alice = { token: 'alice-token' };
    const read = await t.call('GET', `${experimentPath}/`, undefined, alice);
    expect(read.status).toBe(403);
    expect(read.body).toEqual({ detail: 'You do not have permission to perform this action.' });
    const write = await t.call('POST', `${experimentPath}/metrics/`, { values: { loss: 1 } }, alice);
    expect(write.status).toBe(403);
    const patch = await t.call('PATCH', 'local/private/', { is_public: true }, alice);
    expect(patch.status).toBe(403);
  });

  it('F27 path traversal: encoded and plain dot segments are 400/404 and read nothing', async () => {
    // A file beside the data folder that a traversal would reach.
    const secret = join(dirname(t.dataDir), `secret-${Date.now()}.txt`);
    await writeFile(secret, 'TOP-SECRET-CONTENT');
    try {
      const name = secret.split('/').pop();
      const paths = [
        '/api/v1/..%2F..%2Fetc/passwd/',
        `/api/v1/..%2F${name}/`,
        '/api/v1/../../etc/passwd',
        `/api/v1/local/../../${name}`,
        '/api/v1/local/%2e%2e/%2e%2e/etc/passwd/',
        '/api/v1/local/private%2F..%2F..%2Fsecret/experiments/',
        '/api/v1/local/private/experiments/1%2F..%2F..%2F/',
        '/api/v1/%00/',
        '/api/v1/local/..\\..\\etc/',
      ];
      for (const path of paths) {
        for (const method of ['GET', 'POST']) {
          const answer = await rawRequest(path, { method, body: method === 'POST' ? '{"name":"x"}' : undefined });
          expect([400, 404], `${method} ${path}`).toContain(answer.status);
          expect(typeof answer.body.detail, path).toBe('string');
          expect(answer.text).not.toContain('TOP-SECRET');
          expect(answer.text).not.toContain('root:');
        }
      }
    } finally {
      await rm(secret, { force: true });
    }
  });

  it('F27 oversized body: 413 (declared length over the 10 MB default)', async () => {
    const huge = JSON.stringify([{ values: { loss: 1 }, created_at: 'x'.repeat(11 * 1024 * 1024) }]);
    const answer = await t.call('POST', `${experimentPath}/metrics/`, undefined, {
      raw: huge,
      headers: { 'Content-Type': 'application/json' },
    });
    expect(answer.status).toBe(413);
    expect(answer.body.detail).toMatch(/exceeds the limit of 10485760 bytes/);
  });

  it('F27 oversized body: 413 for a chunked body that grows past the limit', async () => {
    const small = await startTestServer({ maxBodyBytes: 1024 });
    try {
      const url = new URL(small.server.url);
      const status = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request(
          { host: url.hostname, port: url.port, path: '/api/v1/projects/', method: 'POST', headers: { Authorization: 'Token test-token', 'Transfer-Encoding': 'chunked' } },
          (res) => {
            let body = '';
            res.on('data', (chunk) => (body += chunk));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          },
        );
        req.on('error', reject);
        for (let index = 0; index < 8; index += 1) req.write(Buffer.alloc(512, 0x20));
        req.end('{"name":"big"}');
      });
      expect(status.status).toBe(413);
      expect(JSON.parse(status.body).detail).toMatch(/1024 bytes/);
      expect((await small.call('GET', 'local/big/')).status).toBe(404);
    } finally {
      await small.dispose();
    }
  });

  it('F27 malformed JSON: 400', async () => {
    const answer = await t.call('POST', `${experimentPath}/metrics/`, undefined, {
      raw: '[{"values": {"loss": 1}',
      headers: { 'Content-Type': 'application/json' },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.detail).toMatch(/^JSON parse error - /);
    const notObject = await t.call('PATCH', `${experimentPath}/`, [1, 2]);
    expect(notObject.status).toBe(400);
    expect(notObject.body).toEqual({ non_field_errors: ['Invalid data. Expected a dictionary, but got list.'] });
  });

  it('F27 unknown user, project or experiment: 404', async () => {
    for (const path of ['nobody/demo/', 'local/missing/experiments/', `local/private/experiments/999999/`]) {
      const answer = await t.call('GET', path);
      expect(answer.status, path).toBe(404);
      expect(answer.body).toEqual({ detail: 'Not found.' });
    }
  });
});

describe('binding', () => {
  it('binds 127.0.0.1 by default', async () => {
    const dataDir = await tempDir();
    const { startServer } = await import('../../src/server/index');
    const server = await startServer({ dataDir, port: 0, quiet: true, token: 'x' });
    try {
      expect(server.host).toBe('127.0.0.1');
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    } finally {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
