import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { Reply } from './http';
import { stringifyJson } from './json/raw-json';

/**
 * Writes a `Reply`. Answers to GET over `COMPRESS_MIN_BYTES` of a textual type go out
 * gzip-compressed when the request accepts it. Polyaxon 0.6.1 gzips every list answer (its `api/utils/gzip.py`
 * decorator on `ListEndpoint.get` and the metrics list), even to clients that did not ask; here
 * `Accept-Encoding` decides, as HTTP wants, and `Vary: Accept-Encoding` says so to caches.
 * The body is piped through the compressor, so a `stream` reply is never held whole in memory.
 */
export const COMPRESS_MIN_BYTES = 1024;
/** Django's `compress_string`, which Polyaxon calls, uses level 6. */
const GZIP_LEVEL = 6;
// Stop draining an oversized body after this much and drop the connection instead.
const MAX_DRAIN_BYTES = 64 * 1024 * 1024;
const COMPRESSIBLE = /^(?:text\/|application\/(?:json|javascript|xml|x-ndjson|[\w.+-]+\+(?:json|xml))\b|image\/svg\+xml\b)/i;

export async function send(req: IncomingMessage, res: ServerResponse, reply: Reply, baseHeaders: Record<string, string>): Promise<void> {
  const headers: Record<string, string> = { ...baseHeaders, ...(reply.headers ?? {}) };
  const body = bodyOf(reply, headers);
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
  if (reply.keepOpen) {
    res.writeHead(reply.status, headers);
    reply.keepOpen(res);
    return;
  }
  if (body === undefined || reply.status === 204 || reply.status === 304) {
    res.writeHead(reply.status, headers);
    res.end();
    return;
  }
  const { head, rest } = body.kind === 'bytes' ? { head: body.bytes, rest: undefined } : await readAhead(body.stream);
  const long = rest !== undefined || head.length > COMPRESS_MIN_BYTES;
  // Only reads, as in Polyaxon: compressing the answers of writes would cost every ingest request.
  const compressible = long && req.method === 'GET' && COMPRESSIBLE.test(headers['Content-Type'] ?? '') && headers['Content-Encoding'] === undefined;
  if (compressible) headers.Vary = headers.Vary ? `${headers.Vary}, Accept-Encoding` : 'Accept-Encoding';
  const gzip = compressible && acceptsGzip(headerValue(req.headers['accept-encoding']));
  if (!gzip && rest === undefined) {
    headers['Content-Length'] = String(head.length);
    res.writeHead(reply.status, headers);
    res.end(head);
    return;
  }
  if (gzip) headers['Content-Encoding'] = 'gzip';
  res.writeHead(reply.status, headers);
  const source = Readable.from(chunksOf(head, rest));
  try {
    if (gzip) await pipeline(source, createGzip({ level: GZIP_LEVEL }), res);
    else await pipeline(source, res);
  } catch {
    // The client went away, or the producer of a stream failed after the status was sent: all
    // that is left is to cut the connection, which `pipeline` has done.
  }
}

type Body = { kind: 'bytes'; bytes: Buffer } | { kind: 'stream'; stream: AsyncIterable<Uint8Array | string> };

/** Sets the Content-Type of the body kind and returns the body, or undefined when there is none. */
function bodyOf(reply: Reply, headers: Record<string, string>): Body | undefined {
  if (reply.stream !== undefined) {
    headers['Content-Type'] ??= 'application/json';
    return { kind: 'stream', stream: reply.stream };
  }
  let bytes: Uint8Array | string | undefined;
  if (reply.bytes !== undefined) {
    headers['Content-Type'] ??= 'application/octet-stream';
    bytes = reply.bytes;
  } else if (reply.text !== undefined) {
    headers['Content-Type'] ??= 'text/plain; charset=utf-8';
    bytes = reply.text;
  } else if (reply.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    // JSON fields (RawJson) go out as the text they were sent as.
    bytes = stringifyJson(reply.body);
  }
  return bytes === undefined ? undefined : { kind: 'bytes', bytes: toBuffer(bytes) };
}

/**
 * Reads a stream until it is known to be long (over the threshold) or has ended: a short one then
 * goes out with its length, like any other body.
 */
async function readAhead(stream: AsyncIterable<Uint8Array | string>): Promise<{ head: Buffer; rest?: AsyncIterator<Uint8Array | string> }> {
  const rest = stream[Symbol.asyncIterator]();
  const chunks: Buffer[] = [];
  let size = 0;
  while (size <= COMPRESS_MIN_BYTES) {
    const next = await rest.next();
    if (next.done) return { head: Buffer.concat(chunks) };
    const chunk = toBuffer(next.value);
    chunks.push(chunk);
    size += chunk.length;
  }
  return { head: Buffer.concat(chunks), rest };
}

async function* chunksOf(head: Buffer, rest: AsyncIterator<Uint8Array | string> | undefined): AsyncGenerator<Buffer> {
  yield head;
  if (!rest) return;
  for (let next = await rest.next(); !next.done; next = await rest.next()) yield toBuffer(next.value);
}

const toBuffer = (chunk: Uint8Array | string): Buffer =>
  typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);

/** True when `Accept-Encoding` gives gzip (or `*`, gzip not excluded) a weight above 0. */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  let gzip: number | undefined;
  let any: number | undefined;
  for (const part of header.split(',')) {
    const [coding, ...params] = part.trim().toLowerCase().split(';').map((piece) => piece.trim());
    const q = params.find((param) => param.startsWith('q='));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    const usable = Number.isFinite(weight) ? weight : 0;
    if (coding === 'gzip' || coding === 'x-gzip') gzip = Math.max(gzip ?? 0, usable);
    else if (coding === '*') any = usable;
  }
  return (gzip ?? any ?? 0) > 0;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}
