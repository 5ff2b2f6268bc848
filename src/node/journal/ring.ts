/**
 * The main thread's side of the journal's write path: frames (journal/frames.ts) are copied into a
 * SharedArrayBuffer ring and the writer thread (journal/writer-thread.ts) turns them into journal
 * lines in the file. A metric point goes in binary (`pushMetric`: a few typed-array stores, no
 * serialising on the caller's thread); other records as their lines (`pushText`).
 *
 * Whoever writes ring bytes to the file holds the ring's lock, so the thread and the main thread
 * never write at once and the file gets the bytes in ring order. The main thread waits for the
 * thread in two cases: `flushSync` (process exit, 'always' durability) until everything is written,
 * and a ring too full for the next frame until the thread has freed room for it (a piece at a time,
 * so both go on at once). It writes itself only with no thread at all (`worker_threads` missing,
 * the thread died, or `thread: false`), where bytes wait in the ring until the next `flushSync`,
 * as one write per group commit.
 */
import { writeSync } from 'node:fs';
import { constants } from 'node:os';
import { Worker } from 'node:worker_threads';
import { logger } from '../../runtime/logger';
import { recordIdKey, recordIdSuffix } from '../../outbox/records';
import { hasKeysInOrder, type MetricPointBody } from '../../wire/metric-point';
import { compileDecoder, FRAME, FRAME_HEADER_BYTES, ID_AS_KEY, ID_KEY_BYTES, MAX_ID_LENGTH, METRIC_KEY_BYTES, NEXT_FIXED_BYTES, NEXT_KEY_BYTES } from './frames';
import { CONTROL, CONTROL_SLOTS, WRITER_THREAD_SOURCE } from './writer-thread';

/**
 * Default ring size: 32 MiB, about 800,000 metric points of 3 keys in NEXT frames: a burst that
 * large goes in without waiting for the writer thread, which meanwhile writes the lines of the
 * points before and makes the metric table's next chunks resident. Its pages become resident only
 * as far as a burst reaches on its first lap (a lead ahead of the head), so a process that logs a
 * few points keeps 4 MiB of it. A power of two (positions wrap at 2^32).
 */
export const DEFAULT_RING_BYTES = 32 * 1024 * 1024;
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

/** A part of a buffer: its offset and length in bytes. */
export type MemoryRegion = readonly [offset: number, length: number];

/** The fields of a metrics record a METRIC frame carries (its body as metricPoint builds it). */
export interface MetricFrameRecord {
  id: string;
  seq: number;
  run: string;
  createdAt: number;
  bytes: number;
  body: unknown;
}

/** Past this many defined names, numbering starts over (redefinitions overwrite old slots). */
const MAX_NAMES = 65_536;
/**
 * Most keys in one METRIC frame (its key count is a u16); a record with more goes as text. With
 * its run and the id suffix, a record's names stay fewer than MAX_NAMES.
 */
const MAX_KEYS = 0xfff0;
/** The keys and run whose name indexes `#keyIndexes` holds, in the numbering of `epoch`. */
interface LastNames {
  run: string | undefined;
  epoch: number;
  keys: string[];
}
/** No record's names: matches no run. */
const NO_LAST_NAMES: LastNames = { run: undefined, epoch: -1, keys: [] };
/** What `#defineNames` gives instead of a key count. */
const TOO_MANY_KEYS = -1;
const NO_ROOM = -2;
/** A metric frame's fixed part: createdAt, seq (f64), bytes, run (u32), id length (u8), key count (u16). */
const METRIC_FIXED_BYTES = 8 + 8 + 4 + 4 + 1 + 2;
/** The fields of the last point framed that a NEXT frame gives as steps from it; `seq` -1: none to step from. */
interface LastPoint {
  seq: number;
  idKey: number;
  createdAt: number;
  bytes: number;
}

