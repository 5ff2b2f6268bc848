import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/outbox/memory-store';
import { Outbox, type OutboxOptions } from '../../src/outbox/outbox';
import { fetchTransport, TransportFailure } from '../../src/outbox/transport';
import { testSettings } from '../helpers/outbox-fixture';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

type Handler = (seen: Seen, response: ServerResponse) => void;

let server: Server;
let baseUrl: string;
let seen: Seen[];
let script: Handler[];
const sockets = new Set<import('node:net').Socket>();

function json(status: number, body: unknown): Handler {
  return (_seen, response) => {
    response.writeHead(status, { 'Content-Type': 'application/json' });
    response.end(JSON.stringify(body));
  };
}
const silence: Handler = () => {};

beforeEach(async () => {
  seen = [];
  script = [];
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      const entry = { method: request.method!, url: request.url!, headers: request.headers, body };
      seen.push(entry);
      const handler = script.shift() ?? (entry.url.endsWith('/users/') ? json(200, { username: 'local' }) : json(201, entry.url.endsWith('/experiments/') ? { id: 99 } : {}));
      handler(entry, response);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
});

afterEach(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => server.close(resolve));
});

/** A loopback port nothing listens on (it was free a moment ago). */
function closedLoopbackPort(): Promise<number> {
  return new Promise<number>((resolve) => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

function realOutbox(options: Partial<OutboxOptions> = {}): Outbox {
  return new Outbox({
    store: new MemoryStore(),
    settings: () => testSettings({ baseUrl, token: 'tok', headers: { 'X-POLYAXON-INTERNAL': 'runner' } }),
    baseBackoffMs: 20,
    flushIntervalMs: 10,
    ...options,
  });
}

describe('outbox over real HTTP (default ofetch transport, 127.0.0.1)', () => {
  it('F01 500 then 201: the retry carries the same bytes and Idempotency-Key', async () => {
    const outbox = realOutbox();
    await outbox.setRunTarget('r', { user: 'u', project: 'p', id: 5 });
    script.push(json(500, { detail: 'database is locked' }));
    for (let step = 1; step <= 3; step++) outbox.append({ run: 'r', kind: 'metrics', body: { values: { step }, created_at: 't' } });
    expect(await outbox.flush({ timeoutMs: 5_000 })).toBe(true);

    expect(seen).toHaveLength(2);
    const [first, retry] = seen;
    expect(first.method).toBe('POST');
    expect(first.url).toBe('/api/v1/u/p/experiments/5/metrics/');
    expect(JSON.parse(first.body)).toEqual([1, 2, 3].map((step) => ({ values: { step }, created_at: 't' })));
    expect(retry.body).toBe(first.body);
    expect(retry.headers['idempotency-key']).toBe(first.headers['idempotency-key']);
    expect(first.headers.authorization).toBe('Token tok');
    expect(first.headers['content-type']).toBe('application/json');
    expect(first.headers['x-polyaxon-internal']).toBe('runner');
    expect(outbox.stats()).toMatchObject({ sent: 3, pending: 0 });
    await outbox.close({ timeoutMs: 1_000 });
  });

  it('creates through GET users/ and reads the id from the JSON answer', async () => {
    const outbox = realOutbox();
    outbox.append({ run: 'r', kind: 'create', body: { target: { project: 'p' }, experiment: { is_managed: false } } });
    outbox.append({ run: 'r', kind: 'stop', body: null });
    expect(await outbox.whenCreated('r')).toBe(99);
    expect(await outbox.flush({ timeoutMs: 5_000 })).toBe(true);
    expect(seen.map((request) => `${request.method} ${request.url} ${request.body || '-'}`)).toEqual([
      'GET /api/v1/users/ -',
      'POST /api/v1/local/p/experiments/ {"is_managed":false}',
      'POST /api/v1/local/p/experiments/99/stop/ -',
    ]);
    expect(seen[2].headers['content-type']).toBeUndefined();
    await outbox.close({ timeoutMs: 1_000 });
  });

  it('F24 a server that does not answer times out, and the request is sent again', async () => {
    const outbox = realOutbox({ requestTimeoutMs: 200 });
    await outbox.setRunTarget('r', { user: 'u', project: 'p', id: 5 });
    script.push(silence);
    outbox.append({ run: 'r', kind: 'status', body: { status: 'running' } });
    expect(await outbox.flush({ timeoutMs: 5_000 })).toBe(true);
    expect(seen).toHaveLength(2);
    expect(seen[1].headers['idempotency-key']).toBe(seen[0].headers['idempotency-key']);
    expect(outbox.stats().lastError).toMatchObject({ kind: 'timeout' });
    await outbox.close({ timeoutMs: 1_000 });
  });

  it('a refused connection is a network failure: flush resolves false on time, nothing is lost', async () => {
    const closedPort = await closedLoopbackPort();
    const outbox = realOutbox({ settings: () => testSettings({ baseUrl: `http://127.0.0.1:${closedPort}/api/v1` }) });
    await outbox.setRunTarget('r', { user: 'u', project: 'p', id: 5 });
    outbox.append({ run: 'r', kind: 'status', body: { status: 'running' } });
    expect(await outbox.flush({ timeoutMs: 300 })).toBe(false);
    // On a loaded machine the refusal itself may come after the flush gave up: wait for it (bounded),
    // rather than assert how long anything took.
    for (let tries = 0; tries < 500 && outbox.stats().lastError === undefined; tries++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(outbox.stats()).toMatchObject({ pending: 1, lastError: { kind: 'network' } });
    await outbox.close({ timeoutMs: 10 });
  });

  it('after refused connections the queue leaves once the server is up, not after a minute-long backoff', async () => {
    const port = await closedLoopbackPort();
    // Every backoff draw at its top: without a bound for refusals the third wait would be ~4 s and
    // the next ones up to a minute.
    const outbox = realOutbox({ settings: () => testSettings({ baseUrl: `http://127.0.0.1:${port}/api/v1` }), baseBackoffMs: 60_000, random: () => 0.99 });
    await outbox.setRunTarget('r', { user: 'u', project: 'p', id: 5 });
    outbox.append({ run: 'r', kind: 'status', body: { status: 'running' } });
    for (let tries = 0; tries < 500 && outbox.stats().lastError === undefined; tries++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(outbox.stats().retryAt! - Date.now()).toBeLessThanOrEqual(1_000);
    const late = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        response.writeHead(201, { 'Content-Type': 'application/json' });
        response.end('{}');
      });
    });
    await new Promise<void>((resolve) => late.listen(port, '127.0.0.1', resolve));
    try {
      expect(await outbox.flush({ timeoutMs: 20_000 })).toBe(true);
    } finally {
      await outbox.close({ timeoutMs: 10 });
      late.closeAllConnections();
      await new Promise((resolve) => late.close(resolve));
    }
  });

  it('the transport reports timeouts and network errors as TransportFailure', async () => {
    // Timers as they are: no runtime to unref them (the outboxes of this file have none either).
    const transport = fetchTransport({ unrefTimer: () => {} });
    script.push(silence);
    await expect(transport({ method: 'GET', url: `${baseUrl}/users/`, headers: {}, timeoutMs: 100 })).rejects.toMatchObject({ kind: 'timeout' });
    await expect(transport({ method: 'GET', url: 'http://127.0.0.1:1/api/v1/users/', headers: {}, timeoutMs: 1_000 })).rejects.toBeInstanceOf(TransportFailure);
    const answer = await transport({ method: 'GET', url: `${baseUrl}/users/`, headers: {}, timeoutMs: 1_000 });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ username: 'local' });
    expect(answer.headers.get('content-type')).toBe('application/json');
  });
});
