/**
 * The Node outbox store: an append-only JSONL journal per process, replayed into memory at open
 * (metric points as columns of numbers, journal/metric-table.ts; the file read a piece at a time).
 *
 * Layout: `<root>/<queue folder>/<pid>-<random>.jsonl` (see journal/location.ts for the root,
 * journal/ownership.ts for how processes share a folder, journal/format.ts for the lines).
 * Every operation turns into journal entries that are handed to the file's writer thread first
 * and then applied to memory by the same code that replays the file at open, so what a restarted
 * process sees is exactly what this one saw. A record can be handed over at the call itself
 * (`stage`, F32): it is in the file within milliseconds even when the caller never yields again.
 * Each method resolves once its entries are in the file; `flushSync` writes everything handed over
 * before it returns (the crash and exit paths).
 *
 * A later process (any script using the library against the same server) adopts the journals of
 * processes that are gone and continues their queue, in `seq` order. If the disk fails mid-run
 * (full, removed), the store warns once, keeps going in memory and reports `kind === 'memory'`;
 * it rewrites the journal from memory once the disk takes writes again (F39).
 */
import { statfsSync } from 'node:fs';
import { logger } from '../runtime/logger';
import { DEFAULT_MAX_JOURNAL_BYTES, JOURNAL_SHARE_OF_FREE_DISK } from '../outbox/options';
import { excessOver, pickEvictions } from '../outbox/eviction';
import { MemoryStore } from '../outbox/memory-store';
import { BATCHABLE_KINDS, shallowCopy, type OutboxRecord } from '../outbox/records';
import { selectBatch, type RecordWalk } from '../outbox/select-batch';
import type { OpenStoreOptions } from '../runtime/environment';
import type { EnvLookup } from '../runtime/settings';
import type { AppendResult, ClaimOptions, OutboxStore, StoreCaps, StoreKind } from '../outbox/store';
import { addLine, headerLine, type JournalEntry } from './journal/format';
import type { FsyncPolicy, JournalFile } from './journal/journal-file';
import { outboxRoot, queueDirectory } from './journal/location';
import type { MetricTable } from './journal/metric-table';
import { openQueue } from './journal/open-queue';
import { releaseLock, removeQuietly, tempPathFor, type OwnedJournal } from './journal/ownership';
import { applyEntry, applyToTable, queuedRecords, snapshotLines, type JournalContents } from './journal/replay';
import { SlicedRewrite } from './journal/sliced-rewrite';

export type { FsyncPolicy } from './journal/journal-file';
export { listJournals, listQueues, readJournal, type JournalInfo, type QueueInfo } from './journal/inspect';
export { queuedCount, queuedRecords } from './journal/replay';
export { outboxRoot, queueDirectory, OUTBOX_DIR_VARIABLE } from './journal/location';

export interface JournalStoreOptions extends OpenStoreOptions {
  /**
   * Root folder of all queues; the queue itself is the subfolder named after `name`.
   * Default: `POLYAXON_OUTBOX_DIR`, else `~/.polyaxon/outbox`.
   */
  directory?: string;
  /** When writes are forced to disk (trade-offs in journal/journal-file.ts). Default: `'interval'`. */
  fsync?: FsyncPolicy;
  /** Most time between a write and its flush under `'interval'`. Default: 1000 ms. */
  fsyncIntervalMs?: number;
  /** The journal is rewritten once what acks left behind exceeds this and half the file. Default: 1 MiB. */
  compactMinBytes?: number;
  /** Work per slice of a compaction too long for one (journal/sliced-rewrite.ts). Default: 8 ms. */
  compactSliceMs?: number;
  /**
   * Write from a thread of its own (F32: in the file within milliseconds of the call, whatever the
   * main thread does). False: on the calling thread, one write per group commit. Default: true.
   */
  writerThread?: boolean;
  /** Where `POLYAXON_OUTBOX_DIR` is read. Default: `process.env`. */
  getEnv?: EnvLookup;
  /** Keeps the flush timer from holding the process open. Default: `timer.unref()`. */
  unrefTimer?: (timer: unknown) => void;
}