export class JournalRing {
  readonly #control: Int32Array;
  readonly #data: Buffer;
  readonly #view: DataView;
  readonly #capacity: number;
  #thread: Worker | undefined;
  /** `written()` calls waiting on the thread: while any does, the thread holds the process open. */
  #holds = 0;
  /** Names (metric keys, run keys) defined in the ring so far, by their index. */
  #names = new Map<string, number>();
  /** Moves each time the numbering of names starts over. */
  #namesEpoch = 0;
  /** The name indexes of the record being framed, in key order, then its run's and the id suffix's (reused from call to call). */
  readonly #keyIndexes = new Uint32Array(MAX_KEYS + 2);
  /** The names `#keyIndexes` holds the indexes of: the last record's keys and run, in that numbering. */
  #lastNames: LastNames = NO_LAST_NAMES;
  /** Whether the last `#defineNames` found the names of the record before (no DEFINE frame, same indexes). */
  #namesAsBefore = false;
  /** The last METRIC or NEXT frame's point, as the thread's decoder will have it. */
  readonly #lastPoint: LastPoint = { seq: -1, idKey: Number.NaN, createdAt: 0, bytes: 0 };
  #datetime: string | undefined;
  /** Decoding on this thread, when there is no writer thread. */
  #decoder: ReturnType<typeof compileDecoder> | undefined;

