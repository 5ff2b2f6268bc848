/**
 * How the server writes an answer produced piece by piece (a `stream` reply, for long listings):
 * through a real HTTP exchange on loopback with the server's own `send`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import type { Reply } from '../../src/server/http';
import { FAST_GZIP_MIN_BYTES, send } from '../../src/server/respond';
import { rawExchange } from '../helpers/server-api';

let server: Server | undefined;
let failures: unknown[] = [];

afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
  failures = [];
});

/** A loopback server answering every request with `reply()` through `send`. */
async function serving(reply: () => Reply): Promise<string> {
  server = createServer((req, res) => {
    send(req, res, reply(), { 'X-Polyaxon-Tracking': 'idempotency' }).catch((error: unknown) => {
      failures.push(error);
      res.destroy();
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function* rows(count: number, failAfter?: number): AsyncGenerator<string> {
  yield '[';
  for (let index = 0; index < count; index += 1) {
    if (index === failAfter) throw new Error('the store went away');
    yield `${index === 0 ? '' : ','}{"step":${index},"loss":${1 / (index + 1)}}`;
  }
  yield ']';
}

describe('whole replies', () => {
  it('a long body goes out gzip-compressed in one piece with its Content-Length, plain without Accept-Encoding', async () => {
    const text = JSON.stringify(Array.from({ length: 5000 }, (_, step) => ({ step, loss: 1 / (step + 1) })));
    const url = await serving(() => ({ status: 200, text, headers: { 'Content-Type': 'application/json' } }));
    const gzipped = await rawExchange(url, { path: '/', headers: { 'Accept-Encoding': 'gzip' } });
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(gzipped.headers['transfer-encoding']).toBeUndefined();
    expect(gzipped.headers['content-length']).toBe(String(gzipped.bytes.length));
    expect(gzipped.headers.vary).toBe('Accept-Encoding');
    expect(gunzipSync(gzipped.bytes).toString('utf8')).toBe(text);
    const plain = await rawExchange(url, { path: '/' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.bytes.toString('utf8')).toBe(text);
    expect(failures).toEqual([]);
  });

  it('a body over FAST_GZIP_MIN_BYTES is compressed at level 1, a smaller one at level 6 (the gzip header says which)', async () => {
    const text = (bytes: number) => JSON.stringify('x'.repeat(bytes));
    for (const [bytes, extraFlags] of [[FAST_GZIP_MIN_BYTES + 1, 4], [FAST_GZIP_MIN_BYTES - 10, 0]]) {
      const url = await serving(() => ({ status: 200, text: text(bytes), headers: { 'Content-Type': 'application/json' } }));
      const answer = await rawExchange(url, { path: '/', headers: { 'Accept-Encoding': 'gzip' } });
      // RFC 1952 XFL (byte 8): 4 for the fastest compression, 0 for the levels between.
      expect(answer.bytes[8], `${bytes} bytes`).toBe(extraFlags);
      expect(gunzipSync(answer.bytes).toString('utf8')).toBe(text(bytes));
      await new Promise<void>((resolve) => server!.close(() => resolve()));
      server = undefined;
    }
  });
});

describe('stream replies', () => {
  it('a long stream goes out chunked, gzip-compressed when accepted, and whole either way', async () => {
    const url = await serving(() => ({ status: 200, stream: rows(5000) }));
    const expected = Array.from({ length: 5000 }, (_, step) => ({ step, loss: 1 / (step + 1) }));

    const plain = await rawExchange(url, { path: '/' });
    expect(plain.headers['transfer-encoding']).toBe('chunked');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers['content-type']).toBe('application/json');
    expect(plain.headers['x-polyaxon-tracking']).toBe('idempotency');
    expect(JSON.parse(plain.bytes.toString('utf8'))).toEqual(expected);

    const gzipped = await rawExchange(url, { path: '/', headers: { 'Accept-Encoding': 'gzip' } });
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(gzipped.headers.vary).toBe('Accept-Encoding');
    expect(JSON.parse(gunzipSync(gzipped.bytes).toString('utf8'))).toEqual(expected);
    expect(failures).toEqual([]);
  });

  it('a short stream is sent with its length, uncompressed', async () => {
    const url = await serving(() => ({ status: 200, stream: rows(3) }));
    const answer = await rawExchange(url, { path: '/', headers: { 'Accept-Encoding': 'gzip' } });
    expect(answer.headers['content-encoding']).toBeUndefined();
    expect(answer.headers['content-length']).toBe(String(answer.bytes.length));
    expect(JSON.parse(answer.bytes.toString('utf8'))).toHaveLength(3);
  });

  it('a stream that fails after its status went out cuts the connection instead of ending as if complete', async () => {
    const url = await serving(() => ({ status: 200, stream: rows(5000, 2500) }));
    await expect(rawExchange(url, { path: '/', headers: { 'Accept-Encoding': 'gzip' } })).rejects.toThrow(/aborted|socket hang up|ECONNRESET/);
  });

  it('a stream that fails before anything was sent rejects, so the caller can still answer 500', async () => {
    const url = await serving(() => ({ status: 200, stream: rows(10, 0) }));
    await expect(rawExchange(url, { path: '/' })).rejects.toThrow();
    expect(failures).toHaveLength(1);
    expect(String(failures[0])).toMatch(/the store went away/);
  });
});
