import 'fake-indexeddb/auto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { corsAwareKeepalive, corsAwareTransport, probeUrl } from '../../src/browser/cors/cors-transport';
import { FEATURES_TRUSTED_MS, indexedDbFeatureStore, MEMORY_ONLY, ServerFeatureMemory } from '../../src/browser/cors/feature-memory';
import { HttpCaller } from '../../src/client/http';
import { apiRequest, requestForBatch, whoAmIRequest } from '../../src/outbox/requests';
import { fetchTransport, TransportFailure, type Transport, type TransportRequest } from '../../src/outbox/transport';
import { POLYAXON_CORS_ALLOWED_HEADERS } from '../../src/wire/tracking-features';
import { testSettings } from '../helpers/outbox-fixture';
import { testRecord } from '../helpers/store-contract';

interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
}

let servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  servers = [];
});

/**
 * A loopback API: `local` answers as the local server (features on every answer), `polyaxon`
 * as Polyaxon 0.6.1 (none). `cutNext` drops the connection of the next write without an answer.
 */
async function loopbackServer(kind: 'local' | 'polyaxon'): Promise<{ url: string; received: Received[]; cutNext(): void; failUsers(status: number): void }> {
  const received: Received[] = [];
  let cut = false;
  let usersStatus = 200;
  const server = createServer((req, res) => {
    received.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers });
    req.resume();
    if (req.method !== 'GET' && cut) {
      cut = false;
      req.socket.destroy();
      return;
    }
    const status = req.url === '/api/v1/users/' ? usersStatus : req.method === 'POST' ? 201 : 200;
    res.writeHead(status, { 'Content-Type': 'application/json', ...(kind === 'local' ? { 'X-Polyaxon-Tracking': 'idempotency' } : {}) });
    res.end(req.url === '/api/v1/users/' ? '{"username":"alice"}' : '{"id":1}');
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    cutNext: () => {
      cut = true;
    },
    failUsers: (status) => {
      usersStatus = status;
    },
  };
}

const noTimers = { unrefTimer: () => {} };

function write(baseUrl: string, key = 'key-1'): TransportRequest {
  return {
    method: 'POST',
    url: `${baseUrl}/api/v1/alice/mnist/experiments/`,
    headers: { Accept: 'application/json', Authorization: 'Token t', 'Content-Type': 'application/json', 'Idempotency-Key': key },
    body: '{}',
    timeoutMs: 5_000,
  };
}

const summary = (received: Received[]) => received.map((request) => `${request.method} ${request.path} key=${request.headers['idempotency-key'] ?? '-'}`);

