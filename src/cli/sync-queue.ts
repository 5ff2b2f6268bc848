/**
 * Delivers one queue: opens it the way any later process would (which adopts the journals of
 * processes that are gone), lets an Outbox send what they left, and stops as soon as waiting
 * longer cannot help: everything settled, credentials refused, the next retry past the deadline,
 * or the deadline itself. The run targets are in the queue's meta, so every record goes to its
 * own experiment; the token comes from `settings` and is never stored.
 */
import { basename } from 'node:path';
import type { PolyaxonErrorKind } from '../runtime/errors';
import { Outbox, type OutboxStats } from '../outbox/outbox';
import { DROP_REASONS, type DropReason } from '../outbox/policy';
import { newRecordId } from '../outbox/records';
import type { Environment } from '../runtime/environment';
import type { ClientSettings } from '../runtime/settings';
import type { OutboxStore, StoreCaps } from '../outbox/store';
import { listJournals, openJournalStore, queueDirectory, queuedCount, queuedRecords, readJournal, type JournalInfo } from '../node/journal-store';
import { LAST_SYNC_ERROR_KEY, type RecordedSyncError } from './queue-report';

export interface QueueSyncRequest {
  /** Outbox root (the queue is its subfolder for `name`). */
  root: string;
  /** Queue name: `queueName(settings.baseUrl)`. */
  name: string;
  settings: ClientSettings;
  /** Clock time (ms) by which the sync gives up. */
  deadline: number;
  /** The Node runtime: settings lookup, timers that never hold the process open. */
  environment: Environment;
  /** Told how many records are settled (delivered or dropped) out of how many. */
  onProgress(settled: number, total: number): void;
}

/** Why records are still pending after a sync. */
export type StopReason =
  | { kind: 'paused'; status?: number; message: string }
  /** A 404: the project (or experiment) is missing; `message` names it and the fix. Nothing was deleted (F36). */
  | { kind: 'missing'; message: string }
  | { kind: 'retry-after-deadline'; retryAt: number; error?: PolyaxonErrorKind; message: string }
  | { kind: 'timeout'; error?: PolyaxonErrorKind; message?: string; leasedUntil?: number }
  | { kind: 'unopenable'; directory: string };

export interface QueueSyncResult {
  baseUrl: string;
  delivered: number;
  dropped: Record<DropReason, number>;
  /** What is left in the queue this sync held (journals of live processes not counted). */
  pending: number;
  /** Records in journals of live processes: theirs to send, not this sync's. */
  heldByLiveProcesses: number;
  /** The last failure this sync met (the server's message, with its status when it answered). */
  lastError?: string;
  seconds: number;
  stopped?: StopReason;
}

/** Records are only read and removed here: the caps, which apply to appends, must never evict. */
const UNCAPPED: StoreCaps = { maxRecords: Number.MAX_SAFE_INTEGER, maxBytes: Number.MAX_SAFE_INTEGER };
const POLL_INTERVAL_MS = 50;
/**
 * Records per metrics or logs request. A backlog is sent as fast as the server takes it: five
 * times the live default (200, the Python client's flush size) means a fifth of the requests,
 * each still far below the 512 KiB batch byte limit; a server that answers 413 gets halves.
 */
const SYNC_MAX_BATCH_COUNT = 1000;

export async function syncQueue(request: QueueSyncRequest): Promise<QueueSyncResult> {
  const startedAt = performance.now();
  const directory = queueDirectory(request.root, request.name);
  const journals = listJournals(directory);
  const result: QueueSyncResult = {
    baseUrl: request.settings.baseUrl,
    delivered: 0,
    dropped: noDrops(),
    pending: 0,
    heldByLiveProcesses: pendingIn(journals.filter((journal) => journal.owned)),
    seconds: 0,
  };
  // Journals of a newer format are left to a version that reads them (F25), as at any open.
  const left = journals.filter((journal) => !journal.owned && journal.version.kind !== 'unknown');
  // No process left anything: no folder is created, no journal rewritten.
  if (left.length === 0) return finish(result, startedAt);

  const store = await openJournalStore({ name: request.name, caps: UNCAPPED, directory: request.root, getEnv: request.environment.getEnv });
  if (store.kind !== 'journal') {
    await store.close();
    result.pending = pendingIn(left);
    result.stopped = { kind: 'unopenable', directory };
    return finish(result, startedAt);
  }
  const owner = `sync-${process.pid}-${newRecordId()}`;
  const outbox = new Outbox({
    store,
    owner,
    caps: UNCAPPED,
    settings: () => request.settings,
    runtime: request.environment,
    startOffline: false,
    maxBatchCount: SYNC_MAX_BATCH_COUNT,
  });
  const total = (await outbox.storedCounts()).records;
  const stopped = await watch(outbox, total, request);
  if (stopped?.kind === 'timeout') stopped.leasedUntil = leasedByOthers(directory, owner);

  const stats = outbox.stats();
  result.delivered = stats.sent;
  result.dropped = stats.dropped;
  result.pending = await storedRecords(outbox, stats);
  if (stats.lastError) result.lastError = `${stats.lastError.status ? `${stats.lastError.status}: ` : ''}${stats.lastError.message}`;
  if (stopped) result.stopped = stopped;
  await recordOutcome(store, result);
  // Nothing is left to wait for; a request still in flight is answered by the next sync (same key).
  await outbox.close({ timeoutMs: 1 });
  return finish(result, startedAt);
}

