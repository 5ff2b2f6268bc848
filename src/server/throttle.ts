/**
 * Polyaxon 0.6.1 throttles metric posts per user with DRF's `ScopedRateThrottle`, scope `high`,
 * 120 requests per second (`polyaxon/polyaxon/config_settings/rest.py`, `THROTTLE_RATES_HIGH`).
 * DRF's throttle is a sliding window: a request is refused while the user already made
 * `limitPerSecond` requests in the last second, and the 429 says when the oldest of them leaves
 * the window. The local server does the same, so clients meet the same back-pressure here as in
 * production.
 */
export type ThrottleDecision = { kind: 'allowed' } | { kind: 'throttled'; retryAfterSeconds: number };

const WINDOW_MS = 1000;

export class RateLimiter {
  /** Per user: the times (ms) of the last `limitPerSecond` allowed requests, as a ring. */
  private readonly recent = new Map<string, { times: Float64Array; next: number; count: number }>();

  /** `limitPerSecond` of 0 turns throttling off. */
  constructor(private readonly limitPerSecond: number) {
    if (!Number.isInteger(limitPerSecond) || limitPerSecond < 0) {
      throw new Error(`metrics throttle must be a whole number of requests per second, 0 for none (got ${limitPerSecond})`);
    }
  }

  /** Counts one request from `who` if it fits in the window ending at `nowMs`. */
  admit(who: string, nowMs = Date.now()): ThrottleDecision {
    if (this.limitPerSecond === 0) return { kind: 'allowed' };
    let ring = this.recent.get(who);
    if (!ring) {
      ring = { times: new Float64Array(this.limitPerSecond), next: 0, count: 0 };
      this.recent.set(who, ring);
    }
    // Once the ring is full, its next slot holds the oldest of the last `limitPerSecond` requests.
    const oldest = ring.times[ring.next];
    if (ring.count === this.limitPerSecond && nowMs - oldest < WINDOW_MS) {
      // DRF answers `Retry-After: ceil(wait)`; a wait under a second reads as 1.
      return { kind: 'throttled', retryAfterSeconds: Math.max(1, Math.ceil((WINDOW_MS - (nowMs - oldest)) / 1000)) };
    }
    ring.times[ring.next] = nowMs;
    ring.next = (ring.next + 1) % this.limitPerSecond;
    ring.count = Math.min(ring.count + 1, this.limitPerSecond);
    return { kind: 'allowed' };
  }
}