const DEFAULT_COMPACT_MIN_BYTES = 1024 * 1024;
/** Well under the 100 ms a training loop would feel as a stall. */
const DEFAULT_COMPACT_SLICE_MS = 8;
/** The length of every id of the metric table (`newRecordId`'s form). */
const RECORD_ID_LENGTH = 36;
/**
 * A metric record's `add` line beyond its body and the id and run: the other fields, their names and
 * numbers at their longest. Lines written from binary frames are counted with it (their exact
 * length is known only to the writer thread); an overcount only delays a compaction.
 */
const METRIC_LINE_OVERHEAD = 160;
/**
 * Below this size a journal is rewritten only once what acks left behind is fifteen sixteenths of
 * it (above it, half): a rewrite costs what stays, so while a backlog drains the file waits until
 * little stays (a 100,000-point drain rewrote 50,000 points at three quarters, 220 ms of the
 * main thread), and the disk it takes meanwhile is small.
 */
const SMALL_JOURNAL_BYTES = 64 * 1024 * 1024;
const SMALL_JOURNAL_DEAD_SHARE = 15 / 16;
/** While the disk refuses writes, the journal is rewritten from memory at most this often; a failed compaction is tried again no sooner. */
const RECOVERY_INTERVAL_MS = 1_000;

/** Opens the journal queue for `options.name`; a MemoryStore, with one warning, when it cannot. */
export async function openJournalStore(options: JournalStoreOptions): Promise<OutboxStore> {
  const directory = queueDirectory(outboxRoot(options.directory, options.getEnv), options.name);
  const unrefTimer = options.unrefTimer ?? ((timer: unknown) => (timer as NodeJS.Timeout).unref?.());
  try {
    const opened = openQueue(directory, options.name, {
      fsync: options.fsync ?? 'interval',
      fsyncIntervalMs: options.fsyncIntervalMs ?? 1000,
      unrefTimer,
      ring: { thread: options.writerThread ?? true },
    });
    return new JournalStore(options.name, opened.owned, opened.file, opened.contents, {
      compactMinBytes: options.compactMinBytes ?? DEFAULT_COMPACT_MIN_BYTES,
      defaultMaxJournalBytes: defaultMaxJournalBytes(directory),
      compactSliceMs: options.compactSliceMs ?? DEFAULT_COMPACT_SLICE_MS,
      unrefTimer,
    });
  } catch (error) {
    logger.warnOnce(
      'journal-unavailable',
      `cannot keep the outbox in ${directory} (${describe(error)}); records are kept in memory only`,
    );
    return new MemoryStore();
  }
}

/**
 * A record handed over at the call and not taken into the metric table, not yet applied by its
 * group's `append`. Its line is not kept (a burst of calls would hold them all): compaction writes
 * it anew from the record.
 */
interface Staged {
  record: OutboxRecord;
  /** Its line's length. */
  size: number;
  /** The line, only while it still has to be written. */
  line?: string;
  /** Handed to the file (false while in memory only: `append` writes it if the disk is back). */
  written: boolean;
}

class JournalStore implements OutboxStore {
  private closing: Promise<void> | null = null;
  private diskFailed = false;
  /** When the disk last refused a write or a rewrite (ms); recovery is tried RECOVERY_INTERVAL_MS later. */
  private failedAt = 0;
  /** The compaction under way, a slice at a time (journal/sliced-rewrite.ts). */
  private compaction: SlicedRewrite | null = null;
  /** When a compaction last failed (ms): the next waits RECOVERY_INTERVAL_MS. */
  private compactionFailedAt = -Infinity;
  /**
   * The metric points queued: those read back at open, then those this process logged while the
   * writer thread writes them (the hot path). Columns of numbers, not objects. The queue is them
   * and `contents.records`, merged by `seq`.
   */
  private readonly metrics: MetricTable;
  /** Staged records in call order; `stagedHead` is the first not yet applied. */
  private staged: Staged[] = [];
  private stagedHead = 0;
  /** Line bytes of staged records already handed to the file: live, though not applied yet. */
  private stagedBytes = 0;
  /** Bytes of the `add` lines of live records: what a compaction would keep. */
  private liveBytes = 0;
  /** Line sizes of live records not counted at `metricLineBytes` (frame-written metrics are). */
  private readonly otherLineBytes = new Map<string, number>();
  /** Sum of live records' `bytes`, so appends check the caps without a scan. */
  private recordBytes = 0;
  /** `seq` of the last record in map order; an add below it means the map needs sorting. */
  private lastSeq = -Infinity;

