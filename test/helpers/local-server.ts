import { createServer as createNetServer } from 'node:net';
import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PolyaxonClient } from '../../src/index.node.js';
import type { ClientOptions } from '../../src/index.node.js';
import { startServer, type RunningServer, type ServerOptions } from '../../src/server/index';

/**
 * A local server on 127.0.0.1 with its own data folder, an outbox folder for the experiments of
 * the test (so nothing touches ~/.polyaxon), and clients for it. `close()` removes the folders it
 * made (not those passed in).
 */
export interface LocalServer {
  server: RunningServer;
  url: string;
  port: number;
  token: string;
  user: string;
  /** The main user's (superuser's) client. */
  client: PolyaxonClient;
  /** Root folder for `outbox: { directory }`. */
  outboxDir: string;
  clientFor(token: string, options?: ClientOptions): PolyaxonClient;
  close(): Promise<void>;
}

export interface LocalServerOptions extends Partial<ServerOptions> {
  /** Reuse an outbox folder (a second process or a restarted server). Default: a new temp folder. */
  outboxDir?: string;
}

export const TEST_TOKEN = 'test-token';

export function tempFolder(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/**
 * A client for `http://127.0.0.1:port` that reads no POLYAXON_* variable of the test process
 * (`env: {}`) unless `options.env` says otherwise.
 */
export function clientFor(port: number, token: string, options: ClientOptions = {}): PolyaxonClient {
  return new PolyaxonClient({ host: '127.0.0.1', port, token, env: {}, ...options });
}

export async function startLocalServer(options: LocalServerOptions = {}): Promise<LocalServer> {
  const { outboxDir: givenOutboxDir, ...serverOptions } = options;
  const dataDir = serverOptions.dataDir ?? (await tempFolder('pxt-exp-server-'));
  const outboxDir = givenOutboxDir ?? (await tempFolder('pxt-exp-outbox-'));
  const server = await startServer({ port: 0, quiet: true, token: TEST_TOKEN, ...serverOptions, dataDir });
  let closing: Promise<void> | undefined;
  return {
    server,
    url: server.url,
    port: server.port,
    token: server.token,
    user: server.user,
    client: clientFor(server.port, server.token),
    outboxDir,
    clientFor: (token, clientOptions) => clientFor(server.port, token, clientOptions),
    close: () =>
      (closing ??= (async () => {
        await server.close();
        if (!serverOptions.dataDir) await rm(dataDir, { recursive: true, force: true });
        if (!givenOutboxDir) await rm(outboxDir, { recursive: true, force: true });
      })()),
  };
}

/** A port that was free a moment ago: nothing listens on it until the test starts a server there. */
export async function reserveFreePort(): Promise<number> {
  const probe = createNetServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

export interface RecordedRequest {
  method: string;
  /** Path and query, e.g. `/api/v1/local/p/experiments/`. */
  path: string;
  headers: IncomingHttpHeaders;
  /** The body as sent ('' when none). */
  body: string;
  /** Parsed JSON body, or undefined when empty or not JSON. */
  json: any;
  status: number;
}

export interface RecordingProxy {
  port: number;
  /** Every request forwarded so far, in the order the proxy received them. */
  requests: RecordedRequest[];
  /** Requests whose path contains `fragment` (and, when given, with that method). */
  matching(fragment: string, method?: string): RecordedRequest[];
  close(): Promise<void>;
}

/** A scripted answer that replaces forwarding: `{ status, body }` (JSON), or undefined to forward. */
export type ProxyScript = (request: RecordedRequest) => { status: number; body?: unknown } | undefined;

/**
 * An HTTP proxy on 127.0.0.1 in front of `targetPort` that records what the library sends and,
 * when `script` answers for a request, replies with that instead of forwarding it.
 */
export async function startRecordingProxy(targetPort: number, script?: ProxyScript): Promise<RecordingProxy> {
  const requests: RecordedRequest[] = [];
  const proxy = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      const recorded: RecordedRequest = {
        method: incoming.method ?? 'GET',
        path: incoming.url ?? '/',
        headers: incoming.headers,
        body: body.toString('utf8'),
        json: parseJson(body.toString('utf8')),
        status: 0,
      };
      requests.push(recorded);
      const scripted = script?.(recorded);
      if (scripted) {
        recorded.status = scripted.status;
        outgoing.writeHead(scripted.status, { 'Content-Type': 'application/json' }).end(JSON.stringify(scripted.body ?? {}));
        return;
      }
      const forward = httpRequest(
        { host: '127.0.0.1', port: targetPort, method: recorded.method, path: recorded.path, headers: { ...incoming.headers, host: `127.0.0.1:${targetPort}` } },
        (answer) => {
          recorded.status = answer.statusCode ?? 0;
          outgoing.writeHead(recorded.status, answer.headers);
          answer.pipe(outgoing);
        },
      );
      forward.on('error', () => {
        outgoing.writeHead(502).end();
      });
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    port: (proxy.address() as AddressInfo).port,
    requests,
    matching: (fragment, method) => requests.filter((entry) => entry.path.includes(fragment) && (method === undefined || entry.method === method)),
    close: () =>
      new Promise<void>((resolve) => {
        proxy.close(() => resolve());
        proxy.closeAllConnections();
      }),
  };
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Polls `check` every `intervalMs` until it returns a value other than undefined/false, at most `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 10_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) throw new Error(`condition not met within ${timeoutMs} ms${lastError ? `: ${String(lastError)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
