import { serverMessage } from '../wire/server-message';
import { retryAfterDelayMs, type RetryAfterLimits } from './retry-after';
import type { TransportFailure, TransportResponse } from './transport';

/**
 * What the outbox does with an answer, as data (DESIGN "Status policy as data"). The sender
 * switches on `kind`; nothing else decides about retries, splits, pauses or drops.
 */

/** Why records left the queue without reaching the server. A closed set: every drop is counted under one. */
export type DropReason =
  /** The queue was at its caps; the oldest metrics and logs made room. */
  | 'queue_full'
  /** A single record the server still refused with 413. */
  | 'too_large'
  /** The server refused the record (a 4xx other than 401, 403, 408, 413, 425, 429). */
  | 'rejected'
  /** The run's create was refused, so the run has nowhere to go. */
  | 'run_rejected'
  /** No create and no known server id for the run (a queue left without its run's target). */
  | 'unknown_run'
  /** The body could not be turned into JSON (circular, BigInt). */
  | 'unserializable'
  /** The store failed to keep the record (write error). */
  | 'store_failed';

export const DROP_REASONS: readonly DropReason[] = [
  'queue_full',
  'too_large',
  'rejected',
  'run_rejected',
  'unknown_run',
  'unserializable',
  'store_failed',
];

export type RetryReason = 'network' | 'timeout' | 'throttled' | 'server';
/** The server refused the credentials: 401 (`unauthenticated`) or 403 (`forbidden`). */
export type CredentialsRefusal = 'unauthenticated' | 'forbidden';

/** The status each refusal of credentials comes with. */
export const REFUSAL_STATUS: Readonly<Record<CredentialsRefusal, 401 | 403>> = { unauthenticated: 401, forbidden: 403 };

export function isCredentialsRefusal(reason: string | undefined): reason is CredentialsRefusal {
  return reason === 'unauthenticated' || reason === 'forbidden';
}

export type Outcome =
  | { kind: 'ok'; body?: unknown }
  /** Send the same batch again later; `afterMs` when the server said how long to wait. */
  | { kind: 'retry'; reason: RetryReason; afterMs?: number; message: string; status?: number }
  /**
   * Send the batch again in halves: too large as a batch (413, `too_large`), or refused as a whole
   * when one record may be at fault (a 4xx such as 400 on several records, `rejected`, F34).
   */
  | { kind: 'split'; reason: 'too_large' | 'rejected'; message: string; status: number }
  /** The credentials are refused: stop sending anything, keep every record. */
  | { kind: 'pause'; reason: CredentialsRefusal; message: string }
  /**
   * 404: the project (on a create) or the experiment is not there. Nothing is dropped for it,
   * ever (F36): the records wait, the project may be created (createProject) or appear later.
   */
  | { kind: 'missing'; message: string; status: 404 }
  /** `status`: the server's, when it answered. */
  | { kind: 'drop'; reason: DropReason; message: string; status?: number };

/**
 * 408 Request Timeout, 425 Too Early, 429 Too Many Requests, the gateway-ish 5xx, and 507
 * Insufficient Storage (the local server's full disk, F37): it keeps nothing of the request and
 * takes writes again once space is freed, like a 503.
 */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 425, 429, 500, 502, 503, 504, 507]);
/** Statuses that say "later" rather than "broken": retried as throttling, `Retry-After` honoured. */
const THROTTLE_STATUSES: ReadonlySet<number> = new Set([429, 503, 507]);

export interface PolicyContext extends RetryAfterLimits {
  /** Records in the request (a 413 on one record cannot be split further). */
  recordCount: number;
  nowMs: number;
}

export function outcomeForResponse(response: TransportResponse, context: PolicyContext): Outcome {
  const { status } = response;
  if (status >= 200 && status < 300) return { kind: 'ok', body: response.body };
  const message = serverMessage(response.body) || `HTTP ${status}`;
  if (status === 401) return { kind: 'pause', reason: 'unauthenticated', message };
  if (status === 403) return { kind: 'pause', reason: 'forbidden', message };
  if (status === 404) return { kind: 'missing', message, status };
  if (status === 413) {
    return context.recordCount > 1 ? { kind: 'split', reason: 'too_large', message, status } : { kind: 'drop', reason: 'too_large', message, status };
  }
  if (status >= 400 && status < 500 && !RETRYABLE_STATUSES.has(status)) {
    // One bad point must not take 199 good ones with it (F34): halve until it is alone.
    return context.recordCount > 1 ? { kind: 'split', reason: 'rejected', message, status } : { kind: 'drop', reason: 'rejected', message, status };
  }
  // 408/425/429, every 5xx, and statuses no Polyaxon server sends (1xx, 3xx that fetch did not
  // follow): the records are not at fault, so they wait rather than go.
  const afterMs = retryAfterDelayMs(response.headers.get('retry-after'), context.nowMs, context);
  const reason: RetryReason = THROTTLE_STATUSES.has(status) ? 'throttled' : 'server';
  return afterMs === undefined ? { kind: 'retry', reason, message, status } : { kind: 'retry', reason, afterMs, message, status };
}

export function outcomeForFailure(failure: TransportFailure): Outcome {
  return { kind: 'retry', reason: failure.kind, message: failure.message };
}
