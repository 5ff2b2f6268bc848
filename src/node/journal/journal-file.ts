/**
 * The append side of one journal file, with the fsync policy.
 *
 * Bytes go through a ring to a writer thread (journal/ring.ts), which write()s them within
 * milliseconds even when the main thread never yields (F32); `flushSync` writes the rest on the
 * calling thread (process exit). Once written, the bytes are in the kernel's page cache, which
 * outlives the process: that survives SIGKILL, an uncaught exception and `process.exit` (F18,
 * F19, F32); only a power loss or kernel crash can take what has not reached the disk yet. The
 * policy decides how much of that is covered:
 *
 * - `'interval'` (default): `fdatasync` at most every `fsyncIntervalMs` (1000 ms) when something
 *   was written, off the caller's path, and at close. A power loss loses at most about that
 *   interval of points; appends cost the same as without fsync.
 * - `'always'`: `fdatasync` after every group commit before `append` returns. Nothing acknowledged is
 *   lost even on power loss, at the price of a disk flush per group commit (on an SSD usually
 *   0.1-2 ms each, far more on a spinning or network disk).
 * - `'never'`: leaves flushing to the OS (typically within 5-30 s). For throwaway runs.
 *
 * Measured with `node --import tsx bench/journal-append.mjs` (records/s per policy).
 */
