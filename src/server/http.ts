import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * What a handler answers: JSON (`body`), plain text (`text`), bytes (`bytes`), a body produced piece
 * by piece (`stream`), or nothing (`status` only). See respond.ts for how each is sent.
 */
export interface Reply {
  status: number;
  body?: unknown;
  text?: string;
  /** Sent as they are, `application/octet-stream` unless `headers` name a Content-Type. */
  bytes?: Uint8Array;
  /**
   * A long answer (a metrics listing) written as it is produced, `application/json` unless
   * `headers` name a Content-Type. It is never remembered for an `Idempotency-Key` replay, so only
   * reads answer with one.
   */
  stream?: AsyncIterable<Uint8Array | string>;
  headers?: Record<string, string>;
  /** An event stream: the response is kept open after the headers and handed over, never compressed. */
  keepOpen?: (res: ServerResponse) => void;
}

/**
 * A refusal with Polyaxon's error body (`{detail}`, `{field: [msg]}`, or DRF's bare `["msg"]` of a
 * ValidationError raised in a view), thrown by handlers.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown> | string[],
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

/** Which request bodies a route reads (see `Route`): Polyaxon's own login also takes a form. */
export type BodyKind = 'json' | 'json-or-form' | 'raw';

/**
 * A request body: `value` parsed (undefined when empty; the raw bytes for `raw` routes), and
 * `json` the JSON text it was parsed from ('' otherwise), from which JSON fields are stored as
 * sent (json/raw-json.ts): `JSON.parse` makes one number of `1.0` and `1`.
 */
export interface RequestBody {
  value: unknown;
  json: string;
}

/**
 * The request body. Anything but JSON is refused with DRF's 415: a page on another origin can
 * send `text/plain`, a form or multipart without a preflight, never `application/json`, so this
 * keeps such pages from writing (F42). The login form is the exception Polyaxon's client needs.
 */
export function parseBody(raw: Buffer, contentType: string | undefined, kind: BodyKind): RequestBody {
  if (kind === 'raw') return { value: raw, json: '' };
  if (raw.length === 0) return { value: undefined, json: '' };
  const mediaType = (contentType ?? '').split(';')[0].trim().toLowerCase();
  const text = raw.toString('utf8');
  if (kind === 'json-or-form' && mediaType === 'application/x-www-form-urlencoded') {
    return { value: Object.fromEntries(new URLSearchParams(text)), json: '' };
  }
  if (mediaType !== 'application/json' && !/^application\/[\w.+-]+\+json$/.test(mediaType)) {
    // DRF's UnsupportedMediaType wording (rest_framework/exceptions.py), naming the type as sent.
    throw new HttpError(415, { detail: `Unsupported media type "${contentType ?? ''}" in request.` });
  }
  try {
    return { value: JSON.parse(text), json: text };
  } catch (error) {
    // DRF's ParseError wording, so clients that show `detail` read the same message.
    throw new HttpError(400, { detail: `JSON parse error - ${(error as Error).message}` });
  }
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
