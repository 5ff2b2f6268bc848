/**
 * `Retry-After` (RFC 9110 §10.2.3): either delay-seconds (`120`) or an HTTP-date
 * (`Wed, 21 Oct 2015 07:28:00 GMT`). Servers and proxies also send `0`, past dates and garbage;
 * none of those may turn into a tight retry loop (F04).
 */

/** Shortest wait a `Retry-After` can impose: `0` or a past date still waits this long. */
export const MIN_RETRY_AFTER_MS = 1_000;
/** Longest wait a `Retry-After` can impose, however far away the server says. */
export const MAX_RETRY_AFTER_MS = 300_000;

const DELAY_SECONDS = /^\s*(\d+(?:\.\d+)?)\s*$/;
// An HTTP-date names a weekday or month; this keeps `Date.parse` away from bare numbers like "-5".
const LOOKS_LIKE_DATE = /[a-z]{3}/i;

/** The delay the header asks for, in ms (negative for a past date), or undefined when absent or unreadable. */
export function parseRetryAfterMs(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const seconds = DELAY_SECONDS.exec(value);
  if (seconds) return Number(seconds[1]) * 1000;
  if (!LOOKS_LIKE_DATE.test(value)) return undefined;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : at - nowMs;
}

export interface RetryAfterLimits {
  /** Default: MIN_RETRY_AFTER_MS (1 s). */
  minMs?: number;
  /** Default: MAX_RETRY_AFTER_MS (5 min). */
  maxMs?: number;
}

/** The wait to honour, clamped to [minMs, maxMs]; undefined when the header gives nothing usable. */
export function retryAfterDelayMs(value: string | null | undefined, nowMs: number, limits: RetryAfterLimits = {}): number | undefined {
  const asked = parseRetryAfterMs(value, nowMs);
  if (asked === undefined) return undefined;
  const minMs = limits.minMs ?? MIN_RETRY_AFTER_MS;
  const maxMs = Math.max(minMs, limits.maxMs ?? MAX_RETRY_AFTER_MS);
  return Math.min(maxMs, Math.max(minMs, Math.ceil(asked)));
}