import { closeSync, fdatasync, fdatasyncSync, fstatSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { closeInBackground, syncDirectory, writeLines, type FsyncPolicy } from './file-io';
import { JournalRewrite, type RewriteTarget } from './rewrite';
import { JournalRing, type MemoryRegion, type MetricFrameRecord, type RingOptions } from './ring';

export type { FsyncPolicy };

export interface JournalFileOptions {
  /** When written data is forced to disk. Default: `'interval'`. */
  fsync: FsyncPolicy;
  /** Most time between a write and its fdatasync under `'interval'`. Default: 1000 ms. */
  fsyncIntervalMs: number;
  /** Keeps the interval timer from holding the process open. */
  unrefTimer: (timer: unknown) => void;
  /** The ring and writer thread (journal/ring.ts). Default: an 8 MiB ring and a thread. */
  ring?: RingOptions;
}

export class JournalFile {
  private fd: number;
  private readonly ring: JournalRing;
  private dirty = false;
  private syncing: Promise<void> | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  /** Bytes in the file, for the compaction rule. */
  size: number;

  /** Creates `path` (it must not exist) holding `lines`, durably. */
  static create(path: string, lines: Iterable<string>, options: JournalFileOptions): JournalFile {
    // Private to its user whatever the umask (F41), as a rewrite's temp file (journal/rewrite.ts).
    const fd = openSync(path, 'wx', 0o600);
    let size: number;
    try {
      size = writeLines(fd, lines);
      if (options.fsync !== 'never') fdatasyncSync(fd);
    } catch (error) {
      closeSync(fd);
      throw error;
    }
    syncDirectory(dirname(path), options.fsync);
    return new JournalFile(path, fd, size, options);
  }

  /**
   * Goes on appending to the journal at `path` as it is (a dead process's, adopted whole): made
   * durable first, as a rewrite would be, and its folder entry too (it was just renamed).
   */
  static append(path: string, options: JournalFileOptions): JournalFile {
    // O_APPEND: every write lands at the end, wherever the descriptor's offset is.
    const fd = openSync(path, 'a', 0o600);
    try {
      if (options.fsync !== 'never') fdatasyncSync(fd);
    } catch (error) {
      closeSync(fd);
      throw error;
    }
    syncDirectory(dirname(path), options.fsync);
    return new JournalFile(path, fd, fstatSync(fd).size, options);
  }

  private constructor(
    readonly path: string,
    fd: number,
    size: number,
    private readonly options: JournalFileOptions,
  ) {
    this.fd = fd;
    this.size = size;
    this.ring = new JournalRing(fd, options.ring);
    if (options.fsync === 'interval') {
      this.timer = setInterval(() => this.syncInBackground(), options.fsyncIntervalMs);
      options.unrefTimer(this.timer);
    }
  }

  /** Memory the writer thread touches ahead of its use (JournalRing.prefaulted); undefined without a thread. */
  prefaulted(bytes: number, regions?: readonly MemoryRegion[]): SharedArrayBuffer | undefined {
    return this.ring.prefaulted(bytes, regions);
  }

  /**
   * Hands `text` to the writer thread: in the file within milliseconds, whatever the main thread
   * does next. Never throws; a failed write shows in `failure`.
   */
  write(text: string): void {
    this.ring.pushText(text);
    this.size += text.length;
    this.dirty = true;
  }

  /**
   * Hands a metrics record to the writer thread in binary (it writes the record's `add` line);
   * false when it cannot (no thread), and the caller writes the line instead. `lineBytes` is the
   * line's length as the caller counts it.
   */
  writeMetric(record: MetricFrameRecord, lineBytes: number): boolean {
    if (!this.ring.pushMetric(record)) return false;
    this.size += lineBytes;
    this.dirty = true;
    return true;
  }

  /**
   * One group commit: `text` goes the way of `write`, then, under `'always'` or without a writer
   * thread, everything is written (and under `'always'` flushed) before it returns. Never throws; a failed write shows in `failure`.
   */
  append(text: string): void {
    this.write(text);
    // Without a writer thread the group commit is written here, inside the call, as one write.
    if (this.options.fsync !== 'always') {
      if (!this.ring.threaded) this.ring.flushSync();
    } else if (this.ring.flushSync()) {
      fdatasyncSync(this.fd);
      this.dirty = false;
    }
  }

  /** Resolves once everything written so far is in the file (or a write failed). */
  written(): Promise<void> {
    return this.ring.written();
  }

  /** Writes everything handed over so far to the file on this thread before returning (process exit). */
  flushSync(): boolean {
    return this.ring.flushSync();
  }

  /** Why writing to the file failed (`'ENOSPC'`, say); undefined while writes succeed. */
  get failure(): string | undefined {
    return this.ring.failure;
  }

  /**
   * Replaces the whole file with `lines` the crash-safe way, at once: a temp file, flushed, renamed
   * over the journal (rename is atomic, so a reader sees the old file or the new one, never a mix).
   * What the ring still holds is dropped: `lines` are the whole queue (recovery after a failed disk).
   */
  replace(lines: Iterable<string>, tempPath: string): void {
    const rewrite = new JournalRewrite(this.rewriteTarget(), lines, tempPath, false);
    try {
      rewrite.step(Infinity);
      rewrite.finish();
    } catch (error) {
      rewrite.abort();
      throw error;
    }
  }

  /**
   * Begins replacing the file with `lines` a piece at a time, keeping what is appended meanwhile
   * (journal/rewrite.ts): compaction of a long queue without a long stop.
   */
  beginReplace(lines: Iterable<string>, tempPath: string): JournalRewrite {
    return new JournalRewrite(this.rewriteTarget(), lines, tempPath, true);
  }

  private rewriteTarget(): RewriteTarget {
    return {
      path: this.path,
      fsync: this.options.fsync,
      flushSync: () => this.ring.flushSync(),
      install: (fd, size, dirty) => {
        // Everything the ring held is in the new file already; the thread writes to it from here.
        this.ring.replaceFile(fd);
        // The old file is gone from the folder; a flush of it may still be running.
        closeInBackground(this.fd, this.syncing);
        this.fd = fd;
        this.size = size;
        this.dirty = dirty;
      },
    };
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.ring.close();
    await this.syncing;
    try {
      if (this.dirty && this.options.fsync !== 'never') fdatasyncSync(this.fd);
    } finally {
      closeSync(this.fd);
    }
  }

  private syncInBackground(): void {
    if (!this.dirty || this.syncing) return;
    this.dirty = false;
    const fd = this.fd;
    this.syncing = new Promise((resolve) => {
      fdatasync(fd, () => {
        this.syncing = null;
        resolve();
      });
    });
  }
}