describe('F45 browser requests: Idempotency-Key only to a server that said it takes it', () => {
  it('to a Polyaxon server: asks once with the write credentials, then sends every write without the key', async () => {
    const server = await loopbackServer('polyaxon');
    const transport = corsAwareTransport(fetchTransport(noTimers), new ServerFeatureMemory(MEMORY_ONLY));
    await transport(write(server.url, 'a'));
    await transport(write(server.url, 'b'));
    expect(summary(server.received)).toEqual([
      'GET /api/v1/users/ key=-',
      'POST /api/v1/alice/mnist/experiments/ key=-',
      'POST /api/v1/alice/mnist/experiments/ key=-',
    ]);
    expect(server.received[0].headers).toMatchObject({ authorization: 'Token t' });
    expect(server.received[0].headers['content-type']).toBeUndefined();
  });

  it('to the local server: asks before the first write, then sends the key', async () => {
    const server = await loopbackServer('local');
    const transport = corsAwareTransport(fetchTransport(noTimers), new ServerFeatureMemory(MEMORY_ONLY));
    await transport(write(server.url, 'a'));
    await transport(write(server.url, 'b'));
    expect(summary(server.received)).toEqual([
      'GET /api/v1/users/ key=-',
      'POST /api/v1/alice/mnist/experiments/ key=a',
      'POST /api/v1/alice/mnist/experiments/ key=b',
    ]);
  });

  it('an answer to a request without a key (the owner lookup) spares the probe', async () => {
    const server = await loopbackServer('local');
    const transport = corsAwareTransport(fetchTransport(noTimers), new ServerFeatureMemory(MEMORY_ONLY));
    await transport({ ...whoAmIRequest(testSettings({ baseUrl: `${server.url}/api/v1` })), timeoutMs: 5_000 });
    await transport(write(server.url, 'a'));
    expect(summary(server.received)).toEqual(['GET /api/v1/users/ key=-', 'POST /api/v1/alice/mnist/experiments/ key=a']);
  });

  it('no answer to the probe (server down) fails the write as a network failure, sends nothing and remembers nothing', async () => {
    const server = await loopbackServer('local');
    const down = `http://127.0.0.1:${new URL(server.url).port}`;
    await new Promise((resolve) => servers.pop()!.close(resolve));
    const memory = new ServerFeatureMemory(MEMORY_ONLY);
    const transport = corsAwareTransport(fetchTransport(noTimers), memory);
    await expect(transport(write(down))).rejects.toMatchObject({ name: 'TransportFailure', kind: 'network' });
    expect(memory.known(new URL(down).origin)).toBeUndefined();
  });

  it('a 5xx probe answer decides nothing: the write fails, to be retried, and the next write asks again', async () => {
    const server = await loopbackServer('polyaxon');
    server.failUsers(502);
    const transport = corsAwareTransport(fetchTransport(noTimers), new ServerFeatureMemory(MEMORY_ONLY));
    await expect(transport(write(server.url))).rejects.toBeInstanceOf(TransportFailure);
    server.failUsers(200);
    await transport(write(server.url));
    expect(summary(server.received)).toEqual(['GET /api/v1/users/ key=-', 'GET /api/v1/users/ key=-', 'POST /api/v1/alice/mnist/experiments/ key=-']);
  });

  it('a keyed write that got no answer (as a refused preflight looks) makes the next write ask again, under the same key', async () => {
    const server = await loopbackServer('local');
    const transport = corsAwareTransport(fetchTransport(noTimers), new ServerFeatureMemory(MEMORY_ONLY));
    server.cutNext();
    await expect(transport(write(server.url, 'k'))).rejects.toMatchObject({ kind: 'network' });
    await transport(write(server.url, 'k'));
    expect(summary(server.received)).toEqual([
      'GET /api/v1/users/ key=-',
      'POST /api/v1/alice/mnist/experiments/ key=k',
      'GET /api/v1/users/ key=-',
      'POST /api/v1/alice/mnist/experiments/ key=k',
    ]);
  });

  it('several writes to an origin not asked yet share one probe', async () => {
    const server = await loopbackServer('local');
    const transport = corsAwareTransport(fetchTransport(noTimers), new ServerFeatureMemory(MEMORY_ONLY));
    await Promise.all([transport(write(server.url, 'a')), transport(write(server.url, 'b'))]);
    expect(server.received.filter((request) => request.method === 'GET')).toHaveLength(1);
  });

  it('the verdict outlives the page in IndexedDB, and is asked again once older than a day', async () => {
    const server = await loopbackServer('local');
    const origin = new URL(server.url).origin;
    await corsAwareTransport(fetchTransport(noTimers), new ServerFeatureMemory(indexedDbFeatureStore()))(write(server.url, 'a'));
    // The next load: a new memory on the same database sends the key at once.
    await corsAwareTransport(fetchTransport(noTimers), new ServerFeatureMemory(indexedDbFeatureStore()))(write(server.url, 'b'));
    expect(summary(server.received)).toEqual(['GET /api/v1/users/ key=-', 'POST /api/v1/alice/mnist/experiments/ key=a', 'POST /api/v1/alice/mnist/experiments/ key=b']);
    // A day later it asks first.
    const later = new ServerFeatureMemory(indexedDbFeatureStore(), () => Date.now() + FEATURES_TRUSTED_MS + 1);
    const laterTransport = corsAwareTransport(fetchTransport(noTimers), later);
    await laterTransport(write(server.url, 'c'));
    await laterTransport(write(server.url, 'd'));
    expect(summary(server.received).slice(3)).toEqual([
      'GET /api/v1/users/ key=-',
      'POST /api/v1/alice/mnist/experiments/ key=c',
      'POST /api/v1/alice/mnist/experiments/ key=d',
    ]);
    expect(later.known(origin)?.idempotency).toBe(true);
  });

  it('the close-time send obeys the same verdict without waiting: nothing to an origin not asked yet', () => {
    const sent: Array<Record<string, string>> = [];
    const memory = new ServerFeatureMemory(MEMORY_ONLY);
    const keepalive = corsAwareKeepalive((request) => {
      sent.push(request.headers);
      return true;
    }, memory);
    const request = { method: 'POST', url: 'http://127.0.0.1:9/api/v1/u/p/experiments/1/metrics/', headers: { Authorization: 'Token t', 'Idempotency-Key': 'k' }, body: '[]' };
    expect(keepalive(request)).toBe(false);
    memory.observe('http://127.0.0.1:9', false);
    expect(keepalive(request)).toBe(true);
    memory.observe('http://127.0.0.1:9', true);
    expect(keepalive(request)).toBe(true);
    expect(sent).toEqual([{ Authorization: 'Token t' }, { Authorization: 'Token t', 'Idempotency-Key': 'k' }]);
  });

  it('the probe goes to users/ under the API base of the write, a path prefix kept', () => {
    expect(probeUrl('https://h.example/polyaxon/api/v1/u/p/experiments/3/metrics/')).toBe('https://h.example/polyaxon/api/v1/users/');
    expect(probeUrl('http://127.0.0.1:8000/other/')).toBe('http://127.0.0.1:8000/api/v1/users/');
  });
});

