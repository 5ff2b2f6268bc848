import { ofetch } from 'ofetch';

/**
 * The one thing the outbox asks of the network: send one request, give back status, headers and
 * body. Retries, backoff and drops are the outbox's (like Sentry's `createTransport`, where a
 * runtime hands the core only a function that sends).
 */
export interface TransportRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  url: string;
  headers: Record<string, string>;
  /** Exact bytes to send: a retry sends the same string. Absent: no body at all. */
  body?: string;
  /** Whole exchange, body included. */
  timeoutMs: number;
  /** Let the request outlive the page (browser `fetch` keepalive, bodies up to 64 KiB). */
  keepalive?: boolean;
}

export interface TransportResponse {
  status: number;
  headers: { get(name: string): string | null };
  /** Parsed JSON, else the text; undefined when empty. */
  body: unknown;
}

export type Transport = (request: TransportRequest) => Promise<TransportResponse>;

export type TransportFailureKind = 'network' | 'timeout';

/** No response arrived: the connection failed, or the answer took longer than `timeoutMs`. */
export class TransportFailure extends Error {
  override readonly name = 'TransportFailure';
  constructor(
    readonly kind: TransportFailureKind,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The default transport, on ofetch, with its retries off (the outbox decides) and every status
 * returned. `runtime` keeps its timers from holding a Node process open.
 */
export function fetchTransport(runtime: { unrefTimer(timer: unknown): void }): Transport {
  return async (request) => {
    const controller = new AbortController();
    let timedOut = false;
    // Our own timer, unref'd, for the whole exchange: ofetch's `timeout` timer would hold a Node
    // process open and stops counting at the headers.
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, request.timeoutMs);
    runtime.unrefTimer(timer);
    try {
      const response = await ofetch.raw<string, 'text'>(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        retry: 0,
        ignoreResponseError: true,
        responseType: 'text',
        signal: controller.signal,
        keepalive: request.keepalive,
      });
      return { status: response.status, headers: response.headers, body: parseBody(response._data, response.headers.get('content-type')) };
    } catch (error) {
      if (timedOut) throw new TransportFailure('timeout', `no answer within ${request.timeoutMs} ms`);
      throw new TransportFailure('network', describeCause(error));
    } finally {
      clearTimeout(timer);
    }
  };
}

/** JSON when the server says so (or says nothing); text bodies such as logs stay text. */
export function parseBody(text: string | undefined, contentType: string | null): unknown {
  if (text === undefined || text === '') return undefined;
  if (contentType && !/[/+]json\b/i.test(contentType)) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** fetch says only "fetch failed"; the reason (ECONNREFUSED, socket hang up) sits in its causes. */
export function describeCause(error: unknown): string {
  const parts: string[] = [];
  // ofetch's own wrapper repeats the URL and method; the useful words are in its causes.
  let current: unknown = (error as { name?: unknown }).name === 'FetchError' ? ((error as Error).cause ?? error) : error;
  for (let depth = 0; current && depth < 4; depth += 1) {
    const item = current as { message?: unknown; code?: unknown; cause?: unknown };
    const text = [item.code, item.message].filter((part) => typeof part === 'string' && part).join(' ');
    if (text && !parts.includes(text)) parts.push(text);
    current = item.cause;
  }
  return parts.join(': ') || 'network error';
}
