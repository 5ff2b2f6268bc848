import { logger } from '../runtime/logger';
import type { OutboxRecord } from './records';
import type { AppendResult, OutboxStore, StoreCaps } from './store';

/** Most records in one `append`; larger bursts are split (see `commit`). */
export const MAX_GROUP_RECORDS = 8_192;

export interface GroupCommitHooks {
  /** A group of `count` records reached the store; `evicted` records made room for it (caps). */
  written(count: number, result: AppendResult): void;
  /** The store refused a group. */
  failed(records: readonly OutboxRecord[], error: unknown): void;
}

/**
 * Group commit (DESIGN "Records and the outbox"): records appended in one tick reach the store in
 * one `append` (one file write, one IndexedDB transaction). Groups are written one after another,
 * so the store sees records in append order. `seq` continues from the store's `nextSeq()`: it is
 * assigned at the call once the store is open (before, as the records wait for it), and a store
 * that can `stage` a record gets it at the call too (the Node journal: in the file within
 * milliseconds even when the caller never yields again, F32). A record the store takes whole at
 * the call is only counted here, not held: its group's `append` makes it visible in the queue.
 */
export class GroupCommit {
  #buffer: OutboxRecord[] = [];
  /** Records of the current group the store took at the call (counted, not held). */
  #bufferTaken = 0;
  #queued = false;
  readonly #unwritten: Group[] = [];
  #unwrittenCount = 0;
  /** Records handed to `store.append` whose answer has not come yet. */
  #appendingCount = 0;
  #writing = false;
  /** Moves when a group starts or finishes reaching the store; see `quietWriteEpoch`. */
  #writeEpoch = 0;
  /** `written()` calls in append-number order, each released once its groups are in the store. */
  readonly #waiters: Array<{ upTo: number; resolve(): void }> = [];
  #seq = 0;
  /** The open store, once its `nextSeq()` is known: from then on `seq` is assigned at the call. */
  #opened: OutboxStore | undefined;
  #appended = 0;
  #writtenUpTo = 0;

  constructor(
    private readonly store: Promise<OutboxStore>,
    private readonly caps: StoreCaps,
    private readonly hooks: GroupCommitHooks,
  ) {
    // The owner calls `startSeqAt` before its store promise resolves (Outbox.#open).
    store.then(
      (opened) => this.#open(opened),
      () => {},
    );
  }

  /** Records appended so far; each record's number orders `flush` waits. */
  get appendedCount(): number {
    return this.#appended;
  }

  /**
   * Records appended and not yet in the store, the group being written included: they are in
   * neither the store's count nor `written` until `store.append` answers.
   */
  get waitingCount(): number {
    return this.#buffer.length + this.#bufferTaken + this.#unwrittenCount + this.#appendingCount;
  }

  /**
   * A number that stays the same only while no group is on its way into the store; undefined
   * while one is. Equal values before and after a store `count()` mean the count saw no group
   * half written (which `written` would then count a second time).
   */
  get quietWriteEpoch(): number | undefined {
    return this.#appendingCount === 0 ? this.#writeEpoch : undefined;
  }

  /** The store's next free sequence number, read once it opened. */
  startSeqAt(next: number): void {
    this.#seq = Math.max(this.#seq, next);
  }

