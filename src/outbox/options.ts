import { BASE_BACKOFF_MS, MAX_BACKOFF_MS } from './backoff';
import { ValidationError, type PolyaxonError } from '../runtime/errors';
import { newRecordId } from './records';
import { MAX_RETRY_AFTER_MS, MIN_RETRY_AFTER_MS } from './retry-after';
import type { OutboxRuntime } from './runtime';
import type { ClientSettings } from '../runtime/settings';
import type { OutboxStore, StoreCaps } from './store';
import { fetchTransport, type Transport } from './transport';

export interface Clock {
  now(): number;
}

/** No runtime at all: timers as they are, always online, nothing sent as a page goes away. */
const NO_RUNTIME: OutboxRuntime = { unrefTimer: () => {} };

export interface OutboxOptions {
  /** Where records wait. A promise is fine: appends are buffered until it opens. */
  store: OutboxStore | Promise<OutboxStore>;
  /** Read at send time, so a new token takes effect at once and is never stored. */
  settings: () => ClientSettings;
  /**
   * @internal The runtime the outbox lives in: its timers, whether it starts online, what it can
   * send as a page goes away. Default: none of them (timers left as they are, online, no
   * close-time send). Experiments hand theirs in.
   */
  runtime?: OutboxRuntime;
  /**
   * Sends one request. Default: the runtime's transport (in browsers, fetch that sends
   * `Idempotency-Key` only to a server that says it takes it), else `fetchTransport()` (ofetch) on
   * `runtime`'s timers.
   */
  transport?: Transport;
  /** Names this outbox's leases (a tab or process). Default: a new unique id. */
  owner?: string;
  /**
   * Most records and bytes kept; past them the oldest metrics and logs go. Default: 250_000
   * records, `maxQueueMemoryBytes` bytes, and for the Node journal `maxJournalBytes`.
   */
  caps?: StoreCaps;
  /**
   * Most bytes of record bodies kept in memory (the memory store, IndexedDB, and a Node journal
   * whose disk failed); overrides `caps.maxBytes`. Default: 67_108_864 (64 MiB).
   */
  maxQueueMemoryBytes?: number;
  /**
   * Node: most bytes of the file journal's live lines; the oldest metrics and logs go past it, and
   * only past it while the journal is written. Overrides `caps.maxJournalBytes`. Default:
   * 1_073_741_824 (1 GiB), or 10% of the free space of the journal's disk, whichever is smaller.
   */
  maxJournalBytes?: number;
  /**
   * Most records in one metrics or logs request. Batches start at 200 records (the Python client
   * flushes at 200 per URL) and grow while the server answers full ones within a second, shrink
   * when it is slow (outbox/batch-size.ts). Default: 10_000 (Weights & Biases' limit per request;
   * Polyaxon takes any list).
   */
  maxBatchCount?: number;
  /**
   * Most body bytes in one request (a single larger record still goes alone). Batches start at
   * 512 KiB at most and adapt like the count. Default: 4 MiB.
   */
  maxBatchBytes?: number;
  /** How long metrics and logs wait to be grouped before a send. Default: 1_000 ms (as the Python client). */
  flushIntervalMs?: number;
  /** How long a claim holds records before anyone may claim them again; at least the request timeout plus 5 s. Default: 30_000 ms. */
  leaseMs?: number;
  /** Per-request timeout. Default: the settings' `timeoutMs` (30_000 ms). */
  requestTimeoutMs?: number;
  /** First retry waits up to this long (full jitter). Default: 1_000 ms. */
  baseBackoffMs?: number;
  /** Longest backoff between retries. Default: 60_000 ms. */
  maxBackoffMs?: number;
  /** Shortest wait a `Retry-After` imposes (`0`, past dates). Default: 1_000 ms. */
  minRetryAfterMs?: number;
  /** Longest wait a `Retry-After` may impose. Default: 300_000 ms. */
  maxRetryAfterMs?: number;
  /** Start offline (POLYAXON_IS_OFFLINE): queue everything, send nothing until `setOnline(true)`. Default: false. */
  startOffline?: boolean;
  /** Time source for leases and dates. Default: `Date`. */
  clock?: Clock;
  /** Jitter source, uniform in [0, 1). Default: `Math.random`. */
  random?: () => number;
  /** Told of every dropped batch and of each pause for refused credentials. Default: none. */
  onError?: (error: PolyaxonError) => void;
}