  constructor(
    private readonly name: string,
    private readonly owned: OwnedJournal,
    private readonly file: JournalFile,
    private readonly contents: JournalContents,
    private readonly settings: { compactMinBytes: number; defaultMaxJournalBytes: number; compactSliceMs: number; unrefTimer: (timer: unknown) => void },
  ) {
    this.metrics = contents.metrics;
    this.metrics.useMemory((bytes, regions) => file.prefaulted(bytes, regions));
    for (const record of contents.records.values()) this.trackAdded(record, metricLineBytes(record) ?? JSON.stringify(record).length + 18);
    const { metrics } = this;
    for (let slot = metrics.head, end = metrics.end(true); slot < end; slot++) {
      if (metrics.isLive(slot)) this.liveBytes += framedLineBytes(metrics.bytesAt(slot), RECORD_ID_LENGTH, metrics.runAt(slot));
    }
  }

  /** A claim gives copies of kept records, and records made from the metric table. */
  readonly claimsCopies = true;

  get kind(): StoreKind {
    return this.diskFailed ? 'memory' : 'journal';
  }

  /**
   * Hands the record's line to the writer thread now. A metric point the writer thread writes from
   * a binary frame goes into the metric table and is taken (true); any other record's group
   * `append` (same record object, same order) applies it without writing it again.
   */
  stage(record: OutboxRecord): boolean {
    this.assertOpen();
    // The hot path: the writer thread writes a metric record's line from a binary frame.
    const size = this.diskFailed ? undefined : metricLineBytes(record);
    if (size !== undefined && this.metrics.add(record)) {
      if (!this.file.writeMetric(record, size)) this.file.write(addLine(record));
      this.liveBytes += size;
      return true;
    }
    if (size !== undefined && this.file.writeMetric(record, size)) {
      this.staged.push({ record, size, written: true });
      this.stagedBytes += size;
      return false;
    }
    const line = addLine(record);
    if (this.diskFailed) {
      this.staged.push({ record, size: line.length, line, written: false });
      return false;
    }
    this.staged.push({ record, size: line.length, written: true });
    this.stagedBytes += line.length;
    this.file.write(line);
    return false;
  }

  async append(records: OutboxRecord[], caps: StoreCaps, stagedThrough?: number): Promise<AppendResult> {
    this.assertOpen();
    this.recoverIfFailed();
    if (stagedThrough !== undefined) this.metrics.showThrough(stagedThrough);
    const added: Staged[] = records.map((record) => {
      const staged = this.staged[this.stagedHead];
      if (staged?.record === record) {
        this.staged[this.stagedHead++] = undefined as unknown as Staged;
        if (staged.written) this.stagedBytes -= staged.size;
        return staged;
      }
      const line = addLine(record);
      return { record, size: line.length, line, written: false };
    });
    if (this.stagedHead === this.staged.length) {
      this.staged = [];
      this.stagedHead = 0;
    }
    const entries: JournalEntry[] = added.map(({ record }) => ({ op: 'add', r: kept(record) }));
    this.apply(
      entries,
      added.map(({ line, written }) => (written ? '' : (line ?? ''))),
      added.map(({ size }) => size),
    );
    const evicted = this.evictions(caps);
    if (evicted.length > 0) this.commit([{ op: 'evict', ids: evicted }]);
    await this.written();
    return { evicted: evicted.length };
  }

  async claim(options: ClaimOptions): Promise<OutboxRecord[]> {
    this.assertOpen();
    const selected = selectBatch(this.queue(true), options);
    if (!selected) return [];
    const ids = selected.records.map((record) => record.id);
    const until = options.now + options.leaseMs;
    const { owner } = options;
    const { batch } = selected;
    this.commit([{ op: 'lease', ids, until, owner, batch }]);
    const claimed = selected.records.map((record) => {
      const kept = this.contents.records.get(record.id);
      if (kept) return shallowCopy(kept);
      // Made by the walk for this claim alone, with its body: it takes the lease as the table now holds it.
      record.leaseUntil = until;
      record.leaseOwner = owner;
      record.batch = batch;
      return record;
    });
    // The lease names the batch key: it is in the file before the request can leave (F02).
    await this.written();
    return claimed;
  }

