/**
 * The main thread's side of the journal's write path: serialised lines are copied into a
 * SharedArrayBuffer ring and the writer thread (journal/writer-thread.ts) writes them to the file.
 * `push` costs a memcpy and, only when the thread sleeps, one `Atomics.notify`.
 *
 * Whoever writes ring bytes to the file holds the ring's lock, so the thread and the main thread
 * never write at once and the file gets the bytes in ring order. The main thread writes itself in
 * three cases: `flushSync` (process exit, 'always' durability), a ring too full for the next line,
 * and no thread at all (`worker_threads` missing, the thread died, or `thread: false`), where
 * bytes wait in the ring until the next `flushSync`, as one write per group commit.
 */
import { writeSync } from 'node:fs';
import { constants } from 'node:os';
import { Worker } from 'node:worker_threads';
import { logger } from '../../runtime/logger';
import { CONTROL, CONTROL_SLOTS, WRITER_THREAD_SOURCE } from './writer-thread';

/** Default ring size: 8 MiB, about 50,000 metric points; a power of two (positions wrap at 2^32). */
export const DEFAULT_RING_BYTES = 8 * 1024 * 1024;
/** How long the main thread waits for the thread to finish its write before writing itself. */
const LOCK_WAIT_MS = 5_000;
/** How often a waiting `written()` looks again when no notify came (a missed wake-up costs this much). */
const WRITTEN_POLL_MS = 100;

export interface RingOptions {
  /** Ring size in bytes, a power of two. Default: DEFAULT_RING_BYTES. */
  ringBytes?: number;
  /** Write from a thread of its own (F32). Default: true. False: every write happens in `flushSync`. */
  thread?: boolean;
}

export class JournalRing {
  readonly #control: Int32Array;
  readonly #data: Buffer;
  readonly #capacity: number;
  #thread: Worker | undefined;
  /** `written()` calls waiting on the thread: while any does, the thread holds the process open. */
  #holds = 0;