  /** Buffers a record for this tick's group (staged in the store at once when it can); gives its append number. */
  add(record: OutboxRecord): number {
    if (this.#opened) {
      record.seq = this.#seq++;
      if (this.#opened.stage?.(record)) this.#bufferTaken++;
      else this.#buffer.push(record);
    } else {
      this.#buffer.push(record);
    }
    if (!this.#queued) {
      this.#queued = true;
      queueMicrotask(() => this.commit());
    }
    return ++this.#appended;
  }

  /** Closes the current group and starts writing it (after any group before it). */
  commit(): void {
    this.#queued = false;
    const buffer = this.#buffer;
    const count = buffer.length + this.#bufferTaken;
    if (count > 0) {
      // A million calls in one tick become groups of MAX_GROUP_RECORDS, each its own `append`:
      // the event loop gets turns between them instead of one stall for the whole burst. Records
      // the store took at the call cost a group nothing but their count: with the store open,
      // append numbers and `seq` go up together, so a group's last `seq` says which are its own.
      const lastSeq = this.#seq - 1;
      let previousSeq = lastSeq - count;
      for (let start = 0; start === 0 || start < buffer.length; start += MAX_GROUP_RECORDS) {
        const records = buffer.length <= MAX_GROUP_RECORDS ? buffer : buffer.slice(start, start + MAX_GROUP_RECORDS);
        const last = start + MAX_GROUP_RECORDS >= buffer.length;
        if (!this.#opened) {
          // Not one taken yet; `seq` comes at the store's opening (#open).
          this.#unwritten.push({ records, taken: 0, upTo: this.#appended - count + start + records.length, seqUpTo: -1 });
          continue;
        }
        const seqUpTo = last ? lastSeq : records[records.length - 1].seq;
        this.#unwritten.push({ records, taken: seqUpTo - previousSeq - records.length, upTo: this.#appended - (lastSeq - seqUpTo), seqUpTo });
        previousSeq = seqUpTo;
      }
      this.#unwrittenCount += count;
      this.#buffer = [];
      this.#bufferTaken = 0;
    }
    if (!this.#writing && this.#unwritten.length > 0) {
      this.#writing = true;
      void this.#writeAll();
    }
  }

  /**
   * Resolves once every record appended so far is in the store (or refused by it); gives the
   * append count it covers. Groups appended after the call are not waited for: an app that logs
   * faster than the store writes keeps the write loop busy forever, and the sender, which waits
   * here before each claim, must still get its turn.
   */
  async written(): Promise<number> {
    const upTo = this.#appended;
    this.commit();
    if (this.#writtenUpTo < upTo) await new Promise<void>((resolve) => this.#waiters.push({ upTo, resolve }));
    return upTo;
  }

  /**
   * Hands every unwritten record to `store` in this call stack: the crash handler's last chance,
   * when the process dies as soon as it returns. Groups already being written went first.
   */
  writeNow(store: OutboxStore): void {
    this.#queued = false;
    const records = [...this.#unwritten.flatMap((group) => group.records), ...this.#buffer];
    const taken = this.#unwritten.reduce((sum, group) => sum + group.taken, this.#bufferTaken);
    this.#unwritten.length = 0;
    this.#unwrittenCount = 0;
    this.#buffer = [];
    this.#bufferTaken = 0;
    if (records.length + taken > 0) void this.#write(store, { records, taken, upTo: this.#appended, seqUpTo: this.#seq - 1 });
    store.flushSync?.();
  }

  /** The store opened: records waiting for it get their `seq` (and are staged) in call order. */
  #open(store: OutboxStore): void {
    const stage = (records: OutboxRecord[]): OutboxRecord[] =>
      records.filter((record) => {
        if (record.seq >= 0) return true;
        record.seq = this.#seq++;
        return !store.stage?.(record);
      });
    for (const group of this.#unwritten) {
      const kept = stage(group.records);
      group.taken += group.records.length - kept.length;
      group.records = kept;
      group.seqUpTo = this.#seq - 1;
    }
    const buffered = this.#buffer.length;
    this.#buffer = stage(this.#buffer);
    this.#bufferTaken += buffered - this.#buffer.length;
    this.#opened = store;
  }

  async #writeAll(): Promise<void> {
    try {
      const store = await this.store;
      while (this.#unwritten.length > 0) {
        const next = this.#unwritten.shift()!;
        this.#unwrittenCount -= next.records.length + next.taken;
        await this.#write(store, next);
        // A burst split into groups: a turn of the event loop between them (a 0 ms timer, not a
        // microtask), so timers and I/O of the app run while a million records are written.
        if (next.records.length === MAX_GROUP_RECORDS && this.#unwritten.length > 0) await new Promise((resolve) => setTimeout(resolve, 0));
      }
    } finally {
      // Cleared in the same step that finds nothing left, so a group committed right after
      // starts a new loop instead of waiting behind one that has already ended.
      this.#writing = false;
    }
  }

  /** `store.append` is called before the first await, which `writeNow` relies on. */
  async #write(store: OutboxStore, { records, taken, upTo, seqUpTo }: Group): Promise<void> {
    for (const record of records) if (record.seq < 0) record.seq = this.#seq++;
    const count = records.length + taken;
    this.#appendingCount += count;
    this.#writeEpoch++;
    let outcome: { ok: true; result: AppendResult } | { ok: false; error: unknown };
    try {
      outcome = { ok: true, result: await store.append(records, this.caps, taken > 0 ? seqUpTo : undefined) };
    } catch (error) {
      outcome = { ok: false, error };
    }
    // Leaves `waitingCount` in the step the hooks count it elsewhere: never counted twice or not at all.
    this.#appendingCount -= count;
    this.#writeEpoch++;
    try {
      if (outcome.ok) this.hooks.written(count, outcome.result);
      else this.hooks.failed(records, outcome.error);
    } catch (error) {
      logger.debug('a group commit hook threw', error);
    }
    this.#writtenUpTo = Math.max(this.#writtenUpTo, upTo);
    this.#releaseWaiters();
  }

  #releaseWaiters(): void {
    while (this.#waiters.length > 0 && this.#waiters[0].upTo <= this.#writtenUpTo) this.#waiters.shift()!.resolve();
  }
}

/**
 * Records on their way into the store as one `append`: `records` handed over with it, `taken` more
 * the store took at the call (seq up to `seqUpTo`), `upTo` the last append number among them.
 */
interface Group {
  records: OutboxRecord[];
  taken: number;
  upTo: number;
  seqUpTo: number;
}