/** Records in these journals, read without touching them (0 for one that cannot be read). */
function pendingIn(journals: JournalInfo[]): number {
  let pending = 0;
  for (const journal of journals) {
    try {
      pending += queuedCount(readJournal(journal.path));
    } catch {
      // Gone meanwhile (adopted, compacted): its records are counted where they are now.
    }
  }
  return pending;
}

/**
 * When the last lease taken by someone else ends, if one is still running: the batch a killed
 * process was sending stays leased for its lease time (so it is never sent twice at once), and
 * those records wait for it. Read from this process's own journal, only when a sync timed out.
 */
function leasedByOthers(directory: string, owner: string): number | undefined {
  const now = Date.now();
  let until: number | undefined;
  for (const journal of listJournals(directory)) {
    if (!basename(journal.path).startsWith(`${process.pid}-`)) continue;
    let records;
    try {
      records = queuedRecords(readJournal(journal.path), false);
    } catch {
      continue;
    }
    for (const record of records) {
      if (record.leaseOwner !== owner && record.leaseUntil !== undefined && record.leaseUntil > now) until = Math.max(until ?? 0, record.leaseUntil);
    }
  }
  return until;
}

/** Polls the outbox until every record is settled or waiting cannot help; undefined when all settled. */
async function watch(outbox: Outbox, total: number, request: QueueSyncRequest): Promise<StopReason | undefined> {
  for (;;) {
    const stats = outbox.stats();
    request.onProgress(stats.sent + dropCount(stats.dropped), total);
    if (stats.pending === 0 && stats.inFlight === 0) return undefined;
    const message = stats.lastError?.message;
    if (stats.pausedReason === 'unauthenticated' || stats.pausedReason === 'forbidden') {
      return { kind: 'paused', status: stats.lastError?.status, message: message ?? stats.pausedReason };
    }
    // The project is missing and was not created: waiting for the next look cannot help this sync.
    if (stats.lastError?.kind === 'not_found' && stats.retryAt !== undefined) return { kind: 'missing', message: stats.lastError.help ?? message ?? 'not found' };
    if (stats.retryAt !== undefined && stats.retryAt > request.deadline) {
      return { kind: 'retry-after-deadline', retryAt: stats.retryAt, error: stats.lastError?.kind, message: message ?? 'the server asked to wait' };
    }
    const now = Date.now();
    if (now >= request.deadline) {
      return { kind: 'timeout', error: stats.lastError?.kind, message };
    }
    await sleep(Math.min(POLL_INTERVAL_MS, request.deadline - now));
  }
}

/** The store's own count: the outbox's is an estimate while records are leased elsewhere. */
async function storedRecords(outbox: Outbox, stats: OutboxStats): Promise<number> {
  try {
    return (await outbox.storedCounts()).records;
  } catch {
    return stats.pending;
  }
}

/** Keeps why records stayed or went unsent beside them, for `status`; cleared by a clean sync. */
async function recordOutcome(store: OutboxStore, result: QueueSyncResult): Promise<void> {
  try {
    if (result.pending === 0 && dropCount(result.dropped) === 0) {
      if ((await store.getMeta(LAST_SYNC_ERROR_KEY)) != null) await store.setMeta(LAST_SYNC_ERROR_KEY, null);
      return;
    }
    const message = result.pending > 0 ? describeStop(result.stopped) : `records dropped; last error: ${result.lastError ?? 'n/a'}`;
    const recorded: RecordedSyncError = { at: Date.now(), baseUrl: result.baseUrl, message, pending: result.pending };
    const status = result.stopped && 'status' in result.stopped ? result.stopped.status : undefined;
    if (status !== undefined) recorded.status = status;
    await store.setMeta(LAST_SYNC_ERROR_KEY, recorded);
  } catch {
    // The journal failed under us: the summary line still says what happened.
  }
}

export function describeStop(stopped: StopReason | undefined): string {
  if (!stopped) return 'records were still pending when the sync ended';
  switch (stopped.kind) {
    case 'paused':
      return `sending paused: the server refused the credentials (${stopped.status ? `${stopped.status}: ` : ''}${stopped.message})`;
    case 'missing':
      return stopped.message;
    case 'retry-after-deadline':
      return `${describeError(stopped.error, stopped.message)}; the next retry would come after the deadline`;
    case 'timeout': {
      const error = stopped.message ? `; ${describeError(stopped.error, stopped.message)}` : '';
      const lease = stopped.leasedUntil
        ? `; some records stay leased by a process that is gone until ${new Date(stopped.leasedUntil).toISOString()}`
        : '';
      return `timed out${error}${lease}`;
    }
    case 'unopenable':
      return `cannot open the queue in ${stopped.directory} (not writable?)`;
  }
}

function describeError(kind: PolyaxonErrorKind | undefined, message: string): string {
  if (kind === 'network') return `server unreachable: ${message}`;
  if (kind === 'timeout') return `server did not answer in time: ${message}`;
  return `last error: ${message}`;
}

export function dropCount(dropped: Partial<Record<DropReason, number>>): number {
  return Object.values(dropped).reduce((sum: number, count) => sum + (count ?? 0), 0);
}

function noDrops(): Record<DropReason, number> {
  return Object.fromEntries(DROP_REASONS.map((reason) => [reason, 0])) as Record<DropReason, number>;
}

function finish(result: QueueSyncResult, startedAt: number): QueueSyncResult {
  result.seconds = (performance.now() - startedAt) / 1000;
  return result;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(1, ms)));
}