  constructor(fd: number, options: RingOptions = {}) {
    const capacity = options.ringBytes ?? DEFAULT_RING_BYTES;
    if (!Number.isInteger(Math.log2(capacity))) throw new RangeError(`ringBytes must be a power of two, not ${capacity}`);
    this.#capacity = capacity;
    const control = new SharedArrayBuffer(CONTROL_SLOTS * 4);
    const data = new SharedArrayBuffer(capacity);
    this.#control = new Int32Array(control);
    this.#data = Buffer.from(data);
    Atomics.store(this.#control, CONTROL.fd, fd);
    if (options.thread !== false) this.#thread = startThread(control, data, () => (this.#thread = undefined));
  }

  /** True while a writer thread takes the bytes to the file on its own. */
  get threaded(): boolean {
    return this.#thread !== undefined;
  }

  /** Why the last write failed (`ENOSPC`, say); undefined while writes succeed. */
  get failure(): string | undefined {
    const code = Atomics.load(this.#control, CONTROL.failed);
    return code === 0 ? undefined : errnoName(code);
  }

  /** Puts `text` in the ring; the writer thread takes it to the file. Never blocks on the disk unless the ring is full. */
  push(text: string): void {
    if (text.length === 0) return;
    const c = this.#control;
    const head = Atomics.load(c, CONTROL.head) >>> 0;
    let free = this.#capacity - ((head - (Atomics.load(c, CONTROL.tail) >>> 0)) >>> 0);
    const start = head % this.#capacity;
    // A UTF-16 unit is at most 3 UTF-8 bytes: with that much room before the end, one write fits.
    if (text.length * 3 <= Math.min(free, this.#capacity - start)) {
      this.#publish(head, this.#data.write(text, start));
      return;
    }
    const bytes = Buffer.from(text);
    if (bytes.length > free) {
      this.flushSync();
      free = this.#capacity - ((head - (Atomics.load(c, CONTROL.tail) >>> 0)) >>> 0);
    }
    if (bytes.length > free) {
      // Larger than the whole ring (or the file failed): written through, under the lock.
      this.#underLock(() => {
        if (Atomics.load(c, CONTROL.failed) === 0) this.#writeBytes(bytes);
      });
      return;
    }
    const first = Math.min(bytes.length, this.#capacity - start);
    bytes.copy(this.#data, start, 0, first);
    if (first < bytes.length) bytes.copy(this.#data, 0, first);
    this.#publish(head, bytes.length);
  }

  /**
   * Writes everything in the ring to the file before returning, on this thread (process exit,
   * 'always' durability). False when the file refused the bytes or the thread held the lock for
   * more than LOCK_WAIT_MS.
   */
  flushSync(): boolean {
    return this.#underLock(() => this.#writeRing()) ?? false;
  }

  /**
   * Resolves once every byte pushed before the call is in the file, or a write failed. Without a
   * thread, writes them first.
   */
  async written(): Promise<void> {
    const c = this.#control;
    const target = Atomics.load(c, CONTROL.head) >>> 0;
    let held: Worker | undefined;
    try {
      for (;;) {
        const tail = Atomics.load(c, CONTROL.tail);
        const head = Atomics.load(c, CONTROL.head) >>> 0;
        if (((head - (tail >>> 0)) >>> 0) <= ((head - target) >>> 0)) return;
        if (Atomics.load(c, CONTROL.failed) !== 0) return;
        if (!this.#thread) {
          this.flushSync();
          continue;
        }
        // An awaited write is I/O in progress: like a pending fs call, it keeps the process up.
        if (!held) this.#holds++;
        held ??= this.#thread;
        held.ref();
        const waited = waitAsync(c, CONTROL.tail, tail, WRITTEN_POLL_MS);
        if (waited.async) await waited.value;
      }
    } finally {
      if (held && --this.#holds === 0) held.unref();
    }
  }

  /**
   * Makes `fd` the file to write to and throws away what the ring holds (the caller has written
   * all of it into that new file), clearing a failure: compaction, and recovery after a full disk.
   */
  replaceFile(fd: number): void {
    const c = this.#control;
    this.#underLock(() => {
      Atomics.store(c, CONTROL.tail, Atomics.load(c, CONTROL.head));
      Atomics.store(c, CONTROL.fd, fd);
      Atomics.store(c, CONTROL.failed, 0);
    });
  }

  /** Writes what is left, then ends the thread. */
  close(): boolean {
    const done = this.flushSync();
    Atomics.store(this.#control, CONTROL.stop, 1);
    Atomics.notify(this.#control, CONTROL.head);
    this.#thread = undefined;
    return done;
  }

  #publish(head: number, length: number): void {
    const c = this.#control;
    Atomics.store(c, CONTROL.head, (head + length) | 0);
    if (Atomics.load(c, CONTROL.sleeping) === 1) Atomics.notify(c, CONTROL.head, 1);
  }

  /** Runs `work` holding the ring's lock; undefined when the thread kept it past LOCK_WAIT_MS. */
  #underLock<T>(work: () => T): T | undefined {
    const c = this.#control;
    const deadline = Date.now() + LOCK_WAIT_MS;
    while (Atomics.compareExchange(c, CONTROL.lock, 0, 1) !== 0) {
      // A write that takes this long means a hung disk; two writers at once would interleave lines.
      if (Date.now() > deadline) return undefined;
      Atomics.wait(c, CONTROL.lock, 1, 10);
    }
    try {
      return work();
    } finally {
      Atomics.store(c, CONTROL.lock, 0);
      Atomics.notify(c, CONTROL.lock);
      Atomics.notify(c, CONTROL.tail);
    }
  }

  /** Holding the lock: writes tail..head to the file. False when a write failed. */
  #writeRing(): boolean {
    const c = this.#control;
    if (Atomics.load(c, CONTROL.failed) !== 0) return false;
    let at = Atomics.load(c, CONTROL.tail) >>> 0;
    let pending = ((Atomics.load(c, CONTROL.head) >>> 0) - at) >>> 0;
    try {
      while (pending > 0) {
        const start = at % this.#capacity;
        const length = Math.min(pending, this.#capacity - start);
        const written = writeSync(Atomics.load(c, CONTROL.fd), this.#data, start, length);
        at = (at + written) >>> 0;
        pending -= written;
        Atomics.store(c, CONTROL.tail, at | 0);
      }
      return true;
    } catch (error) {
      Atomics.store(c, CONTROL.failed, errnoOf(error));
      return false;
    }
  }

  #writeBytes(bytes: Buffer): void {
    const c = this.#control;
    try {
      for (let offset = 0; offset < bytes.length; ) offset += writeSync(Atomics.load(c, CONTROL.fd), bytes, offset, bytes.length - offset);
    } catch (error) {
      Atomics.store(c, CONTROL.failed, errnoOf(error));
    }
  }
}

/** `Atomics.waitAsync` (Node 16+; ES2024 in TypeScript's library, newer than this project's target). */
const waitAsync = (Atomics as unknown as {
  waitAsync(array: Int32Array, index: number, value: number, timeoutMs: number): { async: boolean; value: Promise<string> | string };
}).waitAsync;

function startThread(control: SharedArrayBuffer, data: SharedArrayBuffer, gone: () => void): Worker | undefined {
  try {
    const thread = new Worker(WRITER_THREAD_SOURCE, { eval: true, workerData: { control, data } });
    // The journal is written synchronously at exit (flushSync); the thread never holds the process open.
    thread.unref();
    thread.on('error', (error) => {
      logger.debug('the journal writer thread failed; writing on the main thread', error);
      gone();
    });
    thread.on('exit', gone);
    return thread;
  } catch (error) {
    logger.debug('no journal writer thread; writing on the main thread', error);
    return undefined;
  }
}

function errnoOf(error: unknown): number {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return (code !== undefined && (constants.errno as Record<string, number>)[code]) || constants.errno.EIO;
}

function errnoName(code: number): string {
  const name = Object.entries(constants.errno).find(([, value]) => value === code)?.[0];
  return name ?? `errno ${code}`;
}
