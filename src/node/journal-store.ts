/**
 * The Node outbox store: an append-only JSONL journal per process, replayed into memory at open.
 *
 * Layout: `<root>/<queue folder>/<pid>-<random>.jsonl` (see journal/location.ts for the root,
 * journal/ownership.ts for how processes share a folder, journal/format.ts for the lines).
 * Every operation turns into journal entries that are written in one `write()` first and then
 * applied to memory by the same code that replays the file at open, so what a restarted process
 * sees is exactly what this one saw. Writes happen inside the call, before its promise is even
 * returned: a crash handler that calls `append` without awaiting still gets its record to the OS.
 *
 * A later process (any script using the library against the same server) adopts the journals of
 * processes that are gone and continues their queue, in `seq` order. If the disk fails mid-run
 * (full, removed), the store warns once, keeps going in memory and reports `kind === 'memory'`.
 */
import { logger } from '../runtime/logger';
import { evictBeyondCaps } from '../outbox/eviction';
import { MemoryStore } from '../outbox/memory-store';
import type { OutboxRecord } from '../outbox/records';
import { selectBatch } from '../outbox/select-batch';
import type { OpenStoreOptions } from '../runtime/environment';
import type { EnvLookup } from '../runtime/settings';
import type { AppendResult, ClaimOptions, OutboxStore, StoreCaps, StoreKind } from '../outbox/store';
import { entryLines, headerLine, type JournalEntry } from './journal/format';
import type { FsyncPolicy, JournalFile } from './journal/journal-file';
import { outboxRoot, queueDirectory } from './journal/location';
import { openQueue } from './journal/open-queue';
import { releaseLock, tempPathFor, type OwnedJournal } from './journal/ownership';
import { applyEntry, snapshotEntries, type JournalContents } from './journal/replay';

export type { FsyncPolicy } from './journal/journal-file';
export { listJournals, listQueues, readJournal, type JournalInfo, type QueueInfo } from './journal/inspect';
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
  /** Where `POLYAXON_OUTBOX_DIR` is read. Default: `process.env`. */
  getEnv?: EnvLookup;
  /** Keeps the flush timer from holding the process open. Default: `timer.unref()`. */
  unrefTimer?: (timer: unknown) => void;
}

const DEFAULT_COMPACT_MIN_BYTES = 1024 * 1024;

/** Opens the journal queue for `options.name`; a MemoryStore, with one warning, when it cannot. */
export async function openJournalStore(options: JournalStoreOptions): Promise<OutboxStore> {
  const directory = queueDirectory(outboxRoot(options.directory, options.getEnv), options.name);
  try {
    const opened = openQueue(directory, options.name, {
      fsync: options.fsync ?? 'interval',
      fsyncIntervalMs: options.fsyncIntervalMs ?? 1000,
      unrefTimer: options.unrefTimer ?? ((timer) => (timer as NodeJS.Timeout).unref?.()),
    });
    return new JournalStore(options.name, opened.owned, opened.file, opened.contents, {
      compactMinBytes: options.compactMinBytes ?? DEFAULT_COMPACT_MIN_BYTES,
    });
  } catch (error) {
    logger.warnOnce(
      'journal-unavailable',
      `cannot keep the outbox in ${directory} (${describe(error)}); records are kept in memory only`,
    );
    return new MemoryStore();
  }
}

class JournalStore implements OutboxStore {
  private closing: Promise<void> | null = null;
  private diskFailed = false;
  /** Bytes of the `add` lines of live records: what a compaction would keep. */
  private liveBytes = 0;
  private readonly lineBytes = new Map<string, number>();
  /** Sum of live records' `bytes`, so appends check the caps without a scan. */
  private recordBytes = 0;
  /** `seq` of the last record in map order; an add below it means the map needs sorting. */
  private lastSeq = -Infinity;

  constructor(
    private readonly name: string,
    private readonly owned: OwnedJournal,
    private readonly file: JournalFile,
    private readonly contents: JournalContents,
    private readonly settings: { compactMinBytes: number },
  ) {
    for (const record of contents.records.values()) this.trackAdded(record, JSON.stringify(record).length + 18);
  }

  get kind(): StoreKind {
    return this.diskFailed ? 'memory' : 'journal';
  }

  async append(records: OutboxRecord[], caps: StoreCaps): Promise<AppendResult> {
    this.assertOpen();
    const entries: JournalEntry[] = records.map((record) => ({ op: 'add', r: record }));
    const evicted = this.evictionsAfter(records, caps);
    if (evicted.length > 0) entries.push({ op: 'evict', ids: evicted });
    this.commit(entries);
    return { evicted: evicted.length };
  }

  async claim(options: ClaimOptions): Promise<OutboxRecord[]> {
    this.assertOpen();
    const selected = selectBatch(this.contents.records.values(), options);
    if (!selected) return [];
    const ids = selected.records.map((record) => record.id);
    const until = options.now + options.leaseMs;
    this.commit([{ op: 'lease', ids, until, owner: options.owner, batch: selected.batch }]);
    return ids.map((id) => copyJson(this.contents.records.get(id)!));
  }

  async ack(ids: string[], meta?: Record<string, unknown>): Promise<void> {
    this.assertOpen();
    const present = ids.filter((id) => this.contents.records.has(id));
    if (present.length === 0 && meta === undefined) return;
    this.commit([meta === undefined ? { op: 'ack', ids: present } : { op: 'ack', ids: present, meta: copyJson(meta) }]);
  }

