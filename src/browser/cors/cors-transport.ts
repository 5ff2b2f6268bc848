import { TransportFailure, type Transport, type TransportRequest, type TransportResponse } from '../../outbox/transport';
import { announcesFeature, IDEMPOTENCY_FEATURE, IDEMPOTENCY_KEY_HEADER, TRACKING_FEATURES_HEADER } from '../../wire/tracking-features';
import type { ExitRequest } from '../page-close/keepalive';
import { serverOrigin } from '../../runtime/trouble';
import type { ServerFeatureMemory } from './feature-memory';

/**
 * The one header the library adds beyond what a Polyaxon 0.6.1 deployment lets a page send
 * (`POLYAXON_CORS_ALLOWED_HEADERS`) is `Idempotency-Key`. Its CORS allows no hyphenated custom
 * header, so a page that sends one fails every preflight and delivers nothing (F45). A page sends it
 * only to a server that said it accepts it: the local server lists `idempotency` in its exposed
 * `X-Polyaxon-Tracking` answer header. The page asks (`GET users/`) before its first write to an
 * origin, so even a lost create answer is sent again under its key and stored once; a real
 * Polyaxon server ignores the key anyway (at-least-once there). Headers the user configured
 * (`headers`, the in-cluster header) are theirs and go unchanged.
 */

/**
 * The browser transport: `inner` (fetch), with `Idempotency-Key` only where the origin's verdict
 * allows it. A write to an origin not yet asked waits for the probe; a probe without an answer
 * fails the write as a network failure, so the outbox retries it later under the same key.
 */
export function corsAwareTransport(inner: Transport, memory: ServerFeatureMemory): Transport {
  return async (request) => {
    const origin = serverOrigin(request.url);
    if (!carriesKey(request.headers)) {
      const response = await inner(request);
      const idempotency = acceptsKey(response);
      if (idempotency !== undefined) memory.observe(origin, idempotency);
      return response;
    }
    const features = await memory.features(origin, () => probeFeatures(inner, request));
    if (!features.idempotency) return inner({ ...request, headers: withoutKey(request.headers) });
    try {
      return await inner(request);
    } catch (error) {
      if (error instanceof TransportFailure && error.kind === 'network') memory.forget(origin);
      throw error;
    }
  };
}

/**
 * The close-time sender under the same rule, without waiting: an origin not asked yet in this page
 * gets nothing now (false, as when the keepalive budget is spent); the records stay queued and the
 * next load sends them after asking.
 */
export function corsAwareKeepalive(keepalive: (request: ExitRequest) => boolean, memory: ServerFeatureMemory): (request: ExitRequest) => boolean {
  return (request) => {
    if (!carriesKey(request.headers)) return keepalive(request);
    const features = memory.known(serverOrigin(request.url));
    if (!features) return false;
    return keepalive(features.idempotency ? request : { ...request, headers: withoutKey(request.headers) });
  };
}

/**
 * `GET {api}/users/` with the write's credentials: the local server names its features on every
 * answer, errors included; a Polyaxon server names none.
 */
export async function probeFeatures(inner: Transport, write: TransportRequest): Promise<boolean> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(write.headers)) {
    const lower = name.toLowerCase();
    if (lower !== KEY_NAME && lower !== 'content-type') headers[name] = value;
  }
  const url = probeUrl(write.url);
  const response = await inner({ method: 'GET', url, headers, timeoutMs: write.timeoutMs });
  const idempotency = acceptsKey(response);
  if (idempotency === undefined) throw new TransportFailure('network', `GET ${url} answered ${response.status}; asked again before the next write`);
  return idempotency;
}

/** Whether an answer's server takes `Idempotency-Key`; nothing from a 5xx, which a gateway may have given instead. */
function acceptsKey(response: TransportResponse): boolean | undefined {
  if (response.status >= 500) return undefined;
  return announcesFeature(response.headers.get(TRACKING_FEATURES_HEADER), IDEMPOTENCY_FEATURE);
}

/** `users/` under the write's API base (`{origin}[/prefix]/api/v1`), else under the origin's `/api/v1`. */
export function probeUrl(writeUrl: string): string {
  const base = /^(.*?\/api\/v[^/]+)\//.exec(writeUrl);
  return base ? `${base[1]}/users/` : new URL('/api/v1/users/', writeUrl).href;
}

const KEY_NAME = IDEMPOTENCY_KEY_HEADER.toLowerCase();

function carriesKey(headers: Record<string, string>): boolean {
  return Object.keys(headers).some((name) => name.toLowerCase() === KEY_NAME);
}

function withoutKey(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => name.toLowerCase() !== KEY_NAME));
}
