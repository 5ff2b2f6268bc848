import { logger } from '../runtime/logger';
import type { OutboxRecord } from './records';
import type { AppendResult, OutboxStore, StoreCaps } from './store';

/** Most records in one `append`; larger bursts are split (see `commit`). */
export const MAX_GROUP_RECORDS = 8_192;

export interface GroupCommitHooks {
  /** A group reached the store; `evicted` records made room for it (caps). */
  written(records: readonly OutboxRecord[], result: AppendResult): void;
  /** The store refused a group. */
  failed(records: readonly OutboxRecord[], error: unknown): void;
}

/**
 * Group commit (DESIGN "Records and the outbox"): records appended in one tick reach the store in
 * one `append` (one file write, one IndexedDB transaction). Groups are written one after another,
 * so the store sees records in append order. `seq` continues from the store's `nextSeq()`: it is
 * assigned at the call once the store is open (before, as the records wait for it), and a store
 * that can `stage` a record gets it at the call too (the Node journal: in the file within
 * milliseconds even when the caller never yields again, F32).
 */
export class GroupCommit {
  #buffer: OutboxRecord[] = [];
  #queued = false;
  readonly #unwritten: Array<{ records: OutboxRecord[]; upTo: number }> = [];
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
    return this.#buffer.length + this.#unwrittenCount + this.#appendingCount;
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
      this.#opened.stage?.(record);
    }
    this.#buffer.push(record);
    if (!this.#queued) {
      this.#queued = true;
      queueMicrotask(() => this.commit());
    }
    return ++this.#appended;
  }

  /** Closes the current group and starts writing it (after any group before it). */
  commit(): void {
    this.#queued = false;
    if (this.#buffer.length > 0) {
      // A million calls in one tick become groups of MAX_GROUP_RECORDS, each its own `append`:
      // the event loop gets turns between them instead of one stall for the whole burst.
      const buffer = this.#buffer;
      const firstNumber = this.#appended - buffer.length;
      for (let start = 0; start < buffer.length; start += MAX_GROUP_RECORDS) {
        const records = buffer.length <= MAX_GROUP_RECORDS ? buffer : buffer.slice(start, start + MAX_GROUP_RECORDS);
        this.#unwritten.push({ records, upTo: firstNumber + start + records.length });
      }
      this.#unwrittenCount += buffer.length;
      this.#buffer = [];
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
    this.#unwritten.length = 0;
    this.#unwrittenCount = 0;
    this.#buffer = [];
    if (records.length > 0) void this.#write(store, records, this.#appended);
    store.flushSync?.();
  }

  /** The store opened: records waiting for it get their `seq` (and are staged) in call order. */
  #open(store: OutboxStore): void {
    for (const record of [...this.#unwritten.flatMap((group) => group.records), ...this.#buffer]) {
      if (record.seq >= 0) continue;
      record.seq = this.#seq++;
      store.stage?.(record);
    }
    this.#opened = store;
  }

  async #writeAll(): Promise<void> {
    try {
      const store = await this.store;
      while (this.#unwritten.length > 0) {
        const next = this.#unwritten.shift()!;
        this.#unwrittenCount -= next.records.length;
        await this.#write(store, next.records, next.upTo);
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
  async #write(store: OutboxStore, records: OutboxRecord[], upTo: number): Promise<void> {
    for (const record of records) if (record.seq < 0) record.seq = this.#seq++;
    this.#appendingCount += records.length;
    this.#writeEpoch++;
    let outcome: { ok: true; result: AppendResult } | { ok: false; error: unknown };
    try {
      outcome = { ok: true, result: await store.append(records, this.caps) };
    } catch (error) {
      outcome = { ok: false, error };
    }
    // Leaves `waitingCount` in the step the hooks count it elsewhere: never counted twice or not at all.
    this.#appendingCount -= records.length;
    this.#writeEpoch++;
    try {
      if (outcome.ok) this.hooks.written(records, outcome.result);
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
