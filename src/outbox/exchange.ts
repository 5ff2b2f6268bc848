import type { ResolvedOutboxOptions } from './options';
import { outcomeForFailure, outcomeForResponse, type Outcome } from './policy';
import type { OutboxRequest } from './requests';
import type { UserLookup } from './run-targets';
import type { ClientSettings } from '../runtime/settings';
import { whoAmIRequest } from './requests';
import { TransportFailure } from './transport';

/** A request that got no answer at all still settles within its timeout plus this. */
export const TRANSPORT_GRACE_MS = 1_000;

export type ExchangeOptions = Pick<ResolvedOutboxOptions, 'runtime' | 'transport' | 'requestTimeoutMs' | 'settings' | 'clock' | 'minRetryAfterMs' | 'maxRetryAfterMs'>;

export function requestTimeoutMs(options: Pick<ResolvedOutboxOptions, 'requestTimeoutMs' | 'settings'>): number {
  return options.requestTimeoutMs ?? options.settings().timeoutMs;
}

/** Sends one request and says what the policy makes of the answer (or of its absence). Never throws. */
export async function exchange(options: ExchangeOptions, request: OutboxRequest, recordCount: number): Promise<Outcome> {
  const timeoutMs = requestTimeoutMs(options);
  let guard: ReturnType<typeof setTimeout> | undefined;
  // A transport that ignores its timeout must not stall the queue (and `close()`) forever.
  const deadline = new Promise<never>((_, reject) => {
    guard = setTimeout(() => reject(new TransportFailure('timeout', `no answer within ${timeoutMs} ms`)), timeoutMs + TRANSPORT_GRACE_MS);
    options.runtime.unrefTimer(guard);
  });
  try {
    const response = await Promise.race([options.transport({ ...request, timeoutMs }), deadline]);
    return outcomeForResponse(response, {
      recordCount,
      nowMs: options.clock.now(),
      minMs: options.minRetryAfterMs,
      maxMs: options.maxRetryAfterMs,
    });
  } catch (error) {
    if (error instanceof TransportFailure) return outcomeForFailure(error);
    return { kind: 'retry', reason: 'network', message: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(guard);
  }
}

/** `GET users/` for a project named without its owner; the caller caches the answer. */
export async function lookupUser(options: ExchangeOptions, settings: ClientSettings): Promise<UserLookup> {
  const outcome = await exchange(options, whoAmIRequest(settings), 1);
  if (outcome.kind !== 'ok') return { kind: 'failed', outcome };
  const username = (outcome.body as { username?: unknown } | undefined)?.username;
  if (typeof username === 'string' && username) return { kind: 'user', user: username };
  return { kind: 'failed', outcome: { kind: 'retry', reason: 'server', message: 'users/ answered without a username' } };
}
