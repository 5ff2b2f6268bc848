import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createKeepaliveSender, KEEPALIVE_BUDGET_BYTES, utf8Length } from '../../src/browser/page-close/keepalive';

interface Received {
  method: string;
  headers: IncomingMessage['headers'];
  body: string;
  respond: () => void;
}

let server: Server | undefined;

/** A loopback server that holds each response until the test releases it. */
async function holdingServer(): Promise<{ url: string; received: Received[]; arrived: (count: number) => Promise<void> }> {
  const received: Received[] = [];
  const waiters: Array<() => void> = [];
  server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({
        method: request.method ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        respond: () => response.writeHead(201).end('{}'),
      });
      waiters.splice(0).forEach((wake) => wake());
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const arrived = async (count: number) => {
    const deadline = Date.now() + 5_000;
    while (received.length < count) {
      if (Date.now() > deadline) throw new Error(`only ${received.length} of ${count} requests arrived`);
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  };
  return { url: `http://127.0.0.1:${port}/api/v1/u/p/experiments/1/metrics/`, received, arrived };
}

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

const settled = () => new Promise((resolve) => setTimeout(resolve, 50));

describe('sendOnExit (fetch keepalive)', () => {
  it('sends method, headers and body unchanged', async () => {
    const { url, received, arrived } = await holdingServer();
    const send = createKeepaliveSender();
    const body = JSON.stringify([{ values: { loss: 0.1 }, step: 1 }]);
    const sent = send({ method: 'POST', url, headers: { 'content-type': 'application/json', 'idempotency-key': 'k-1' }, body });
    expect(sent).toBe(true);
    await arrived(1);
    expect(received[0]).toMatchObject({ method: 'POST', body });
    expect(received[0].headers['idempotency-key']).toBe('k-1');
    received[0].respond();
  });

  it(`refuses a body that would overrun the ${KEEPALIVE_BUDGET_BYTES}-byte in-flight budget, and frees it when a send settles`, async () => {
    const { url, received, arrived } = await holdingServer();
    const send = createKeepaliveSender();
    const body = 'x'.repeat(40 * 1024);
    const request = { method: 'POST', url, headers: { 'content-type': 'text/plain' }, body };
    expect(send(request)).toBe(true);
    expect(send(request)).toBe(false);
    await arrived(1);
    received[0].respond();
    await settled();
    await settled();
    expect(send(request)).toBe(true);
    await arrived(2);
    received[1].respond();
    expect(received).toHaveLength(2);
  });

  it('counts UTF-8 bytes, not UTF-16 units', () => {
    expect(utf8Length('é€😀')).toBe(2 + 3 + 4);
    const send = createKeepaliveSender(() => () => new Promise(() => {}));
    const threeBytes = '€'.repeat(Math.floor(KEEPALIVE_BUDGET_BYTES / 3) + 1);
    expect(send({ method: 'POST', url: 'http://127.0.0.1:9/x/', headers: {}, body: threeBytes })).toBe(false);
  });

  it('returns false when there is no fetch, or fetch throws at once', () => {
    expect(createKeepaliveSender(() => undefined)({ method: 'POST', url: 'http://127.0.0.1:9/', headers: {} })).toBe(false);
    const throwing = createKeepaliveSender(() => () => {
      throw new TypeError('keepalive not allowed');
    });
    expect(throwing({ method: 'POST', url: 'http://127.0.0.1:9/', headers: {}, body: 'x' })).toBe(false);
  });

  it('a failed send releases its share of the budget', async () => {
    let reject: (error: Error) => void = () => {};
    const send = createKeepaliveSender(() => () => new Promise((_resolve, fail) => (reject = fail)));
    const request = { method: 'POST', url: 'http://127.0.0.1:9/', headers: {}, body: 'y'.repeat(KEEPALIVE_BUDGET_BYTES) };
    expect(send(request)).toBe(true);
    expect(send({ ...request, body: 'z' })).toBe(false);
    reject(new Error('network down'));
    await settled();
    expect(send(request)).toBe(true);
  });
});
