import { ofetch } from 'ofetch';
import { getEnvironment } from './runtime';

/**
 * The one thing the outbox asks of the network: send one request, give back status, headers and
 * body. Retries, backoff and drops are the outbox's (like Sentry's `createTransport`, where a
 * runtime hands the core only a function that sends).
 */
export interface TransportRequest {
  method: 'GET' | 'POST' | 'PATCH';
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

/** The default transport, on ofetch, with its retries off (the outbox decides) and every status returned. */
export function fetchTransport(): Transport {
  return async (request) => {
    const controller = new AbortController();
    let timedOut = false;
    // Our own timer, unref'd, for the whole exchange: ofetch's `timeout` timer would hold a Node
    // process open and stops counting at the headers.
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, request.timeoutMs);
    getEnvironment().unrefTimer(timer);
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
      return { status: response.status, headers: response.headers, body: parseBody(response._data) };
    } catch (error) {
      if (timedOut) throw new TransportFailure('timeout', `no answer within ${request.timeoutMs} ms`);
      throw new TransportFailure('network', describeCause(error));
    } finally {
      clearTimeout(timer);
    }
  };
}

function parseBody(text: string | undefined): unknown {
  if (text === undefined || text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** fetch says only "fetch failed"; the reason (ECONNREFUSED, socket hang up) sits in its causes. */
function describeCause(error: unknown): string {
  let current: unknown = error;
  let message = 'network error';
  for (let depth = 0; current && depth < 4; depth++) {
    const item = current as { message?: unknown; code?: unknown; cause?: unknown };
    if (typeof item.code === 'string') return `${item.code}${typeof item.message === 'string' ? ` ${item.message}` : ''}`;
    if (typeof item.message === 'string' && item.message) message = item.message;
    current = item.cause;
  }
  return message;
}
