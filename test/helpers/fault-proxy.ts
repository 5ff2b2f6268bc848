import { Agent, createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * An HTTP proxy on 127.0.0.1 in front of a real server, scripted per request, for the fault
 * scenarios of reliability.md. Every request is read whole, logged, then handled by the first
 * scripted rule that matches it, else by the random faults, else passed through.
 *
 *   const proxy = await startFaultProxy(server.url);
 *   proxy.script({ kind: 'respond', status: 500 }, { count: 2, match: (request) => request.method === 'POST' });
 *   new PolyaxonClient({ host: proxy.host, port: proxy.port, ... });
 */
export type FaultAction =
  /** Forward and relay the answer. */
  | { kind: 'pass' }
  /** Forward, wait for the whole answer (the server acted on it), then cut the client's connection (F02). */
  | { kind: 'drop-after-forward' }
  /** Cut the client's connection without forwarding: the server never sees the request. */
  | { kind: 'drop' }
  /** Answer without forwarding (500, 503, 429 with `Retry-After`, 413, 400, 401...). */
  | { kind: 'respond'; status: number; body?: unknown; headers?: Record<string, string> }
  /** Hold the request `ms`, then do `then` (default: pass). A client that gave up meanwhile gets nothing. */
  | { kind: 'delay'; ms: number; then?: FaultAction };

export interface ProxiedRequest {
  /** 0 for the first request the proxy saw. */
  index: number;
  method: string;
  /** Path and query, as sent (`/api/v1/...`). */
  path: string;
  headers: IncomingHttpHeaders;
  idempotencyKey: string | undefined;
  body: string;
  /** What the proxy did with it. */
  action: FaultAction['kind'];
  /** The status the client was sent, when it was sent one. */
  status?: number;
  /** `Date.now()` when the request had arrived whole. */
  at: number;
  /** `Date.now()` when the proxy answered or cut the connection. */
  doneAt?: number;
}

export type RequestMatcher = (request: ProxiedRequest) => boolean;

export interface ScriptOptions {
  /** How many matching requests get the action. Default: 1. `Infinity` for every one. */
  count?: number;
  /** Default: every request. */
  match?: RequestMatcher;
}

export interface RandomFaultOptions {
  /** Share of matching requests faulted, in [0, 1]. */
  rate: number;
  /** Seed of the PRNG, so a failing run can be replayed. */
  seed: number;
  /** One is picked at random for each faulted request. */
  actions: FaultAction[];
  /** Default: every request. */
  match?: RequestMatcher;
}

export interface FaultProxy {
  /** `http://127.0.0.1:PORT`. */
  url: string;
  host: string;
  port: number;
  /** Every request, in arrival order. */
  readonly log: readonly ProxiedRequest[];
  /** The next `count` requests matching `match` get `action`; earlier scripts take precedence. */
  script(action: FaultAction, options?: ScriptOptions): void;
  /** Faults a share of the requests no script claimed; replaces earlier random faults. */
  randomFaults(options: RandomFaultOptions | undefined): void;
  /** Sends later requests to another server (a restarted one). */
  setUpstream(url: string): void;
  /** Called once a request has been forwarded whole (for example to kill the server while it works). */
  onForwarded(listener: ((request: ProxiedRequest) => void) | undefined): void;
  /** Requests by action taken, e.g. `{ pass: 90, respond: 10 }`. */
  counts(): Partial<Record<FaultAction['kind'], number>>;
  /** Stops listening, cancels delays and destroys every socket. Idempotent. */
  close(): Promise<void>;
}

type Script = { action: FaultAction; left: number; match: RequestMatcher };

const everything: RequestMatcher = () => true;
/** Hop-by-hop headers (RFC 9110 §7.6.1) are the proxy's own business on each side. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'upgrade', 'te', 'trailer']);

function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const kept: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) kept[name] = value;
  return kept;
}

/** Mulberry32: a tiny seeded PRNG, uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FaultProxyOptions {
  /**
   * Request headers not passed on (lowercase), e.g. `['idempotency-key']` for a server that,
   * like Polyaxon 0.6.1, knows nothing of that header. The log still shows them as sent.
   */
  dropRequestHeaders?: string[];
}

