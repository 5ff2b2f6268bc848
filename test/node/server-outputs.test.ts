/**
 * The local server's experiment outputs: `POST/GET .../experiments/{id}/outputs/{path}` with raw
 * bodies, `GET .../outputs/` listing, and the same refusals (F27) as every other route.
 */
import { request } from 'node:http';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PolyaxonError, ValidationError } from '../../src/index.node';
import { clientFor } from '../helpers/local-server';
import { createExperiment, startTestServer, type TestServer } from '../helpers/server-api';

let t: TestServer;
let id: number;
let path: string;

beforeEach(async () => {
  t = await startTestServer({ users: { alice: 'alice-token' }, maxBodyBytes: 64 * 1024 });
  await t.call('POST', 'projects/', { name: 'private', is_public: false });
  ({ id, path } = await createExperiment(t.call, 'private'));
});
afterEach(async () => {
  await t.dispose();
});

const client = (token = 'test-token') => clientFor(t.server.port, token);

/** Every file under the data folder's outputs, relative paths. */
async function storedFiles(): Promise<string[]> {
  const root = join(t.dataDir, 'outputs');
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name).slice(root.length + 1)).sort();
}

/** A request with the path and body sent byte for byte (fetch would resolve `..` segments first). */
function rawRequest(rawPath: string, options: { method?: string; body?: Buffer | string; token?: string | null } = {}) {
  const url = new URL(t.server.url);
  const headers: Record<string, string> = { 'Content-Type': 'application/octet-stream' };
  if (options.token !== null) headers.Authorization = `Token ${options.token ?? 'test-token'}`;
  return new Promise<{ status: number; body: any; text: string }>((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: rawPath, method: options.method ?? 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = null;
        try {
          body = text ? JSON.parse(text) : null;
        } catch {
          body = text;
        }
        resolve({ status: res.statusCode ?? 0, text, body });
      });
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('local server: experiment outputs', () => {
  it('stores a binary body as sent and answers it back byte for byte', async () => {
    const bytes = new Uint8Array(4096).map((_, index) => (index * 31 + 7) % 256);
    const written = await client().outputs.upload('local', 'private', id, 'weights/model.weights.bin', bytes);
    expect(written).toEqual({ path: 'weights/model.weights.bin', size: 4096 });
    const back = new Uint8Array(await client().outputs.download('local', 'private', id, 'weights/model.weights.bin'));
    expect(back).toEqual(bytes);
    expect(await storedFiles()).toEqual([`${id}/weights/model.weights.bin`]);
  });

  it('serves .json outputs as application/json and others as octet-stream; a trailing slash is the same path', async () => {
    await client().outputs.upload('local', 'private', id, 'model.json', '{"a":1}', { contentType: 'application/json' });
    const json = await t.call('GET', `${path}/outputs/model.json`);
    expect(json.status).toBe(200);
    expect(json.headers.get('content-type')).toBe('application/json');
    expect(json.body).toEqual({ a: 1 });
    const again = await t.call('GET', `${path}/outputs/model.json/`);
    expect(again.text).toBe('{"a":1}');
    await client().outputs.upload('local', 'private', id, 'blob', new Uint8Array([1, 2]));
    expect((await t.call('GET', `${path}/outputs/blob`)).headers.get('content-type')).toBe('application/octet-stream');
  });

  it('an upload replaces the output; an empty body gives an empty file', async () => {
    await client().outputs.upload('local', 'private', id, 'notes.txt', 'first version');
    await client().outputs.upload('local', 'private', id, 'notes.txt', 'second');
    expect(new TextDecoder().decode(await client().outputs.download('local', 'private', id, 'notes.txt'))).toBe('second');
    await client().outputs.upload('local', 'private', id, 'empty', new Uint8Array(0));
    expect((await client().outputs.download('local', 'private', id, 'empty')).byteLength).toBe(0);
  });

  it('lists outputs sorted by path with sizes, paginated 20 a page', async () => {
    for (let index = 0; index < 23; index += 1) {
      await client().outputs.upload('local', 'private', id, `checkpoints/step-${String(index).padStart(2, '0')}.bin`, new Uint8Array(index));
    }
    await client().outputs.upload('local', 'private', id, 'a-first.json', '{}');
    const first = await client().outputs.list('local', 'private', id);
    expect(first.count).toBe(24);
    expect(first.results).toHaveLength(20);
    expect(first.results[0]).toMatchObject({ path: 'a-first.json', size: 2 });
    expect(first.results[1]).toMatchObject({ path: 'checkpoints/step-00.bin', size: 0 });
    expect(first.results[0].modified_at).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(first.next).toContain('offset=20');
    const second = await client().outputs.list('local', 'private', id, { page: 2 });
    expect(second.results.map((file) => file.path)).toEqual(['checkpoints/step-19.bin', 'checkpoints/step-20.bin', 'checkpoints/step-21.bin', 'checkpoints/step-22.bin']);
    const raw = await t.call('GET', `${path}/outputs/`);
    expect(raw.status).toBe(200);
    expect(raw.body.count).toBe(24);
  });

  it('an experiment without outputs lists none; a missing output or experiment is 404', async () => {
    expect(await client().outputs.list('local', 'private', id)).toMatchObject({ count: 0, results: [] });
    await expect(client().outputs.download('local', 'private', id, 'missing.bin')).rejects.toMatchObject({ kind: 'not_found', status: 404 });
    await expect(client().outputs.upload('local', 'private', id + 100, 'x.bin', 'x')).rejects.toMatchObject({ status: 404 });
    await client().outputs.upload('local', 'private', id, 'folder/file.bin', 'x');
    expect((await t.call('GET', `${path}/outputs/folder`)).status).toBe(404);
  });

  it('a file where a folder is needed, or a folder where a file is, is 409 and changes nothing', async () => {
    await client().outputs.upload('local', 'private', id, 'model', 'file');
    await client().outputs.upload('local', 'private', id, 'dir/inner', 'file');
    await expect(client().outputs.upload('local', 'private', id, 'model/inner', 'x')).rejects.toMatchObject({ status: 409 });
    await expect(client().outputs.upload('local', 'private', id, 'dir', 'x')).rejects.toMatchObject({ status: 409 });
    expect(await storedFiles()).toEqual([`${id}/dir/inner`, `${id}/model`]);
  });

  it('survives a restart: outputs are files in the data folder', async () => {
    await client().outputs.upload('local', 'private', id, 'model.json', '{"kept":true}');
    await t.server.close();
    const { startServer } = await import('../../src/server/index');
    const restarted = await startServer({ port: 0, quiet: true, token: 'test-token', dataDir: t.dataDir });
    try {
      const again = clientFor(restarted.port, 'test-token');
      expect(new TextDecoder().decode(await again.outputs.download('local', 'private', id, 'model.json'))).toBe('{"kept":true}');
    } finally {
      await restarted.close();
    }
  });
});

describe('F27 local server: outputs refusals write nothing', () => {
  afterEach(async () => {
    expect(await storedFiles()).toEqual([]);
  });

  it('F27 outputs without a token or with a wrong one: 401', async () => {
    for (const method of ['GET', 'POST']) {
      const missing = await rawRequest(`/api/v1/${path}/outputs/model.json`, { method, token: null, body: method === 'POST' ? 'x' : undefined });
      expect(missing.status, method).toBe(401);
      const wrong = await rawRequest(`/api/v1/${path}/outputs/model.json`, { method, token: 'wrong', body: method === 'POST' ? 'x' : undefined });
      expect(wrong.status, method).toBe(401);
    }
    expect((await rawRequest(`/api/v1/${path}/outputs/`, { token: null })).status).toBe(401);
    await expect(client('wrong').outputs.list('local', 'private', id)).rejects.toMatchObject({ kind: 'unauthenticated' });
  });

  it('F27 outputs of a foreign user\'s private project: 403 for reads, writes and listing', async () => {
    const alice = client('alice-token');
    await expect(alice.outputs.upload('local', 'private', id, 'model.json', '{}')).rejects.toMatchObject({ kind: 'forbidden', status: 403 });
    await expect(alice.outputs.download('local', 'private', id, 'model.json')).rejects.toMatchObject({ status: 403 });
    await expect(alice.outputs.list('local', 'private', id)).rejects.toMatchObject({ status: 403 });
  });

  it('F27 outputs path traversal: dot, hidden, encoded-separator and backslash segments are 400/404 and reach nothing', async () => {
    const secret = join(dirname(t.dataDir), `secret-${Date.now()}.txt`);
    await writeFile(secret, 'TOP-SECRET-CONTENT');
    const name = secret.split('/').pop();
    try {
      const base = `/api/v1/${path}/outputs`;
      const paths = [
        `${base}/../../../../${name}`,
        `${base}/..%2F..%2F..%2F..%2F..%2F${name}`,
        `${base}/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/${name}`,
        `${base}/sub/../../../../../../${name}`,
        `${base}/.hidden`,
        `${base}/.upload-0011223344556677`,
        `${base}/a%5C..%5C..%5C${name}`,
        `${base}/a%00b`,
        `${base}/a%20b`,
        `${base}//double`,
      ];
      for (const rawPath of paths) {
        for (const method of ['GET', 'POST']) {
          const answer = await rawRequest(rawPath, { method, body: method === 'POST' ? 'OVERWRITE' : undefined });
          expect([400, 404], `${method} ${rawPath}`).toContain(answer.status);
          expect(typeof answer.body.detail === 'string' || Array.isArray(answer.body.path), rawPath).toBe(true);
          expect(answer.text).not.toContain('TOP-SECRET');
        }
      }
      expect(await readFile(secret, 'utf8')).toBe('TOP-SECRET-CONTENT');
    } finally {
      await rm(secret, { force: true });
    }
  });

  it('F27 the client refuses a bad output path before sending', async () => {
    for (const bad of ['', '../x', 'a/../b', '.hidden', 'a//b', 'a\\b', 'white space', 'x'.repeat(1025)]) {
      expect(() => client().outputs.url('local', 'private', id, bad), bad).toThrow(ValidationError);
      await expect(client().outputs.upload('local', 'private', id, bad, 'x'), bad).rejects.toBeInstanceOf(ValidationError);
    }
  });

  it('F27 an output over the body size limit: 413 with a JSON error', async () => {
    const error = await client()
      .outputs.upload('local', 'private', id, 'big.bin', new Uint8Array(64 * 1024 + 1))
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PolyaxonError);
    expect(error).toMatchObject({ status: 413, kind: 'over_limit' });
    expect((error as PolyaxonError).serverMessage).toContain('exceeds the limit');
  });
});
