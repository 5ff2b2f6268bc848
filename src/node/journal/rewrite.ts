/**
 * Replacing a journal file with new lines a piece at a time while records go on being appended to
 * it: how a long queue is compacted without stopping the thread that logs.
 *
 * At the start, everything handed over is written to the old file and its length noted. The lines
 * (the queue walked by journal/replay.ts's `queuedRecords`, each record as it is when the walk
 * reaches it) go to a temp file a slice at a time; then what was appended to the old file since
 * the start is copied after them, byte for byte: new records, and the acks, leases and releases of
 * records the walk wrote. Replayed after the walk, that tail brings each record to its state now:
 * every entry sets what it changes instead of adding to it, so one the walk already saw applied
 * does no harm applied again, and one for a record the walk passed over (it had left) is ignored.
 * The last step, on the calling thread: the rest of the tail, a flush (under `'interval'` after a
 * flush in the background, left to the policy's next one), the rename over the old file, and
 * appends go to the new one. A crash before the rename leaves the old file whole (the
 * temp file is garbage the next process removes), after it the new one.
 */
import { closeSync, fdatasync, fdatasyncSync, fstatSync, openSync, readSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import { PieceWriter, syncDirectory, syncDirectoryInBackground, type FsyncPolicy } from './file-io';
import { removeQuietly } from './ownership';

/** The journal file a rewrite replaces (JournalFile's side of it). */
export interface RewriteTarget {
  readonly path: string;
  readonly fsync: FsyncPolicy;
  /** Writes everything handed over into the current file; false when that failed. */
  flushSync(): boolean;
  /**
   * Makes `fd`, now at `path` with `size` bytes, the file appended to; `dirty`: its last bytes are
   * not flushed yet (the policy's next flush takes them).
   */
  install(fd: number, size: number, dirty: boolean): void;
}

/** The old file's tail is copied this much at a time. */
const TAIL_PIECE_BYTES = 1024 * 1024;
/** Tail left at which a rewrite is ready to finish: the last step copies it on the calling thread. */
const FINAL_TAIL_BYTES = 1024 * 1024;
/** Lines taken between two looks at the clock. */
const LINES_PER_CLOCK = 64;

export class JournalRewrite {
  readonly #target: RewriteTarget;
  readonly #tempPath: string;
  readonly #lines: Iterator<string>;
  readonly #fd: number;
  /** Writes the temp file: the lines, then the tail. */
  readonly #writer: PieceWriter;
  #linesDone = false;
  /** The old file, open for reading its tail; undefined when the lines replace everything (recovery). */
  #tailFd: number | undefined;
  /** How far into the old file the tail is copied. */
  #copied = 0;
  #state: 'writing' | 'finished' | 'aborted' = 'writing';

  /**
   * Opens the temp file. `keepTail`: what is appended to the old file from now on is carried over
   * (compaction); otherwise `lines` are the whole journal and what the old file holds is dropped
   * (recovery after a failed disk, where the file fell behind the queue).
   */
  constructor(target: RewriteTarget, lines: Iterable<string>, tempPath: string, keepTail: boolean) {
    this.#target = target;
    this.#tempPath = tempPath;
    if (keepTail) {
      if (!target.flushSync()) throw new Error(`${target.path} cannot be written`);
      this.#tailFd = openSync(target.path, 'r');
      this.#copied = fstatSync(this.#tailFd).size;
    }
    try {
      // Private to its user whatever the umask (F41).
      this.#fd = openSync(tempPath, 'w', 0o600);
      this.#writer = new PieceWriter(this.#fd);
    } catch (error) {
      this.#closeTail();
      throw error;
    }
    this.#lines = lines[Symbol.iterator]();
  }

  /**
   * Writes for about `budgetMs` (the lines, then the tail); true once what is left is the last
   * step's (`finish`). Throws when a write fails; then `abort`.
   */
  step(budgetMs: number): boolean {
    const deadline = performance.now() + budgetMs;
    for (let taken = 1; !this.#linesDone; taken++) {
      const next = this.#lines.next();
      if (next.done) {
        this.#writer.flush();
        this.#linesDone = true;
        break;
      }
      this.#writer.add(next.value);
      if (taken % LINES_PER_CLOCK === 0 && performance.now() >= deadline) return false;
    }
    if (this.#tailFd === undefined) return true;
    for (;;) {
      const left = this.#tailLeft();
      if (left <= FINAL_TAIL_BYTES) return true;
      this.#copyTail(Math.min(left, TAIL_PIECE_BYTES));
      if (performance.now() >= deadline) return false;
    }
  }

  /**
   * Under `'interval'`: the rewrite is best finished after `syncInBackground`, whose flush then
   * leaves `finish(true)` nothing to wait for on the calling thread.
   */
  get flushesInBackground(): boolean {
    return this.#target.fsync === 'interval';
  }

  /** Flushes what is written so far off the calling thread, so `finish` has little left to flush. */
  syncInBackground(): Promise<void> {
    if (this.#target.fsync === 'never') return Promise.resolve();
    return new Promise((resolve, reject) => fdatasync(this.#fd, (error) => (error ? reject(error) : resolve())));
  }

  /**
   * The last step, once `step` returned true: the rest of the tail, flush, rename; appends go to
   * the new file. `syncedInBackground`: `syncInBackground` flushed the file up to the tail's last
   * piece. Under `'interval'` that piece (records appended while the flush ran: the last moments)
   * and the rename are then left to the policy's next flush, as any append is: a flush on this
   * thread waits for the disk, which took 125 ms while a drain kept it busy. Otherwise the file
   * and its folder are flushed here, before the rename and after it.
   */
  finish(syncedInBackground = false): void {
    if (this.#tailFd !== undefined) {
      // Nothing is handed over while this runs (the same thread), so the tail is complete once written.
      if (!this.#target.flushSync()) throw new Error(`${this.#target.path} cannot be written`);
      for (let left = this.#tailLeft(); left > 0; left = this.#tailLeft()) this.#copyTail(Math.min(left, TAIL_PIECE_BYTES));
    }
    const flushLater = syncedInBackground && this.flushesInBackground;
    if (this.#target.fsync !== 'never' && !flushLater) fdatasyncSync(this.#fd);
    renameSync(this.#tempPath, this.#target.path);
    this.#state = 'finished';
    this.#closeTail();
    this.#target.install(this.#fd, this.#writer.written, flushLater);
    if (flushLater) syncDirectoryInBackground(dirname(this.#target.path));
    else syncDirectory(dirname(this.#target.path), this.#target.fsync);
  }

  /** Gives up: the temp file goes, the old file stays as it is. */
  abort(): void {
    if (this.#state !== 'writing') return;
    this.#state = 'aborted';
    this.#closeTail();
    try {
      closeSync(this.#fd);
    } catch {
      // Closing is all that is left to do with it.
    }
    removeQuietly(this.#tempPath);
  }

  #tailLeft(): number {
    return fstatSync(this.#tailFd as number).size - this.#copied;
  }

  /** Copies up to `length` bytes of the old file from where the copy is. */
  #copyTail(length: number): void {
    const buffer = Buffer.allocUnsafe(length);
    const read = readSync(this.#tailFd as number, buffer, 0, length, this.#copied);
    if (read === 0) throw new Error(`${this.#target.path} ended before its length`);
    this.#writer.addBytes(buffer.subarray(0, read));
    this.#copied += read;
  }

  #closeTail(): void {
    if (this.#tailFd === undefined) return;
    try {
      closeSync(this.#tailFd);
    } catch {
      // Read only: nothing to lose.
    }
    this.#tailFd = undefined;
  }
}