  async ack(ids: string[], meta?: Record<string, unknown>): Promise<void> {
    this.assertOpen();
    const present = ids.filter((id) => this.has(id));
    if (present.length === 0 && meta === undefined) return;
    this.commit([meta === undefined ? { op: 'ack', ids: present } : { op: 'ack', ids: present, meta: copyJson(meta) }]);
    await this.written();
  }

  async release(ids: string[]): Promise<void> {
    this.assertOpen();
    const present = ids.filter((id) => this.has(id));
    if (present.length > 0) this.commit([{ op: 'release', ids: present }]);
    await this.written();
  }

  async unbatch(ids: string[]): Promise<void> {
    this.assertOpen();
    const present = ids.filter((id) => this.has(id));
    if (present.length > 0) this.commit([{ op: 'unbatch', ids: present }]);
    await this.written();
  }

  /**
   * Writes everything handed over so far into the file before returning: the crash and exit paths.
   * A file that fell behind the queue gets one more rewrite from memory here, whenever the last
   * try was (what memory alone holds dies with the process): the disk may take writes again, and
   * a failure that was not the disk's (the writer thread ended with frames only it could read) is
   * over once the file is rewritten. Not after a write that never came back (EBUSY): on a disk
   * that hangs, the rewrite would hang the exit.
   */
  flushSync(): void {
    if (this.closing) return;
    if (!this.diskFailed) {
      this.file.flushSync();
      this.noticeFailure();
    }
    if (this.diskFailed && this.file.failure !== 'EBUSY') this.recover(true);
  }

  async count(): Promise<{ records: number; bytes: number; byRun: Record<string, number> }> {
    this.assertOpen();
    const byRun: Record<string, number> = {};
    let bytes = 0;
    for (const record of this.contents.records.values()) {
      byRun[record.run] = (byRun[record.run] ?? 0) + 1;
      bytes += record.bytes;
    }
    this.metrics.countInto(byRun);
    return { records: this.contents.records.size + this.metrics.visibleCount, bytes: bytes + this.metrics.visibleBytes, byRun };
  }

  async getMeta(key: string): Promise<unknown> {
    this.assertOpen();
    return copyJson(this.contents.meta.get(key));
  }

  async setMeta(key: string, value: unknown): Promise<void> {
    this.assertOpen();
    this.commit([{ op: 'meta', key, value: copyJson(value) }]);
    await this.written();
  }

  async nextSeq(): Promise<number> {
    this.assertOpen();
    return this.contents.nextSeq;
  }

  close(): Promise<void> {
    this.closing ??= this.closeOnce();
    return this.closing;
  }

  private async closeOnce(): Promise<void> {
    // The file as it is holds the whole queue; a rewrite under way is not needed any more.
    this.compaction?.abort();
    this.compaction = null;
    if (this.diskFailed) this.recover(true);
    if (this.diskFailed && this.contents.records.size === 0 && this.metrics.size === 0 && this.staged.length === this.stagedHead) {
      // The file could not be brought up to date, and everything it holds has left the queue:
      // kept, it would have the next run send delivered records again (F39).
      removeQuietly(this.file.path);
    }
    try {
      await this.file.close();
    } catch (error) {
      this.diskFailed = true;
      logger.warnOnce('journal-write-failed', `closing the outbox journal failed (${describe(error)})`);
    }
    // Released after the last write: from here on, the next process may adopt the journal.
    releaseLock(this.owned);
  }

  /** Resolves once the entries handed over so far are in the file (at once while in memory only). */
  private async written(): Promise<void> {
    if (this.diskFailed) return;
    await this.file.written();
    this.noticeFailure();
  }

