import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { request, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer, type ServerOptions } from '../../src/server/index';

/** A fresh temporary folder; remove it with `rm(dir, { recursive: true, force: true })`. */
export function tempDir(prefix = 'pxt-server-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export interface ApiAnswer {
  status: number;
  /** Parsed JSON, or the text when the answer is not JSON, or null when empty. */
  body: any;
  text: string;
  headers: Headers;
}

export interface CallOptions {
  /** Token to send; null sends no Authorization header. Default: the api's token. */
  token?: string | null;
  headers?: Record<string, string>;
  /** Raw request body, sent as is instead of `JSON.stringify(body)`. */
  raw?: string;
}

/** Raw `fetch` against `/api/v1/` with `Authorization: Token <token>`. */
export function apiFor(url: string, token: string) {
  return async function call(method: string, path: string, body?: unknown, options: CallOptions = {}): Promise<ApiAnswer> {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    const sendToken = options.token === undefined ? token : options.token;
    if (sendToken !== null) headers.Authorization = `Token ${sendToken}`;
    let payload: string | undefined = options.raw;
    if (payload === undefined && body !== undefined) {
      payload = JSON.stringify(body);
      headers['Content-Type'] ??= 'application/json';
    }
    const response = await fetch(`${url}/api/v1/${path}`, { method, headers, body: payload });
    const text = await response.text();
    let parsed: unknown = text === '' ? null : text;
    if ((response.headers.get('content-type') ?? '').includes('application/json')) parsed = JSON.parse(text);
    return { status: response.status, body: parsed, text, headers: response.headers };
  };
}

export type Call = ReturnType<typeof apiFor>;

export interface TestServer {
  server: RunningServer;
  call: Call;
  dataDir: string;
  /** Stops the server and removes its folder. */
  dispose(): Promise<void>;
}

/** A quiet server on 127.0.0.1, a random port and a temporary data folder. */
export async function startTestServer(options: Partial<ServerOptions> = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? (await tempDir());
  const server = await startServer({ port: 0, quiet: true, token: 'test-token', ...options, dataDir });
  return {
    server,
    dataDir,
    call: apiFor(server.url, server.token),
    async dispose() {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Names, sizes and contents of every file in `dir`: a before/after picture for "nothing written".
 * SQLite's `-shm` file is left out: it indexes the WAL for readers and changes when a read starts,
 * holding nothing that is stored (SQLite rebuilds it from the WAL).
 */
export async function snapshotDir(dir: string): Promise<Record<string, { size: number; content: string }>> {
  const snapshot: Record<string, { size: number; content: string }> = {};
  for (const name of (await readdir(dir)).sort()) {
    if (name.endsWith('-shm')) continue;
    const path = join(dir, name);
    snapshot[name] = { size: (await stat(path)).size, content: await readFile(path, 'utf8') };
  }
  return snapshot;
}

/** Creates a project and an experiment (outside the cluster) and returns the experiment's path. */
export async function createExperiment(call: Call, project = 'demo', body: Record<string, unknown> = {}, user = 'local') {
  const existing = await call('GET', `${user}/${project}/`);
  if (existing.status === 404) {
    const created = await call('POST', 'projects/', { name: project });
    if (created.status !== 201) throw new Error(`project create failed: ${created.text}`);
  }
  const answer = await call('POST', `${user}/${project}/experiments/`, { is_managed: false, backend: 'other', ...body });
  if (answer.status !== 201) throw new Error(`experiment create failed: ${answer.status} ${answer.text}`);
  return { id: answer.body.id as number, path: `${user}/${project}/experiments/${answer.body.id}`, created: answer.body };
}

export interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body exactly as it came over the wire (still gzip-compressed if it was). */
  bytes: Buffer;
}

/**
 * One HTTP exchange with every header as given (fetch would add `Accept-Encoding`, undo gzip and
 * refuse to set `Host`): for what the server itself puts on the wire.
 */
export function rawExchange(
  url: string,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<RawAnswer> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: target.hostname, port: target.port, method: options.method ?? 'GET', path: options.path, headers: options.headers ?? {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}