export async function startFaultProxy(upstreamUrl: string, options: FaultProxyOptions = {}): Promise<FaultProxy> {
  const dropped = new Set(options.dropRequestHeaders ?? []);
  let upstream = new URL(upstreamUrl);
  const log: ProxiedRequest[] = [];
  const scripts: Script[] = [];
  let random: { options: RandomFaultOptions; next: () => number } | undefined;
  let forwardedListener: ((request: ProxiedRequest) => void) | undefined;
  const sockets = new Set<Socket>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const agent = new Agent({ keepAlive: true });
  let closing: Promise<void> | undefined;

  function choose(request: ProxiedRequest): FaultAction {
    const script = scripts.find((candidate) => candidate.left > 0 && candidate.match(request));
    if (script) {
      script.left -= 1;
      return script.action;
    }
    if (random && (random.options.match ?? everything)(request) && random.next() < random.options.rate) {
      const { actions } = random.options;
      return actions[Math.floor(random.next() * actions.length)];
    }
    return { kind: 'pass' };
  }

  function respond(res: ServerResponse, entry: ProxiedRequest, status: number, body: Buffer | string, headers: Record<string, string | string[]>): void {
    entry.status = status;
    entry.doneAt = Date.now();
    if (res.destroyed) return;
    res.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(body)) });
    res.end(body);
  }

  function cut(req: IncomingMessage, entry: ProxiedRequest): void {
    entry.doneAt = Date.now();
    req.socket.destroy();
  }

  /** Sends the request upstream and gives the whole answer; undefined when the server could not be reached. */
  function forward(req: IncomingMessage, body: Buffer, entry: ProxiedRequest) {
    const headers = endToEnd(req.headers);
    for (const name of dropped) delete headers[name];
    headers.host = upstream.host;
    if (body.length > 0 || 'content-length' in req.headers) headers['content-length'] = String(body.length);
    return new Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer } | undefined>((resolve) => {
      const outgoing = httpRequest({ agent, host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers }, (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body: Buffer.concat(chunks) }));
        answer.on('error', () => resolve(undefined));
      });
      outgoing.on('error', () => resolve(undefined));
      outgoing.end(body, () => forwardedListener?.(entry));
    });
  }

  async function act(action: FaultAction, req: IncomingMessage, res: ServerResponse, body: Buffer, entry: ProxiedRequest): Promise<void> {
    switch (action.kind) {
      case 'drop':
        return cut(req, entry);
      case 'respond': {
        const headers = { 'content-type': 'application/json', ...action.headers };
        return respond(res, entry, action.status, JSON.stringify(action.body ?? { detail: `injected ${action.status}` }), headers);
      }
      case 'delay':
        await new Promise<void>((resolve) => timers.add(setTimeout(resolve, action.ms)));
        if (closing || req.socket.destroyed) return;
        return act(action.then ?? { kind: 'pass' }, req, res, body, entry);
      case 'pass':
      case 'drop-after-forward': {
        const answer = await forward(req, body, entry);
        // An unreachable server looks to the client as a real reverse proxy would show it.
        if (!answer) return respond(res, entry, 502, JSON.stringify({ detail: 'upstream unreachable' }), { 'content-type': 'application/json' });
        if (action.kind === 'drop-after-forward') return cut(req, entry);
        return respond(res, entry, answer.status, answer.body, endToEnd(answer.headers) as Record<string, string | string[]>);
      }
    }
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const key = req.headers['idempotency-key'];
      const entry: ProxiedRequest = {
        index: log.length,
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers: { ...req.headers },
        idempotencyKey: Array.isArray(key) ? key[0] : key,
        body: body.toString('utf8'),
        action: 'pass',
        at: Date.now(),
      };
      log.push(entry);
      const action = choose(entry);
      entry.action = action.kind;
      act(action, req, res, body, entry).catch(() => req.socket.destroy());
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    host: '127.0.0.1',
    port,
    log,
    script(action, options = {}) {
      scripts.push({ action, left: options.count ?? 1, match: options.match ?? everything });
    },
    randomFaults(options) {
      random = options && { options, next: seededRandom(options.seed) };
    },
    setUpstream(url) {
      upstream = new URL(url);
      agent.destroy();
    },
    onForwarded(listener) {
      forwardedListener = listener;
    },
    counts() {
      const counts: Partial<Record<FaultAction['kind'], number>> = {};
      for (const entry of log) counts[entry.action] = (counts[entry.action] ?? 0) + 1;
      return counts;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        agent.destroy();
      });
      return closing;
    },
  };
}