  /** Entries as one group commit: written, then applied exactly as a replay would. */
  private commit(entries: JournalEntry[]): void {
    this.recoverIfFailed();
    const lines = entries.map((entry) => `${JSON.stringify(entry)}\n`);
    this.apply(entries, lines, lines.map((line) => line.length));
  }

  /**
   * Hands `lines` to the file in one piece, then applies `entries` (their lines' sizes in
   * `sizes`, for the compaction rule).
   */
  private apply(entries: JournalEntry[], lines: string[], sizes: number[]): void {
    this.noticeFailure();
    if (!this.diskFailed) this.file.append(lines.join(''));
    let outOfOrder = false;
    entries.forEach((entry, i) => {
      if (entry.op === 'add') outOfOrder = this.trackAdded(entry.r, sizes[i]) || outOfOrder;
      else if (entry.op === 'ack' || entry.op === 'evict') this.trackRemoved(entry.ids);
      applyEntry(this.contents, entry);
      this.applyToMetrics(entry);
    });
    if (outOfOrder) this.sortBySeq();
    this.compactIfMostlyAcked();
  }

  /** Switches to memory only, with one warning, once the file refused a write. */
  private noticeFailure(): void {
    const failure = this.file.failure;
    if (failure === undefined || this.diskFailed) return;
    this.diskFailed = true;
    this.failedAt = Date.now();
    // Recovery rewrites the file from memory; a compaction's tail would miss what the disk refused.
    this.compaction?.abort();
    this.compaction = null;
    logger.warnOnce(
      'journal-write-failed',
      `writing the outbox journal ${this.file.path} failed (${failure}); records are kept in memory only until the disk takes writes again`,
    );
  }

  private recoverIfFailed(): void {
    this.noticeFailure();
    if (this.diskFailed) this.recover(false);
  }

  /**
   * While in memory only: rewrites the journal from memory (at most every RECOVERY_INTERVAL_MS
   * unless `now`), which brings the file back in step with the queue, and goes on writing to it.
   */
  private recover(now: boolean): void {
    if (!now && Date.now() - this.failedAt < RECOVERY_INTERVAL_MS) return;
    this.failedAt = Date.now();
    try {
      this.file.replace(this.snapshot(), tempPathFor(this.file.path));
    } catch (error) {
      removeQuietly(tempPathFor(this.file.path));
      logger.debug(`the outbox journal ${this.file.path} still cannot be written`, error);
      return;
    }
    this.stagedInFile();
    this.diskFailed = false;
    logger.info(`the outbox journal ${this.file.path} is written again`);
  }

  /** A rewrite from `snapshot` put every staged record's line in the file: none is written again. */
  private stagedInFile(): void {
    this.stagedBytes = 0;
    for (let i = this.stagedHead; i < this.staged.length; i++) {
      const staged = this.staged[i];
      staged.written = true;
      staged.line = undefined;
      this.stagedBytes += staged.size;
    }
  }

  /**
   * The whole queue as a journal, records in `seq` order (as a replay must find them): compaction
   * and recovery write this. The records queued now, each as it is when the walk reaches it (a
   * compaction takes it a slice at a time).
   */
  private snapshot(): Iterable<string> {
    const staged = this.staged.slice(this.stagedHead).map(({ record }) => record);
    return snapshotLines(headerLine(this.name, process.pid, Date.now()), this.contents, mergeBySeq(queuedRecords(this.contents, true), staged));
  }

  /**
   * The queue in `seq` order: `contents.records` and the metric table's visible records, made again
   * as the walk reaches them (a claim walks only to the end of its batch, and passes the points of
   * runs it no longer needs, and the rest of its own batches out, by without making them).
   * `bodies`: the points made with their bodies (a claim, which makes little more than the batch it
   * takes); an eviction only picks records.
   */
  private queue(bodies: boolean): RecordWalk {
    const metrics = this.metrics;
    const records = this.contents.records;
    const skipped = new Set<string>();
    let only: string | undefined;
    const passed = new Set<string | undefined>();
    const wanted = (slot: number) =>
      metrics.isLive(slot) &&
      (only === undefined ? skipped.size === 0 || !skipped.has(metrics.runAt(slot)) : metrics.runAt(slot) === only) &&
      (passed.size === 0 || !passed.has(metrics.batchAt(slot)));
    return {
      skipRun: (run) => skipped.add(run),
      onlyRun: (run) => (only = run),
      passBatch: (batch) => passed.add(batch),
      *[Symbol.iterator]() {
        const end = metrics.end(false);
        let slot = metrics.head;
        for (const record of records.values()) {
          for (; slot < end && metrics.seqAt(slot) < record.seq; slot++) if (wanted(slot)) yield metrics.record(slot, bodies);
          yield record;
        }
        for (; slot < end; slot++) if (wanted(slot)) yield metrics.record(slot, bodies);
      },
    };
  }

