/**
 * Capped exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And
 * Jitter"): the wait is uniform in [0, min(cap, base · 2^(attempt-1))], so many clients that failed
 * together do not come back together. A small floor keeps an unlucky draw from retrying at once.
 */

/** First retry waits up to this long. */
export const BASE_BACKOFF_MS = 1_000;
/** No retry waits longer than this. */
export const MAX_BACKOFF_MS = 60_000;
/** No retry waits less than this. */
export const MIN_BACKOFF_MS = 100;

export interface BackoffOptions {
  /** Default: BASE_BACKOFF_MS (1 s). */
  baseMs?: number;
  /** Default: MAX_BACKOFF_MS (60 s). */
  maxMs?: number;
  /** Uniform in [0, 1). Default: Math.random. */
  random?: () => number;
}

/** Wait before retry number `attempt` (1 for the first retry). */
export function backoffDelayMs(attempt: number, options: BackoffOptions = {}): number {
  const baseMs = options.baseMs ?? BASE_BACKOFF_MS;
  const maxMs = options.maxMs ?? MAX_BACKOFF_MS;
  const random = options.random ?? Math.random;
  const exponent = Math.min(Math.max(attempt, 1) - 1, 30);
  const ceilingMs = Math.min(maxMs, baseMs * 2 ** exponent);
  return Math.max(MIN_BACKOFF_MS, Math.floor(random() * ceilingMs));
}
