import { logger } from '../../runtime/logger';

/** A request sent as the page goes away: the transport's shape, sent fire-and-forget. */
export interface ExitRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/**
 * The Fetch Standard lets keepalive requests outlive the page only while the bodies of all of a
 * page's in-flight keepalive requests total at most 64 KiB ("HTTP-network-or-cache fetch": if
 * contentLength plus inflightKeepaliveBytes exceeds 64 kibibytes, return a network error;
 * https://fetch.spec.whatwg.org/#http-network-or-cache-fetch). Sentry's browser transport keeps
 * the same count for the same reason.
 */
export const KEEPALIVE_BUDGET_BYTES = 65_536;

type FetchLike = (url: string, init: Record<string, unknown>) => Promise<unknown>;

const encoder = typeof TextEncoder === 'function' ? new TextEncoder() : undefined;

/** Body size as the browser counts it; without TextEncoder, the UTF-8 worst case (3 bytes a unit). */
export function utf8Length(text: string): number {
  return encoder ? encoder.encode(text).length : text.length * 3;
}

/**
 * Returns the keepalive sender: starts `fetch(url, { keepalive: true })` and returns true, or returns false
 * without sending when there is no fetch or the body would overrun what is left of the budget
 * (the browser would reject it anyway). Fire-and-forget: failures are noted at debug level; the
 * records stay in the store and go out on the next load.
 */
export function createKeepaliveSender(getFetch: () => FetchLike | undefined = defaultFetch): (request: ExitRequest) => boolean {
  let inFlightBytes = 0;
  return (request) => {
    const fetchFn = getFetch();
    if (!fetchFn) return false;
    const bytes = request.body === undefined ? 0 : utf8Length(request.body);
    if (inFlightBytes + bytes > KEEPALIVE_BUDGET_BYTES) return false;
    inFlightBytes += bytes;
    const settle = () => {
      inFlightBytes -= bytes;
    };
    try {
      fetchFn(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        keepalive: true,
      }).then(settle, (error: unknown) => {
        settle();
        logger.debug('keepalive send failed', error);
      });
    } catch (error) {
      settle();
      logger.debug('keepalive send refused', error);
      return false;
    }
    return true;
  };
}

function defaultFetch(): FetchLike | undefined {
  return typeof fetch === 'function' ? (fetch as unknown as FetchLike) : undefined;
}