  async release(ids: string[]): Promise<void> {
    this.assertOpen();
    const present = ids.filter((id) => this.contents.records.has(id));
    if (present.length > 0) this.commit([{ op: 'release', ids: present }]);
  }

  async unbatch(ids: string[]): Promise<void> {
    this.assertOpen();
    const present = ids.filter((id) => this.contents.records.has(id));
    if (present.length > 0) this.commit([{ op: 'unbatch', ids: present }]);
  }

  async count(): Promise<{ records: number; bytes: number; byRun: Record<string, number> }> {
    this.assertOpen();
    const byRun: Record<string, number> = {};
    let bytes = 0;
    for (const record of this.contents.records.values()) {
      byRun[record.run] = (byRun[record.run] ?? 0) + 1;
      bytes += record.bytes;
    }
    return { records: this.contents.records.size, bytes, byRun };
  }

  async getMeta(key: string): Promise<unknown> {
    this.assertOpen();
    return copyJson(this.contents.meta.get(key));
  }

  async setMeta(key: string, value: unknown): Promise<void> {
    this.assertOpen();
    this.commit([{ op: 'meta', key, value: copyJson(value) }]);
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
    try {
      await this.file.close();
    } catch (error) {
      this.diskFailed = true;
      logger.warnOnce('journal-write-failed', `closing the outbox journal failed (${describe(error)})`);
    }
    // Released after the last write: from here on, the next process may adopt the journal.
    releaseLock(this.owned);
  }

  /**
   * Writes the entries as one group commit, then applies them exactly as a replay would: an added
   * record is applied as parsed back from its line, which is also the copy that keeps the caller's
   * object out of the queue.
   */
  private commit(entries: JournalEntry[]): void {
    const lines = entries.map((entry, i) => {
      if (entry.op !== 'add') return `${JSON.stringify(entry)}\n`;
      const json = JSON.stringify(entry.r);
      entries[i] = { op: 'add', r: JSON.parse(json) };
      return `{"op":"add","r":${json}}\n`;
    });
    if (!this.diskFailed) {
      try {
        this.file.append(lines.join(''));
      } catch (error) {
        this.diskFailed = true;
        logger.warnOnce(
          'journal-write-failed',
          `writing the outbox journal ${this.file.path} failed (${describe(error)}); records are kept in memory only`,
        );
      }
    }
    let outOfOrder = false;
    entries.forEach((entry, i) => {
      if (entry.op === 'add') outOfOrder = this.trackAdded(entry.r, lines[i].length) || outOfOrder;
      else if (entry.op === 'ack' || entry.op === 'evict') this.trackRemoved(entry.ids);
      applyEntry(this.contents, entry);
    });
    if (outOfOrder) this.sortBySeq();
    this.compactIfMostlyAcked();
  }

  /** Which records the caps would evict once `incoming` is added (oldest metrics and logs first). */
  private evictionsAfter(incoming: OutboxRecord[], caps: StoreCaps): string[] {
    const count = this.contents.records.size + incoming.length;
    const bytes = incoming.reduce((sum, record) => sum + record.bytes, this.recordBytes);
    if (count <= caps.maxRecords && bytes <= caps.maxBytes) return [];
    const all = [...this.ordered(), ...incoming];
    const kept = new Set(all);
    evictBeyondCaps(all, caps);
    for (const record of all) kept.delete(record);
    return [...kept].map((record) => record.id);
  }

  /** Appends arrive in `seq` order but for rare cases (a record re-queued by hand, say). */
  private sortBySeq(): void {
    const records = this.contents.records;
    const ordered = [...records.values()].sort((a, b) => a.seq - b.seq);
    records.clear();
    for (const record of ordered) records.set(record.id, record);
  }

  private ordered(): OutboxRecord[] {
    return [...this.contents.records.values()];
  }

  /** Counts a record about to be added; true when it lands out of `seq` order. */
  private trackAdded(record: OutboxRecord, lineSize: number): boolean {
    this.lineBytes.set(record.id, lineSize);
    this.liveBytes += lineSize;
    this.recordBytes += record.bytes;
    const outOfOrder = record.seq < this.lastSeq;
    this.lastSeq = Math.max(this.lastSeq, record.seq);
    return outOfOrder;
  }

  /** Counts records about to be removed (before the entry is applied, while they are still there). */
  private trackRemoved(ids: string[]): void {
    for (const id of ids) {
      this.liveBytes -= this.lineBytes.get(id) ?? 0;
      this.lineBytes.delete(id);
      this.recordBytes -= this.contents.records.get(id)?.bytes ?? 0;
    }
  }

  /**
   * Rewrites the file to its live part once what acks and leases left behind is both more than
   * half the file and more than `compactMinBytes`, so a long run's journal stays near its queue.
   */
  private compactIfMostlyAcked(): void {
    const deadBytes = this.file.size - this.liveBytes;
    if (this.diskFailed || deadBytes < this.settings.compactMinBytes || deadBytes * 2 < this.file.size) return;
    const text = headerLine(this.name, process.pid, Date.now()) + entryLines(snapshotEntries(this.contents));
    try {
      this.file.replace(text, tempPathFor(this.file.path));
    } catch (error) {
      // The old file is intact (the rename is the last step); compaction is retried on a later write.
      logger.debug(`compacting ${this.file.path} failed`, error);
    }
  }

  private assertOpen(): void {
    if (this.closing) throw new Error('the journal store is closed');
  }
}

/** Records and meta are JSON on disk; copying through JSON keeps memory identical to a replay. */
function copyJson<T>(value: T): T {
  return value === undefined ? value : JSON.parse(JSON.stringify(value));
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