export interface FlushOptions {
  /** Default: 30_000 ms for flush, 10_000 ms for close. */
  timeoutMs?: number;
  /**
   * Node: keep the process alive while waiting (never longer than `timeoutMs`), so a script that
   * awaits a flush gets its answer instead of exiting with the promise unsettled. The exit handler
   * passes false: a process whose server is down still exits at once, leaving the rest to the
   * next run. Default: true.
   */
  holdProcess?: boolean;
}

/**
 * Room for a whole offline run of 100,000 points with its other records (F08) and more in memory
 * or IndexedDB. The Node journal on disk is bounded by `maxJournalBytes` instead.
 */
export const DEFAULT_CAPS: StoreCaps = { maxRecords: 250_000, maxBytes: 64 * 1024 * 1024 };
/** `maxJournalBytes` at most: 1 GiB. */
export const DEFAULT_MAX_JOURNAL_BYTES = 1024 * 1024 * 1024;
/** `maxJournalBytes` is at most this share of the journal disk's free space at open. */
export const JOURNAL_SHARE_OF_FREE_DISK = 0.1;
export const DEFAULT_MAX_BATCH_COUNT = 10_000;
export const DEFAULT_MAX_BATCH_BYTES = 4 * 1024 * 1024;
export const DEFAULT_FLUSH_INTERVAL_MS = 1_000;
export const DEFAULT_LEASE_MS = 30_000;
/** A lease outlives its request by this much, so a slow answer is never sent twice by two owners. */
export const LEASE_MARGIN_MS = 5_000;

export type ResolvedOutboxOptions = Required<Omit<OutboxOptions, 'requestTimeoutMs' | 'onError' | 'store' | 'maxQueueMemoryBytes' | 'maxJournalBytes'>> &
  Pick<OutboxOptions, 'requestTimeoutMs' | 'onError'>;

export function resolveOutboxOptions(options: OutboxOptions): ResolvedOutboxOptions {
  if (typeof options.settings !== 'function') throw new ValidationError('settings', 'must be a function returning the client settings');
  const caps: StoreCaps = { ...(options.caps ?? DEFAULT_CAPS) };
  if (options.maxQueueMemoryBytes !== undefined) caps.maxBytes = positive('maxQueueMemoryBytes', options.maxQueueMemoryBytes);
  caps.maxJournalBytes = options.maxJournalBytes !== undefined ? positive('maxJournalBytes', options.maxJournalBytes) : (caps.maxJournalBytes ?? 'default');
  const runtime = options.runtime ?? NO_RUNTIME;
  positive('caps.maxRecords', caps.maxRecords);
  positive('caps.maxBytes', caps.maxBytes);
  if (caps.maxJournalBytes !== 'default') positive('caps.maxJournalBytes', caps.maxJournalBytes);
  return {
    settings: options.settings,
    runtime,
    transport: options.transport ?? runtime.transport ?? fetchTransport(runtime),
    owner: options.owner ?? newRecordId(),
    caps,
    maxBatchCount: positive('maxBatchCount', options.maxBatchCount ?? DEFAULT_MAX_BATCH_COUNT),
    maxBatchBytes: positive('maxBatchBytes', options.maxBatchBytes ?? DEFAULT_MAX_BATCH_BYTES),
    flushIntervalMs: nonNegative('flushIntervalMs', options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS),
    leaseMs: positive('leaseMs', options.leaseMs ?? DEFAULT_LEASE_MS),
    requestTimeoutMs: options.requestTimeoutMs === undefined ? undefined : positive('requestTimeoutMs', options.requestTimeoutMs),
    baseBackoffMs: positive('baseBackoffMs', options.baseBackoffMs ?? BASE_BACKOFF_MS),
    maxBackoffMs: positive('maxBackoffMs', options.maxBackoffMs ?? MAX_BACKOFF_MS),
    minRetryAfterMs: positive('minRetryAfterMs', options.minRetryAfterMs ?? MIN_RETRY_AFTER_MS),
    maxRetryAfterMs: positive('maxRetryAfterMs', options.maxRetryAfterMs ?? MAX_RETRY_AFTER_MS),
    startOffline: options.startOffline ?? false,
    clock: options.clock ?? Date,
    random: options.random ?? Math.random,
    onError: options.onError,
  };
}

function positive(field: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw new ValidationError(field, 'must be a positive number');
  return value;
}

function nonNegative(field: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new ValidationError(field, 'must be zero or a positive number');
  return value;
}