  /** Whether `id` is in the queue. */
  private has(id: string): boolean {
    return this.contents.records.has(id) || this.metrics.find(id) >= 0;
  }

  /**
   * Applies an entry's lease, release, unbatch, ack or evict to the metric table's records among
   * its ids, counting the lines of those that leave (trackRemoved counts the others').
   */
  private applyToMetrics(entry: JournalEntry): void {
    applyToTable(this.metrics, entry, (slot, id) => {
      this.liveBytes -= framedLineBytes(this.metrics.bytesAt(slot), id.length, this.metrics.runAt(slot));
    });
  }

  /**
   * Which records the caps evict now that the newest group is in (oldest metrics and logs first,
   * eviction.ts): on disk the journal cap alone when the caller gives one, else (and in memory
   * only) the record caps. Costs what it evicts, never a scan of the queue.
   */
  private evictions(caps: StoreCaps): string[] {
    let picked: OutboxRecord[];
    if (!this.diskFailed && caps.maxJournalBytes !== undefined) {
      const max = caps.maxJournalBytes === 'default' ? this.settings.defaultMaxJournalBytes : caps.maxJournalBytes;
      const over = this.liveBytes - max;
      if (over <= 0) return [];
      picked = pickEvictions(this.queue(false), { count: 0, size: over }, (record) => this.lineBytesOf(record));
    } else {
      const over = excessOver(caps, this.contents.records.size + this.metrics.visibleCount, this.recordBytes + this.metrics.visibleBytes);
      if (over.count <= 0 && over.size <= 0) return [];
      picked = pickEvictions(this.queue(false), over);
    }
    return picked.map((record) => record.id);
  }

  /** Appends arrive in `seq` order but for rare cases (a record re-queued by hand, say). */
  private sortBySeq(): void {
    const records = this.contents.records;
    const ordered = [...records.values()].sort((a, b) => a.seq - b.seq);
    records.clear();
    for (const record of ordered) records.set(record.id, record);
  }

  /** Counts a record about to be added; true when it lands out of `seq` order. */
  private trackAdded(record: OutboxRecord, lineSize: number): boolean {
    if (lineSize !== metricLineBytes(record)) this.otherLineBytes.set(record.id, lineSize);
    this.liveBytes += lineSize;
    this.recordBytes += record.bytes;
    const outOfOrder = record.seq < this.lastSeq;
    this.lastSeq = Math.max(this.lastSeq, record.seq);
    return outOfOrder;
  }

  /**
   * Counts records of `contents.records` about to be removed (before the entry is applied, while
   * they are still there); applyToMetrics counts the metric table's.
   */
  private trackRemoved(ids: string[]): void {
    for (const id of ids) {
      const record = this.contents.records.get(id);
      if (record === undefined) continue;
      this.liveBytes -= this.lineBytesOf(record);
      this.otherLineBytes.delete(id);
      this.recordBytes -= record.bytes;
    }
  }

  /** The size a live record's line is counted at (compaction rule, journal cap). */
  private lineBytesOf(record: OutboxRecord): number {
    return (this.otherLineBytes.size > 0 ? this.otherLineBytes.get(record.id) : undefined) ?? metricLineBytes(record) ?? record.bytes;
  }

