/**
 * What one queue folder holds, read without taking a lock or writing a byte (journals of live
 * processes included): pending records per journal and per experiment, where each experiment
 * goes, and the last error `sync` recorded. Used by `status`, and by `sync` before it opens the
 * queue.
 */
import { basename } from 'node:path';
import type { OutboxRecord, RecordKind } from '../outbox/records';
import { isCreateBody } from '../outbox/requests';
import { runMetaKey, type StoredRunTarget } from '../outbox/run-targets';
import { queuedCount, queuedRecords, readJournal, type JournalInfo, type QueueInfo } from '../node/journal-store';
import { describeQueueServer } from '../outbox/queue-name';

/**
 * Meta key under which `sync` keeps the error that left records pending (null once a sync
 * delivered everything). Library processes keep their last error in memory only (`stats()`).
 */
export const LAST_SYNC_ERROR_KEY = 'sync:lastError';

export interface RecordedSyncError {
  /** When the sync ended, ms since epoch. */
  at: number;
  baseUrl: string;
  /** Why records stayed: the server's message, or what kept them from going. */
  message: string;
  /** The HTTP status, when the server answered. */
  status?: number;
  pending: number;
}

export interface JournalReport {
  file: string;
  path: string;
  /** The process the file is named after: its writer, or the last process that adopted it. */
  pid?: number;
  /** A live process holds the journal: its records are that process's to send. */
  live: boolean;
  /** `current`, `v0` (migrated on adoption), or `unknown: <why>` (left for a newer version). */
  format: string;
  sizeBytes: number;
  pending: number;
  /** Lines that did not parse (a write cut short by a crash). */
  skippedLines: number;
  /** Latest lease still running: those records wait for it to end before anyone sends them. */
  leasedUntil?: number;
  /** Set when the file could not be read (removed while listing, say). */
  unreadable?: string;
}

export interface ExperimentReport {
  /** The run's local key, known before the server answered the create. */
  run: string;
  user?: string;
  project?: string;
  /** Server id; absent while the create has not reached the server. */
  id?: number;
  name?: string;
  /** The server refused the run's create: its records are dropped when their turn comes. */
  rejected?: string;
  pending: number;
  byKind: Partial<Record<RecordKind, number>>;
  /** How many of `pending` sit in journals of live processes. */
  heldByLiveProcess: number;
}

export interface QueueReport {
  name?: string;
  /** `host:port/api/version` recovered from the name (the scheme is not kept). */
  server?: string;
  directory: string;
  pending: number;
  heldByLiveProcesses: number;
  journals: JournalReport[];
  experiments: ExperimentReport[];
  /** Recorded by the last `sync` that left records pending; null after one that delivered all. */
  lastSyncError: RecordedSyncError | null;
}

export function reportQueue(queue: QueueInfo, now: number = Date.now()): QueueReport {
  const experiments = new Map<string, ExperimentReport>();
  const meta = new Map<string, unknown>();
  const journals = queue.journals.map((info) => reportJournal(info, now, experiments, meta));
  for (const experiment of experiments.values()) describeRun(experiment, meta.get(runMetaKey(experiment.run)));
  const pending = journals.reduce((sum, journal) => sum + journal.pending, 0);
  return {
    name: queue.name,
    server: queue.name === undefined ? undefined : describeQueueServer(queue.name),
    directory: queue.directory,
    pending,
    heldByLiveProcesses: journals.reduce((sum, journal) => sum + (journal.live ? journal.pending : 0), 0),
    journals,
    experiments: [...experiments.values()],
    lastSyncError: (meta.get(LAST_SYNC_ERROR_KEY) as RecordedSyncError | null | undefined) ?? null,
  };
}

function reportJournal(
  info: JournalInfo,
  now: number,
  experiments: Map<string, ExperimentReport>,
  meta: Map<string, unknown>,
): JournalReport {
  const file = basename(info.path);
  const pidText = /^(\d+)-/.exec(file)?.[1];
  const report: JournalReport = {
    file,
    path: info.path,
    live: info.owned,
    format: info.version.kind === 'unknown' ? `unknown: ${info.version.detail}` : info.version.kind,
    sizeBytes: info.sizeBytes,
    pending: 0,
    skippedLines: 0,
  };
  if (pidText !== undefined) report.pid = Number(pidText);
  let contents;
  try {
    contents = readJournal(info.path);
  } catch (error) {
    report.unreadable = error instanceof Error ? error.message : String(error);
    return report;
  }
  report.pending = queuedCount(contents);
  report.skippedLines = contents.skippedLines;
  for (const record of queuedRecords(contents, false)) {
    countRecord(experiments, record, info.owned);
    if (record.leaseUntil !== undefined && record.leaseUntil > now) report.leasedUntil = Math.max(report.leasedUntil ?? 0, record.leaseUntil);
  }
  for (const [key, value] of contents.meta) {
    // Journals of one queue never disagree on a run's target; the newest sync error wins.
    if (key === LAST_SYNC_ERROR_KEY && isNewerError(meta.get(key), value)) meta.set(key, value);
    else if (key !== LAST_SYNC_ERROR_KEY) meta.set(key, value);
  }
  return report;
}

function countRecord(experiments: Map<string, ExperimentReport>, record: OutboxRecord, live: boolean): void {
  let experiment = experiments.get(record.run);
  if (!experiment) {
    experiment = { run: record.run, pending: 0, byKind: {}, heldByLiveProcess: 0 };
    experiments.set(record.run, experiment);
  }
  experiment.pending++;
  experiment.byKind[record.kind] = (experiment.byKind[record.kind] ?? 0) + 1;
  if (live) experiment.heldByLiveProcess++;
  if (record.kind === 'create' && isCreateBody(record.body)) {
    experiment.user ??= record.body.target.user;
    experiment.project ??= record.body.target.project;
    const name = (record.body.experiment as { name?: unknown }).name;
    if (typeof name === 'string') experiment.name = name;
  }
}

/** The stored target (set once the create was acknowledged, or given) completes the create's. */
function describeRun(experiment: ExperimentReport, stored: unknown): void {
  if (typeof stored !== 'object' || stored === null) return;
  const target = stored as StoredRunTarget;
  if (typeof target.user === 'string') experiment.user = target.user;
  if (typeof target.project === 'string' && target.project !== '') experiment.project = target.project;
  if (typeof target.id === 'number') experiment.id = target.id;
  if (typeof target.rejected === 'string') experiment.rejected = target.rejected;
}

function isNewerError(current: unknown, candidate: unknown): boolean {
  if (candidate === null || typeof candidate !== 'object') return current === undefined;
  if (current === null || typeof current !== 'object') return true;
  return (candidate as RecordedSyncError).at > (current as RecordedSyncError).at;
}