describe('F45 every header the library itself sets fits Polyaxon 0.6.1 CORS once the rule applies', () => {
  it('outbox requests of every kind, lookups and client calls (JSON and form bodies)', async () => {
    const seen = new Set<string>();
    // A Polyaxon server: answers without the feature header.
    const polyaxon: Transport = async (request) => {
      for (const name of Object.keys(request.headers)) seen.add(name.toLowerCase());
      return { status: 200, headers: new Headers(), body: { username: 'alice', id: 1, token: 't' } };
    };
    const transport = corsAwareTransport(polyaxon, new ServerFeatureMemory(MEMORY_ONLY));
    const settings = testSettings();
    const target = { user: 'alice', project: 'mnist', id: 12 };
    const kinds = [
      testRecord(1, 'r', 'create', { target: { project: 'mnist' }, experiment: { name: 'x' } }),
      testRecord(2, 'r', 'patch', { name: 'n' }),
      testRecord(3, 'r', 'status', { status: 'running' }),
      testRecord(4, 'r', 'coderef', null),
      testRecord(5, 'r', 'metrics', { values: { a: 1 }, created_at: 't' }),
      testRecord(6, 'r', 'logs', 'line'),
      testRecord(7, 'r', 'stop', null),
    ];
    for (const record of kinds) await transport({ ...requestForBatch([{ ...record, batch: `b${record.seq}` }], target, settings), timeoutMs: 1_000 });
    await transport({ ...whoAmIRequest(settings), timeoutMs: 1_000 });
    await transport({ ...apiRequest({ method: 'POST', path: ['alice', 'mnist', 'experiments', 12, 'heartbeat'], idempotencyKey: 'h' }, settings), timeoutMs: 1_000 });
    const http = new HttpCaller(() => settings, transport);
    await http.send({ method: 'POST', path: ['users', 'token'], form: { username: 'u', password: 'p' } });
    await http.send({ method: 'PATCH', path: ['alice', 'mnist'], json: { description: 'd' } });
    expect(seen.has('idempotency-key')).toBe(false);
    expect([...seen].filter((name) => !POLYAXON_CORS_ALLOWED_HEADERS.includes(name))).toEqual([]);
    expect([...seen].sort()).toEqual(['accept', 'authorization', 'content-type']);
  });
});