  /**
   * Rewrites the file to its live part once what acks and leases left behind is both more than
   * `compactMinBytes` and more than half the file (fifteen sixteenths of a file under
   * SMALL_JOURNAL_BYTES), so a long run's journal stays near its queue. A short queue is written
   * at once; a long one a slice at a time while the run goes on (journal/sliced-rewrite.ts).
   */
  private compactIfMostlyAcked(): void {
    if (this.compaction || this.diskFailed || Date.now() - this.compactionFailedAt < RECOVERY_INTERVAL_MS) return;
    const size = this.file.size;
    const deadBytes = size - this.liveBytes - this.stagedBytes;
    const deadShare = size < SMALL_JOURNAL_BYTES ? SMALL_JOURNAL_DEAD_SHARE : 0.5;
    if (deadBytes < this.settings.compactMinBytes || deadBytes < size * deadShare) return;
    const failed = (error: unknown) => {
      // The old file is intact (the rename is the last step); compaction is tried again later.
      this.compactionFailedAt = Date.now();
      logger.debug(`compacting ${this.file.path} failed`, error);
    };
    let compaction: SlicedRewrite;
    try {
      const rewrite = this.file.beginReplace(this.snapshot(), tempPathFor(this.file.path));
      compaction = new SlicedRewrite(rewrite, this.settings, (error) => {
        this.compaction = null;
        if (error !== undefined) failed(error);
      });
    } catch (error) {
      failed(error);
      return;
    }
    this.compaction = compaction;
    compaction.start();
  }

  private assertOpen(): void {
    if (this.closing) throw new Error('the journal store is closed');
  }
}

/**
 * The record the queue keeps. A metric record not serialised at the call is kept as handed over:
 * the outbox built it for the store and never reads it again in Node (only a browser's close-time
 * sender holds appended records, and it never runs beside this store), and a copy per queued point
 * cost 95 MB of a million. Others are copied, so leases change the queue's copy only; one serialised
 * at the call keeps its `json` and not its body when it is sent as part of a batch (metrics, logs),
 * which needs only those characters.
 */
function kept(record: OutboxRecord): OutboxRecord {
  if (isFramedMetric(record)) return record;
  const copy = shallowCopy(record);
  // Set, not deleted: an object keeps its fast shape.
  if (copy.json !== undefined && BATCHABLE_KINDS.has(copy.kind)) copy.body = undefined;
  return copy;
}

/**
 * The size a metric record's line is counted at when the writer thread writes it from a frame (a
 * metric not serialised at the call): known from the record alone, so a million queued points need
 * no per-record entry to count them (replayed ones too). A line written as text is counted at its
 * length instead; undefined for records other than metrics.
 */
function metricLineBytes(record: OutboxRecord): number | undefined {
  return isFramedMetric(record) ? framedLineBytes(record.bytes, record.id.length, record.run) : undefined;
}

/** The size a frame-written metric line is counted at, from its body's `bytes`, its id's length and its run. */
function framedLineBytes(bytes: number, idLength: number, run: string): number {
  return bytes + METRIC_LINE_OVERHEAD + idLength + run.length;
}

/** A metric record not serialised at the call: the kind the writer thread writes from a binary frame. */
function isFramedMetric(record: OutboxRecord): boolean {
  return record.kind === 'metrics' && record.json === undefined;
}

/** Meta values are JSON on disk; copying through JSON keeps memory identical to a replay. */
function copyJson<T>(value: T): T {
  return value === undefined ? value : JSON.parse(JSON.stringify(value));
}

/** 1 GiB, or 10% of the free space of the journal's disk, whichever is smaller (`maxJournalBytes`). */
function defaultMaxJournalBytes(directory: string): number {
  try {
    const disk = statfsSync(directory);
    return Math.min(DEFAULT_MAX_JOURNAL_BYTES, Math.floor(disk.bavail * disk.bsize * JOURNAL_SHARE_OF_FREE_DISK));
  } catch {
    return DEFAULT_MAX_JOURNAL_BYTES;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Two lists of records, each in `seq` order, as one in `seq` order. */
function* mergeBySeq(first: Iterable<OutboxRecord>, second: readonly OutboxRecord[]): Generator<OutboxRecord> {
  let i = 0;
  for (const record of first) {
    while (i < second.length && second[i].seq < record.seq) yield second[i++];
    yield record;
  }
  while (i < second.length) yield second[i++];
}