  constructor(fd: number, options: RingOptions = {}) {
    const capacity = options.ringBytes ?? DEFAULT_RING_BYTES;
    if (!Number.isInteger(Math.log2(capacity))) throw new RangeError(`ringBytes must be a power of two, not ${capacity}`);
    this.#capacity = capacity;
    const control = new SharedArrayBuffer(CONTROL_SLOTS * 4);
    const data = new SharedArrayBuffer(capacity);
    this.#control = new Int32Array(control);
    this.#data = Buffer.from(data);
    this.#view = new DataView(data);
    Atomics.store(this.#control, CONTROL.fd, fd);
    if (options.thread !== false) this.#thread = startThread(control, data, () => (this.#thread = undefined));
  }

  /** True while a writer thread takes the bytes to the file on its own. */
  get threaded(): boolean {
    return this.#thread !== undefined;
  }

  /** Bytes of frames pushed so far, pads included (wraps at 2^32): what a burst takes of the ring. */
  get framedBytes(): number {
    return Atomics.load(this.#control, CONTROL.head) >>> 0;
  }

  /** Why the last write failed (`ENOSPC`, say); undefined while writes succeed. */
  get failure(): string | undefined {
    const code = Atomics.load(this.#control, CONTROL.failed);
    return code === 0 ? undefined : errnoName(code);
  }

  /**
   * Memory of `bytes` whose pages the writer thread touches soon (between its writes), so the
   * first stores of this thread into it take no page fault; undefined without a thread. For memory
   * a burst of calls will fill next (the metric table's next chunk), handed out before it is needed.
   * `regions` (offset and length in bytes) are the parts of it this thread fills side by side, each
   * from its start (the table's columns): the thread touches the same share of each in turn, so
   * the pages needed first are resident first. Default: the whole of it, in order.
   */
  prefaulted(bytes: number, regions: readonly MemoryRegion[] = [[0, bytes]]): SharedArrayBuffer | undefined {
    if (!this.#thread) return undefined;
    const memory = new SharedArrayBuffer(bytes);
    this.#thread.postMessage({ memory, regions });
    return memory;
  }

  /** Puts journal text in the ring. Never blocks on the disk unless the ring is full. */
  pushText(text: string): void {
    if (text.length === 0) return;
    // A UTF-16 unit is at most 3 UTF-8 bytes.
    const most = text.length * 3;
    if (most + FRAME_HEADER_BYTES <= this.#capacity / 2) {
      const at = this.#reserve(most);
      if (at < 0) return;
      const length = this.#data.write(text, at + FRAME_HEADER_BYTES);
      this.#publish(at, FRAME.text, length);
      return;
    }
    // Larger than half the ring: the ring is emptied, then the text written through, in order.
    if (!this.flushSync()) return;
    this.#underLock(() => {
      if (Atomics.load(this.#control, CONTROL.failed) === 0) this.#writeBytes(Buffer.from(text));
    });
  }

  /**
   * Puts a metrics record in the ring in binary; the writer thread writes its `add` line. False
   * (nothing pushed) when the record does not fit the frame (then push its line as text) or
   * no thread decodes frames.
   */
  pushMetric(record: MetricFrameRecord): boolean {
    const body = record.body as MetricPointBody;
    if (!this.#thread || record.id.length > MAX_ID_LENGTH) return false;
    const values = body.values;
    const keys = this.#defineNames(values, record.run);
    if (keys === TOO_MANY_KEYS) return false;
    if (keys === NO_ROOM) return true;
    const runIndex = this.#keyIndexes[keys];
    if (body.created_at !== this.#datetime) {
      const at = this.#reserve(body.created_at.length);
      if (at < 0) return true;
      this.#publish(at, FRAME.datetime, this.#data.write(body.created_at, at + FRAME_HEADER_BYTES, 'latin1'));
      this.#datetime = body.created_at;
    }
    const id = record.id;
    // This process's ids (all of newRecordId's) go as their number; the writer thread spells them.
    const idKey = recordIdKey(id);
    if (this.#namesAsBefore && this.#pushNext(record, idKey, values, keys)) return true;
    const idBytes = Number.isNaN(idKey) ? id.length : ID_KEY_BYTES;
    const length = METRIC_FIXED_BYTES + idBytes + keys * METRIC_KEY_BYTES;
    const at = this.#reserve(length);
    if (at < 0) return true;
    const v = this.#view;
    const d = this.#data;
    let p = at + FRAME_HEADER_BYTES;
    v.setFloat64(p, record.createdAt, true);
    v.setFloat64(p + 8, record.seq, true);
    v.setUint32(p + 16, record.bytes, true);
    v.setUint32(p + 20, runIndex, true);
    if (idBytes === ID_KEY_BYTES) {
      d[p + 24] = ID_AS_KEY;
      v.setFloat64(p + 25, idKey, true);
      v.setUint32(p + 33, this.#keyIndexes[keys + 1], true);
    } else {
      d[p + 24] = id.length;
      d.write(id, p + 25, 'latin1');
    }
    p += 25 + idBytes;
    v.setUint16(p, keys, true);
    p += 2;
    const indexes = this.#keyIndexes;
    let k = 0;
    for (const key in values) {
      const value = values[key];
      v.setUint32(p, indexes[k++], true);
      d[p + 4] = value === null ? 1 : 0;
      v.setFloat64(p + 5, value ?? 0, true);
      p += METRIC_KEY_BYTES;
    }
    this.#publish(at, FRAME.metric, length);
    this.#setLastPoint(record, idKey);
    return true;
  }

  /**
   * A point that follows the last one framed (same run, keys and size, the next `seq`, an id of
   * this process a little after its id) as a NEXT frame: two steps and the values, 42 bytes for
   * three keys where a METRIC frame takes 83. A burst of calls fits twice as many points in the
   * ring before it waits for the thread, and each call makes half the stores. False when the
   * point does not follow (nothing pushed); true once pushed, or when the ring took nothing.
   */
  #pushNext(record: MetricFrameRecord, idKey: number, values: Record<string, number | null>, keys: number): boolean {
    const last = this.#lastPoint;
    const idStep = idKey - last.idKey;
    const timeStep = record.createdAt - last.createdAt;
    // NaN (an id of another form, a point after none) fails every comparison.
    if (record.seq !== last.seq + 1 || record.bytes !== last.bytes || !(idStep >= 1 && idStep <= 0xffffffff)) return false;
    // The decoder adds the step back: it must give this exact time (fractional clocks included).
    if (timeStep !== (timeStep | 0) || last.createdAt + timeStep !== record.createdAt) return false;
    const length = NEXT_FIXED_BYTES + keys * NEXT_KEY_BYTES;
    const at = this.#reserve(length);
    if (at < 0) return true;
    const v = this.#view;
    const d = this.#data;
    let p = at + FRAME_HEADER_BYTES;
    v.setInt32(p, timeStep, true);
    v.setUint32(p + 4, idStep, true);
    v.setUint16(p + 8, keys, true);
    p += NEXT_FIXED_BYTES;
    for (const key in values) {
      const value = values[key];
      d[p] = value === null ? 1 : 0;
      v.setFloat64(p + 1, value ?? 0, true);
      p += NEXT_KEY_BYTES;
    }
    this.#publish(at, FRAME.next, length);
    this.#setLastPoint(record, idKey);
    return true;
  }

  #setLastPoint(record: MetricFrameRecord, idKey: number): void {
    const last = this.#lastPoint;
    last.seq = record.seq;
    last.idKey = idKey;
    last.createdAt = record.createdAt;
    last.bytes = record.bytes;
  }

  /**
   * Defines the names of `values` (in `for...in` order, as the frame lists them), then `run` and
   * the id suffix, and keeps their indexes in `#keyIndexes` (the run's and the suffix's last):
   * the key count, TOO_MANY_KEYS, or
   * NO_ROOM (the ring took no frame; `failure` says why). When the numbering restarts partway
   * (MAX_NAMES), names defined before the restart are not in the new numbering: all are defined again.
   */
  #defineNames(values: Record<string, number | null>, run: string): number {
    const indexes = this.#keyIndexes;
    // A training loop logs the same keys call after call: then `#keyIndexes` already holds them.
    const last = this.#lastNames;
    this.#namesAsBefore = run === last.run && this.#namesEpoch === last.epoch && hasKeysInOrder(values, last.keys);
    if (this.#namesAsBefore) return last.keys.length;
    // The pass below overwrites `#keyIndexes`: they hold the last record's names again only if it succeeds.
    this.#lastNames = NO_LAST_NAMES;
    for (;;) {
      const epoch = this.#namesEpoch;
      let keys = 0;
      for (const key in values) {
        if (keys === MAX_KEYS) return TOO_MANY_KEYS;
        const index = this.#define(key);
        if (index < 0) return NO_ROOM;
        indexes[keys++] = index;
      }
      const runIndex = this.#define(run);
      if (runIndex < 0) return NO_ROOM;
      indexes[keys] = runIndex;
      const suffixIndex = this.#define(recordIdSuffix());
      if (suffixIndex < 0) return NO_ROOM;
      indexes[keys + 1] = suffixIndex;
      // At most once: fewer than MAX_NAMES names fit in one record.
      if (this.#namesEpoch === epoch) {
        this.#lastNames = { run, epoch, keys: Object.keys(values) };
        return keys;
      }
    }
  }

  /**
   * Everything in the ring is in the file before it returns (process exit, 'always' durability):
   * written by the thread, waited for here, or written on this thread when there is none. False
   * when a write failed or did not finish within LOCK_WAIT_MS.
   */
  flushSync(): boolean {
    const c = this.#control;
    const target = Atomics.load(c, CONTROL.head);
    return this.#waitForThread((tail) => ((target - tail) | 0) <= 0 || ((Atomics.load(c, CONTROL.head) - tail) | 0) === 0);
  }

  /**
   * Waits until the ring has `needed` bytes free: the thread frees them a piece at a time
   * (WRITE_OUT_MOST_BYTES), so the caller goes on filling the ring while the thread writes the rest,
   * rather than waiting for all of it.
   */
  #waitForRoom(needed: number): boolean {
    const c = this.#control;
    return this.#waitForThread((tail) => this.#capacity - (((Atomics.load(c, CONTROL.head) >>> 0) - (tail >>> 0)) >>> 0) >= needed);
  }

  /**
   * Waits until `done(tail)` holds as the thread moves the tail, waking it as it goes; true then.
   * Without a thread (none, or it died meanwhile), writes everything in the ring itself. False when
   * a write failed or the thread did not get there within LOCK_WAIT_MS.
   */
  #waitForThread(done: (tail: number) => boolean): boolean {
    const c = this.#control;
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      if (!this.#thread) return this.#underLock(() => this.#writeRing()) ?? false;
      const tail = Atomics.load(c, CONTROL.tail);
      if (done(tail)) return true;
      if (Atomics.load(c, CONTROL.failed) !== 0) return false;
      if (Date.now() > deadline) return false;
      Atomics.notify(c, CONTROL.head);
      Atomics.wait(c, CONTROL.tail, tail, 5);
    }
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
        Atomics.notify(c, CONTROL.head);
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
    // Frames thrown away may have defined names: define them again before use.
    this.#restartNames();
    this.#datetime = undefined;
  }

  /** Writes what is left, then ends the thread. */
  close(): boolean {
    const done = this.flushSync();
    Atomics.store(this.#control, CONTROL.stop, 1);
    Atomics.notify(this.#control, CONTROL.head);
    this.#thread = undefined;
    return done;
  }

  /**
   * Ends the writer thread the way a crash between two writes would, for tests of that path:
   * what it has not written stays in the ring. It holds the ring's lock from the call until the
   * thread is gone, so frames pushed meanwhile stay unwritten too.
   */
  async endThread(): Promise<void> {
    const thread = this.#thread;
    if (!thread) return;
    const c = this.#control;
    while (Atomics.compareExchange(c, CONTROL.lock, 0, 1) !== 0) await new Promise((resolve) => setTimeout(resolve, 1));
    try {
      await thread.terminate();
    } finally {
      Atomics.store(c, CONTROL.lock, 0);
      Atomics.notify(c, CONTROL.lock);
    }
  }

  /** Numbering starts over: later DEFINE frames overwrite the decoder's old slots. */
  #restartNames(): void {
    this.#names = new Map();
    this.#namesEpoch++;
  }

  /** The index of `name` (a DEFINE frame the first time); -1 when no room came in the ring. */
  #define(name: string): number {
    let index = this.#names.get(name);
    if (index !== undefined) return index;
    if (this.#names.size >= MAX_NAMES) this.#restartNames();
    index = this.#names.size;
    const json = JSON.stringify(name);
    const at = this.#reserve(4 + json.length * 3);
    if (at < 0) return -1;
    this.#view.setUint32(at + FRAME_HEADER_BYTES, index, true);
    this.#publish(at, FRAME.define, 4 + this.#data.write(json, at + FRAME_HEADER_BYTES + 4));
    this.#names.set(name, index);
    return index;
  }

  /**
   * Room for a frame of up to `payload` bytes in one piece: the ring offset of its header, or -1
   * when no room came (the writer failed or hung; `failure` says so and the store keeps records in
   * memory). Pads the ring's end when the frame would not fit before it.
   */
  #reserve(payload: number): number {
    const c = this.#control;
    const size = FRAME_HEADER_BYTES + payload;
    for (let attempt = 0; attempt < 2; attempt++) {
      const head = Atomics.load(c, CONTROL.head) >>> 0;
      const used = (head - (Atomics.load(c, CONTROL.tail) >>> 0)) >>> 0;
      const start = head % this.#capacity;
      const beforeEnd = this.#capacity - start;
      const needed = size <= beforeEnd ? size : beforeEnd + size;
      if (this.#capacity - used >= needed) {
        if (size <= beforeEnd) return start;
        if (beforeEnd >= FRAME_HEADER_BYTES) {
          this.#view.setUint32(start, beforeEnd - FRAME_HEADER_BYTES, true);
          this.#data[start + 4] = FRAME.pad;
        }
        Atomics.store(c, CONTROL.head, (head + beforeEnd) | 0);
        return 0;
      }
      if (!this.#waitForRoom(needed)) break;
    }
    if (Atomics.load(c, CONTROL.failed) === 0) Atomics.store(c, CONTROL.failed, constants.errno.EBUSY);
    return -1;
  }

  #publish(at: number, type: number, length: number): void {
    const c = this.#control;
    this.#view.setUint32(at, length, true);
    this.#data[at + 4] = type;
    const head = Atomics.load(c, CONTROL.head) >>> 0;
    Atomics.store(c, CONTROL.head, (head - (head % this.#capacity) + at + FRAME_HEADER_BYTES + length) | 0);
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

  /** Holding the lock, without a thread: decodes tail..head and writes it. False when a write failed. */
  #writeRing(): boolean {
    const c = this.#control;
    if (Atomics.load(c, CONTROL.failed) !== 0) return false;
    const head = Atomics.load(c, CONTROL.head);
    const tail = Atomics.load(c, CONTROL.tail);
    if (head === tail) return true;
    this.#decoder ??= compileDecoder();
    try {
      this.#decoder.decode(this.#data, this.#capacity, tail, head, this.#decoder.state, (bytes) => {
        if (Atomics.load(c, CONTROL.failed) === 0) this.#writeBytes(bytes);
      });
    } catch {
      // Frames a writer thread left when it died refer to names and a point only its decoder knew.
      // As the thread does: a failed write, so the store keeps the records and rewrites the file.
      Atomics.store(c, CONTROL.failed, constants.errno.EIO);
    }
    if (Atomics.load(c, CONTROL.failed) !== 0) return false;
    Atomics.store(c, CONTROL.tail, head);
    return true;
  }

  #writeBytes(bytes: Uint8Array): void {
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
