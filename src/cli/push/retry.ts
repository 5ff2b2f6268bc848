/**
 * How `push` waits and tries again. The decision on each answer is the outbox's own policy
 * (src/outbox/policy.ts: 408/425/429/5xx and network failures are retried, `Retry-After` is honoured
 * and clamped, 413 splits, 401/403 pause, other 4xx refuse) and the wait between tries its
 * capped exponential backoff with full jitter (src/outbox/backoff.ts). What differs from the outbox
 * is only who waits: a command waits in line, bounded by `retryForMs`, and can be interrupted.
 */
import { backoffDelayMs } from '../../outbox/backoff';
import { PolyaxonError } from '../../runtime/errors';
import { RETRYABLE_STATUSES, type Outcome } from '../../outbox/policy';
import { formatSeconds } from '../progress';

export interface RetryOptions {
  /** Keep trying one request this long (from its first try), then give up. */
  retryForMs: number;
  /** Set when the user interrupted the push: no new try starts, a wait ends at once. */
  signal: AbortSignal;
  /** Told before each wait: how long, and why (for the progress line). */
  onWait?(waitMs: number, reason: string): void;
  /** Uniform in [0, 1) for the backoff jitter. Default: Math.random. */
  random?: () => number;
}

/** What one try gave: done, or worth another try (with the wait the server asked for, if any). */
export type Attempt<T> = { kind: 'done'; value: T } | { kind: 'retry'; afterMs?: number; message: string; status?: number };

/** The request could not be completed: retries ran out, or the user interrupted. */
export class GaveUp extends Error {
  override readonly name = 'GaveUp';
  constructor(
    message: string,
    readonly interrupted: boolean,
    /** The last answer's status; undefined when none came (network, timeout). */
    readonly status?: number,
  ) {
    super(message);
  }
}

/** Calls `attempt` until it is done; throws GaveUp past `retryForMs` or on interrupt. */
export async function retrying<T>(attempt: () => Promise<Attempt<T>>, options: RetryOptions): Promise<T> {
  const startedAt = Date.now();
  for (let tries = 1; ; tries += 1) {
    if (options.signal.aborted) throw new GaveUp('interrupted', true);
    const result = await attempt();
    if (result.kind === 'done') return result.value;
    const waitMs = result.afterMs ?? backoffDelayMs(tries, { random: options.random });
    if (Date.now() + waitMs - startedAt > options.retryForMs) {
      const seconds = formatSeconds((Date.now() - startedAt) / 1000);
      throw new GaveUp(`${result.message} (still failing after ${tries} tries in ${seconds} s)`, false, result.status);
    }
    options.onWait?.(waitMs, result.message);
    await sleep(waitMs, options.signal);
  }
}

/** An outcome of the outbox policy as one try: retries wait, everything else is handed back. */
export function attemptOf(outcome: Outcome): Attempt<Exclude<Outcome, { kind: 'retry' }>> {
  if (outcome.kind !== 'retry') return { kind: 'done', value: outcome };
  const status = outcome.status ? `${outcome.status} ` : '';
  return { kind: 'retry', afterMs: outcome.afterMs, message: `${status}${outcome.message}`, status: outcome.status };
}

/**
 * A PolyaxonClient call as one try: a failure the policy would retry (no answer, 408/425/429/5xx)
 * is another try, any other error is thrown as it is. The client's errors carry no headers, so a
 * source's `Retry-After` is not seen here; the backoff is used instead.
 */
export async function clientAttempt<T>(call: () => Promise<T>): Promise<Attempt<T>> {
  try {
    return { kind: 'done', value: await call() };
  } catch (error) {
    if (error instanceof PolyaxonError && (error.status === 0 || RETRYABLE_STATUSES.has(error.status))) {
      return { kind: 'retry', message: error.message, status: error.status || undefined };
    }
    throw error;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
