import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../src/server/throttle';

/** Times are given, not read from a clock: the window arithmetic of DRF's SimpleRateThrottle. */
describe('metrics throttle (Polyaxon: DRF ScopedRateThrottle `high`, 120/second)', () => {
  it('allows N requests in any one second per user, then 429 until the oldest leaves the window', () => {
    const limiter = new RateLimiter(3);
    expect([0, 100, 200].map((ms) => limiter.admit('local', ms).kind)).toEqual(['allowed', 'allowed', 'allowed']);
    expect(limiter.admit('local', 300)).toEqual({ kind: 'throttled', retryAfterSeconds: 1 });
    // Another user has a window of their own.
    expect(limiter.admit('alice', 300).kind).toBe('allowed');
    // A refused request does not count: at 1000 ms the request of 0 ms has left the window.
    expect(limiter.admit('local', 999).kind).toBe('throttled');
    expect(limiter.admit('local', 1000).kind).toBe('allowed');
    expect(limiter.admit('local', 1050).kind).toBe('throttled');
    expect(limiter.admit('local', 1100).kind).toBe('allowed');
  });

  it('a sliding window, not a fixed one: no burst of 2N across a second boundary', () => {
    const limiter = new RateLimiter(2);
    expect(limiter.admit('u', 900).kind).toBe('allowed');
    expect(limiter.admit('u', 950).kind).toBe('allowed');
    expect(limiter.admit('u', 1010).kind).toBe('throttled');
    expect(limiter.admit('u', 1900).kind).toBe('allowed');
  });

  it('0 turns it off; a limit that is not a whole number is refused', () => {
    const off = new RateLimiter(0);
    for (let index = 0; index < 1000; index += 1) expect(off.admit('u', 0).kind).toBe('allowed');
    expect(() => new RateLimiter(-1)).toThrow(/whole number/);
    expect(() => new RateLimiter(1.5)).toThrow(/whole number/);
  });
});
