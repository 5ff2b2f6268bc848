import type { IncomingMessage, ServerResponse } from 'node:http';

/** What a handler answers: JSON (`body`), plain text (`text`), bytes (`bytes`), or nothing (`status` only). */
export interface Reply {
  status: number;
  body?: unknown;
  text?: string;
  /** Sent as they are, `application/octet-stream` unless `headers` name a Content-Type. */
  bytes?: Uint8Array;
  headers?: Record<string, string>;
  /** Keeps the response open after the headers and hands it over (event streams). */
  stream?: (res: ServerResponse) => void;
}

/** A refusal with Polyaxon's error body (`{detail}` or `{field: [msg]}`), thrown by handlers. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(`${status} ${JSON.stringify(body)}`);
  }
}

export const json = (status: number, body: unknown): Reply => ({ status, body });

export const notFound = (): HttpError => new HttpError(404, { detail: 'Not found.' });
export const forbidden = (): HttpError =>
  new HttpError(403, { detail: 'You do not have permission to perform this action.' });
/** DRF's shape for field errors: every field maps to a list of messages. */
export const badRequest = (errors: Record<string, string[]>): HttpError => new HttpError(400, errors);

/** Headers a page on another origin needs to call the API with a token (no cookies involved). */
export const ALLOWED_HEADERS = ['Authorization', 'Content-Type', 'Idempotency-Key'];
export const ALLOWED_METHODS = ['GET', 'POST', 'PATCH', 'PUT', 'DELETE', 'OPTIONS'];

export function corsHeaders(): Record<string, string> {
  return {
    'Access-Control-Allow-Origin': '*',
    'Access-Control-Expose-Headers': 'Retry-After, Idempotent-Replayed',
  };
}

export function preflightHeaders(req: IncomingMessage): Record<string, string> {
  // Requested extra headers (e.g. the in-cluster X-POLYAXON-INTERNAL) are allowed as well.
  const requested = String(req.headers['access-control-request-headers'] ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => /^[A-Za-z0-9-]+$/.test(name));
  const headers: Record<string, string> = {
    ...corsHeaders(),
    'Access-Control-Allow-Methods': ALLOWED_METHODS.join(', '),
    'Access-Control-Allow-Headers': [...new Set([...ALLOWED_HEADERS, ...requested])].join(', '),
    'Access-Control-Max-Age': '600',
  };
  // Chrome's Private Network Access asks before a public page may reach 127.0.0.1.
  if (req.headers['access-control-request-private-network'] === 'true') {
    headers['Access-Control-Allow-Private-Network'] = 'true';
  }
  return headers;
}

/** Reads the request body, refusing (413) as soon as it is known to exceed `maxBytes`. */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const tooLarge = () =>
    new HttpError(413, { detail: `Request body exceeds the limit of ${maxBytes} bytes.` });
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBytes) throw tooLarge();
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > maxBytes) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** JSON, or form fields for `application/x-www-form-urlencoded` (the login call); undefined when empty. */
export function parseBody(raw: Buffer, contentType: string | undefined): unknown {
  if (raw.length === 0) return undefined;
  const text = raw.toString('utf8');
  if (contentType?.includes('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(text));
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    // DRF's ParseError wording, so clients that show `detail` read the same message.
    throw new HttpError(400, { detail: `JSON parse error - ${(error as Error).message}` });
  }
}

// Stop draining an oversized body after this much and drop the connection instead.
const MAX_DRAIN_BYTES = 64 * 1024 * 1024;

export function send(req: IncomingMessage, res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = { ...corsHeaders(), ...(reply.headers ?? {}) };
  let payload: string | Uint8Array | undefined;
  if (reply.bytes !== undefined) {
    headers['Content-Type'] ??= 'application/octet-stream';
    payload = reply.bytes;
  } else if (reply.text !== undefined) {
    headers['Content-Type'] ??= 'text/plain; charset=utf-8';
    payload = reply.text;
  } else if (reply.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(reply.body);
  }
  // A body still arriving (413) is drained so the client reads the answer instead of a reset.
  if (!req.complete) {
    headers.Connection = 'close';
    let drained = 0;
    req.on('data', (chunk: Buffer) => {
      drained += chunk.length;
      if (drained > MAX_DRAIN_BYTES) req.destroy();
    });
    req.resume();
  }
  res.writeHead(reply.status, headers);
  if (reply.stream) reply.stream(res);
  else res.end(payload);
}

export type ParsedPath =
  | { kind: 'api'; segments: string[]; query: URLSearchParams }
  | { kind: 'other'; pathname: string; query: URLSearchParams };

const API_PREFIX = '/api/v1';

/**
 * Splits the raw request target without resolving dot segments (a URL parser would turn
 * `/api/v1/../../etc` into `/etc`): any `.`/`..` segment or encoded separator is refused, so a
 * path segment can never name anything but an entity.
 */
export function parsePath(rawUrl: string): ParsedPath {
  const questionMark = rawUrl.indexOf('?');
  const rawPath = questionMark === -1 ? rawUrl : rawUrl.slice(0, questionMark);
  const query = new URLSearchParams(questionMark === -1 ? '' : rawUrl.slice(questionMark + 1));
  if (rawPath !== API_PREFIX && !rawPath.startsWith(`${API_PREFIX}/`)) {
    return { kind: 'other', pathname: rawPath, query };
  }
  const rest = rawPath.slice(API_PREFIX.length + 1).replace(/\/$/, '');
  const segments = rest === '' ? [] : rest.split('/').map(decodeSegment);
  return { kind: 'api', segments, query };
}

function decodeSegment(raw: string): string {
  let segment: string;
  try {
    segment = decodeURIComponent(raw);
  } catch {
    throw malformedPath();
  }
  if (segment === '' || segment === '.' || segment === '..' || /[/\\\0]/.test(segment)) throw malformedPath();
  return segment;
}

const malformedPath = () => new HttpError(400, { detail: 'Malformed path.' });
