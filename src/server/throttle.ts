/**
 * Polyaxon throttles metric posts at 120 requests per second per user (answering 429); the local
 * server does the same so clients meet the same back-pressure here as in production.
 */
export class RateLimiter {
  private readonly windows = new Map<string, { startMs: number; count: number }>();

  /** `limitPerSecond` of 0 turns throttling off. */
  constructor(private readonly limitPerSecond: number) {}

  /** True when one more request from `who` fits in the current one-second window. */
  allow(who: string, nowMs = Date.now()): boolean {
    if (this.limitPerSecond <= 0) return true;
    const window = this.windows.get(who);
    if (!window || nowMs - window.startMs >= 1000) {
      this.windows.set(who, { startMs: nowMs, count: 1 });
      return true;
    }
    window.count += 1;
    return window.count <= this.limitPerSecond;
  }
}
