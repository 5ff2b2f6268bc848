import type { PolyaxonError, PolyaxonErrorKind } from '../runtime/errors';
import { logger } from '../runtime/logger';
import { MemoryStore } from './memory-store';
import type { CloseSender, CloseSenderHost } from './close-sender';
import { resolveOutboxOptions, type OutboxOptions, type ResolvedOutboxOptions } from './options';
import { DROP_REASONS, type DropReason } from './policy';
import { BATCHABLE_KINDS, RECORD_FORMAT_VERSION, newRecordId, recordBytes, type NewRecord, type OutboxRecord, type RunTarget } from './records';
import { GroupCommit } from './group-commit';
import { RunTargets } from './run-targets';
import type { OutboxRuntime } from './runtime';
import { Sender, type PauseReason } from './sender';
import type { OutboxStore, StoreKind } from './store';

export type { OutboxOptions } from './options';
export type { DropReason } from './policy';

export interface OutboxStats {
  /**
   * Records waiting: in the store and not yet acknowledged (as last counted), plus appended and
   * not yet written, the group on its way into the store included.
   */
  pending: number;
  /** Records in the request being sent now. */
  inFlight: number;
  /**
   * The sender is working through the queue (claiming, sending, settling); false once it found
   * nothing it could send, until the next flush interval, append or wake-up.
   */
  sending: boolean;
  /** Records delivered (acknowledged by the server) by this outbox. */
  sent: number;
  /** Records that left without reaching the server, by reason. */
  dropped: Record<DropReason, number>;
  lastError?: { kind: PolyaxonErrorKind; status?: number; message: string; at: number };
  /** `opening` until the store promise settles. */
  storage: StoreKind | 'opening';
  paused: boolean;
  pausedReason?: PauseReason;
  /** Clock time at which sending resumes after a backoff or `Retry-After`. */
  retryAt?: number;
}

export interface FlushOptions {
  /** Default: 30_000 ms for flush, 10_000 ms for close. */
  timeoutMs?: number;
  /**
   * Node: keep the process alive while waiting (never longer than `timeoutMs`), so a script that
   * awaits a flush gets its answer instead of exiting with the promise unsettled. The exit handler
   * passes false: a process whose server is down still exits at once, leaving the rest to the
   * next run. Default: true.
   */
  holdProcess?: boolean;
}

const DEFAULT_FLUSH_TIMEOUT_MS = 30_000;
const DEFAULT_CLOSE_TIMEOUT_MS = 10_000;
/** After its flush, `close()` waits at most this long for the store to write and close. */
const CLOSE_STORE_TIMEOUT_MS = 2_000;

interface FlushWaiter {
  upTo: number;
  resolve(done: boolean): void;
}

/**
 * The outbox: `append` is synchronous and cheap; records of one tick are written to the store in
 * one `append` (group commit); the sender delivers them in order per run, retrying, splitting,
 * pausing or dropping as the policy says. Every wait is bounded and every timer unref'd.
 */
export class Outbox {
  readonly #options: ResolvedOutboxOptions;
  readonly #storeReady: Promise<OutboxStore>;
  #openedStore: OutboxStore | undefined;
  readonly #sender: Sender;
  readonly #targets: RunTargets;
  readonly #commits: GroupCommit;
  /** Records this outbox appended and has not seen leave, by id → append number (insertion order). */
  readonly #outstanding = new Map<string, number>();
  #storedCount = 0;
  /** Set once a claim came back empty: what earlier runs left has been taken care of. */
  #drainedOnce = false;
  readonly #flushWaiters = new Set<FlushWaiter>();
  #sentCount = 0;
  readonly #dropped = Object.fromEntries(DROP_REASONS.map((reason) => [reason, 0])) as Record<DropReason, number>;
  #lastError: OutboxStats['lastError'];
  #closing: Promise<boolean> | undefined;
  /**
   * What sends as the page is hidden or goes away, and follows the queue to know what to send
   * (browsers: src/browser/page-close/). Only where the runtime has one: elsewhere (Node) appends
   * and acks are spared its bookkeeping.
   */
  readonly #closeSender: CloseSender | undefined;
  /** The store as the sender sees it: watched by the close sender, if any. */
  readonly #sendingStore: Promise<OutboxStore>;
  #pageClosed = false;

  constructor(options: OutboxOptions) {
    this.#options = resolveOutboxOptions(options);
    this.#storeReady = this.#open(options.store);
    const closeSender = (this.#closeSender = this.#options.runtime.closeSender?.(this.#closeSenderHost()));
    this.#sendingStore = closeSender ? this.#storeReady.then((store) => closeSender.watch(store)) : this.#storeReady;
    this.#commits = new GroupCommit(this.#storeReady, this.#options.caps, {
      written: (records, { evicted }) => this.#onWritten(records, evicted),
      failed: (records, error) => this.#onWriteFailed(records, error),
    });
    this.#targets = new RunTargets(
      () => this.#storeReady,
      (settings) => this.#sender.lookupUser(settings),
      (timer) => this.#options.runtime.unrefTimer(timer),
    );
    this.#sender = new Sender(this.#options, this.#senderHost(), this.#targets);
  }

  /**
   * Queues a record and returns at once; nothing is awaited. Its `seq` is assigned when the
   * record reaches the store. After `close()` the call is ignored with one warning (F20).
   */
  append(input: NewRecord): OutboxRecord {
    const now = this.#options.clock.now();
    const record: OutboxRecord = { v: RECORD_FORMAT_VERSION, id: newRecordId(now), seq: -1, run: input.run, kind: input.kind, body: input.body, createdAt: now, bytes: 0 };
    if (this.#closing) {
      logger.warnOnce('outbox-closed', 'a tracking call after close() was ignored');
      return record;
    }
    try {
      record.bytes = input.bytes ?? recordBytes(input.body);
    } catch (error) {
      this.#countDrop(1, 'unserializable');
      logger.warnOnce('outbox-unserializable', `a ${input.kind} record could not be turned into JSON and was dropped`, error);
      return record;
    }
    const number = this.#commits.add(record);
    this.#outstanding.set(record.id, number);
    this.#closeSender?.appended(record, number);
    if (!BATCHABLE_KINDS.has(record.kind) || this.#pendingCount() >= this.#options.maxBatchCount) this.#sender.kick();
    else this.#sender.soon();
    return record;
  }

  /** Tells the outbox where a run lives (an existing or in-cluster experiment). Kept beside the queue. */
  setRunTarget(run: string, target: RunTarget): Promise<void> {
    if (this.#closing) return Promise.resolve();
    const done = this.#targets.set(run, target);
    this.#sender.kick();
    return done;
  }

  /** Resolves with the run's server id once its create is acknowledged; see RunTargets.whenCreated. */
  whenCreated(run: string): Promise<number> {
    return this.#targets.whenCreated(run);
  }

  /**
   * Gives up on a run whose create the caller reported as failed (for example refused credentials
   * at `create()`): its queued records, the create included, are dropped as `run_rejected` instead
   * of creating the experiment later, when a new token arrives.
   */
  abandonRun(run: string, message: string): Promise<void> {
    return this.#targets.abandon(run, message);
  }

  /** The user `GET users/` named for the current credentials, once asked. */
  knownUser(): string | undefined {
    return this.#targets.knownUser(this.#options.settings());
  }

  /**
   * Resolves true once everything appended before the call has been delivered or dropped (and
   * what earlier runs left in the store has been taken care of), false after `timeoutMs`.
   * Never rejects. After `close()` it gives close's result.
   */
  flush(options: FlushOptions = {}): Promise<boolean> {
    if (this.#closing) return this.#closing;
    return this.#waitForDelivery(options.timeoutMs ?? DEFAULT_FLUSH_TIMEOUT_MS, options.holdProcess ?? true);
  }

  /**
   * Flushes within `timeoutMs`, then stops sending and closes the store. Calling it again gives
   * the same promise. Resolves true when everything was delivered.
   */
  close(options: FlushOptions = {}): Promise<boolean> {
    if (!this.#closing) this.#closing = this.#shutDown(options.timeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS, options.holdProcess ?? true);
    return this.#closing;
  }

  /** Writes appended records to the store now (page hide), without waiting for the tick. */
  async persist(): Promise<void> {
    await this.#commits.written();
  }

  /**
   * Hands every unwritten record to the store at once, in this call stack: the crash handler's
   * last chance, when the process dies as soon as it returns. Stores that write synchronously
   * (the file journal) keep these records; others get them on a best-effort basis.
   */
  persistSync(): void {
    if (this.#openedStore) this.#commits.writeNow(this.#openedStore);
  }

  /**
   * Page hidden: writes what is queued, then lets the close sender send what it can while the page
   * may still be killed without a further event (CloseSender.sendOnHide).
   */
  async persistThenSendOnHide(): Promise<void> {
    // After a close, `sendOnClose` has done what could be done; a claim would never complete.
    if (this.#pageClosed) return;
    try {
      await this.persist();
      if (this.#closeSender && this.#sendingAllowed() && !this.#closing) await this.#closeSender.sendOnHide(await this.#sendingStore);
    } catch (error) {
      logger.debug('exit send failed; the records stay queued', error);
    }
  }

  /**
   * The exit sends obey the sender's state: paused (by the app, for refused credentials, offline)
   * or told to wait (429, backoff), the server gets nothing at hide or close either.
   */
  #sendingAllowed(): boolean {
    return !this.#sender.pausedReason && this.#sender.retryAt === undefined;
  }

  /**
   * Page closing (`pagehide`, not entering the back/forward cache): in this call stack, since the
   * page runs no further tasks, writes what is unwritten (a synchronous write at the exit: the
   * IndexedDB store spills it to localStorage), then lets the close sender send what it can
   * (CloseSender.sendOnClose). What did not go out stays queued for the next load. Once per page;
   * gives the number of requests started.
   */
  sendOnClose(): number {
    if (this.#pageClosed) return 0;
    this.#pageClosed = true;
    let requests = 0;
    if (!this.#closing) {
      try {
        this.persistSync();
        const close = { sendingAllowed: this.#sendingAllowed(), storeKind: this.#openedStore?.kind };
        requests = this.#closeSender?.sendOnClose(close) ?? 0;
      } catch (error) {
        logger.debug('close send failed', error);
      }
    }
    // Nothing may wake the sender now (an append, another page's bye, an `online` event, which
    // Chromium gives an offline tab being torn down): it would lease records for a request that
    // never leaves. The page never runs again (a back/forward-cache page gets `onHide`).
    void this.#sender.stop();
    this.#closeSender?.leave();
    return requests;
  }

  pause(): void {
    this.#sender.pause();
  }

  /** Ends a pause, including one caused by refused credentials (F07). */
  resume(): void {
    this.#sender.resume();
  }

  /** Browser `online` / `offline`: offline keeps queueing and sends nothing. */
  setOnline(online: boolean): void {
    this.#sender.setOnline(online);
  }

  stats(): OutboxStats {
    const pausedReason = this.#sender.pausedReason;
    const stats: OutboxStats = {
      pending: this.#pendingCount(),
      inFlight: this.#sender.inFlight,
      sending: this.#sender.sending,
      sent: this.#sentCount,
      dropped: { ...this.#dropped },
      storage: this.#openedStore?.kind ?? 'opening',
      paused: pausedReason !== undefined,
    };
    if (this.#lastError) stats.lastError = { ...this.#lastError };
    if (pausedReason) stats.pausedReason = pausedReason;
    if (this.#sender.retryAt !== undefined) stats.retryAt = this.#sender.retryAt;
    return stats;
  }

  /** What the store holds now, per run (for a status command); unlike `stats()` it asks the store. */
  async storedCounts(): Promise<{ records: number; bytes: number; byRun: Record<string, number> }> {
    return (await this.#storeReady).count();
  }

  // --- store and group commit ------------------------------------------------------------------

  async #open(store: OutboxStore | Promise<OutboxStore>): Promise<OutboxStore> {
    let opened: OutboxStore;
    try {
      opened = await store;
    } catch (error) {
      logger.warnOnce('outbox-store-fallback', 'the outbox store did not open; keeping records in memory for this session', error);
      opened = new MemoryStore();
    }
    try {
      this.#commits.startSeqAt(await opened.nextSeq());
      this.#storedCount = (await opened.count()).records;
    } catch (error) {
      logger.debug('could not read the store state', error);
    }
    this.#openedStore = opened;
    if (this.#storedCount === 0) this.#drainedOnce = true;
    this.#checkFlushWaiters();
    // Records an earlier process or page left behind go out now (DESIGN "Offline create").
    if (this.#storedCount > 0) queueMicrotask(() => this.#sender.kick());
    return opened;
  }

  #onWritten(records: readonly OutboxRecord[], evicted: number): void {
    this.#storedCount += records.length - evicted;
    if (evicted === 0) return;
    this.#countDrop(evicted, 'queue_full');
    logger.warnOnce('outbox-queue-full', 'the outbox is full: the oldest metrics and logs are being dropped');
  }

  #onWriteFailed(records: readonly OutboxRecord[], error: unknown): void {
    for (const record of records) this.#outstanding.delete(record.id);
    this.#closeSender?.lost(records);
    this.#countDrop(records.length, 'store_failed');
    logger.warnOnce('outbox-store-failed', 'the outbox store failed to write; records were dropped', error);
  }

  #pendingCount(): number {
    return this.#storedCount + this.#commits.waitingCount;
  }

  // --- delivery bookkeeping --------------------------------------------------------------------

  #closeSenderHost(): CloseSenderHost {
    const options = this.#options;
    return {
      settings: () => options.settings(),
      owner: options.owner,
      leaseMs: options.leaseMs,
      maxBatchCount: options.maxBatchCount,
      maxBatchBytes: options.maxBatchBytes,
      now: () => options.clock.now(),
      resolveTarget: (record, settings) => this.#targets.resolve(record, settings),
      peekTarget: (run, settings) => this.#targets.peek(run, settings),
      // Once more a little later, for what the page that left put in localStorage (exit-spill.ts),
      // moved into the queue by this page's store on a `storage` event that may come after the bye.
      wake: () => {
        this.#sender.kick();
        this.#sender.pollLater();
      },
    };
  }

  #senderHost() {
    return {
      committed: () => this.#commits.written(),
      store: () => this.#sendingStore,
      settled: (records: readonly OutboxRecord[], reason?: DropReason) => {
        for (const record of records) this.#outstanding.delete(record.id);
        this.#storedCount = Math.max(0, this.#storedCount - records.length);
        if (reason) this.#countDrop(records.length, reason);
        else this.#sentCount += records.length;
        this.#checkFlushWaiters();
      },
      idle: async (committedUpTo: number) => {
        this.#drainedOnce = true;
        this.#closeSender?.idle(committedUpTo, this.#options.clock.now());
        // Nothing is claimable: whatever of ours was written is delivered, dropped, or being sent
        // by another tab or process. Evicted records leave the same way.
        for (const [id, number] of this.#outstanding) {
          if (number > committedUpTo) break;
          this.#outstanding.delete(id);
        }
        this.#checkFlushWaiters();
        const epoch = this.#commits.quietWriteEpoch;
        let stored: number;
        try {
          stored = (await (await this.#storeReady).count()).records;
        } catch {
          return;
        }
        // A group written during the count may be in it and is added by onWritten as well.
        if (epoch !== undefined && epoch === this.#commits.quietWriteEpoch) this.#storedCount = stored;
        if (stored > 0) this.#sender.pollLater();
      },
      failed: (error: PolyaxonError, notify: boolean) => {
        this.#lastError = { kind: error.kind, message: error.serverMessage || error.message, at: this.#options.clock.now() };
        if (error.status) this.#lastError.status = error.status;
        if (notify) this.#notify(error);
      },
    };
  }

  #countDrop(count: number, reason: DropReason): void {
    this.#dropped[reason] += count;
  }

  #notify(error: PolyaxonError): void {
    try {
      this.#options.onError?.(error);
    } catch (thrown) {
      logger.debug('onError threw', thrown);
    }
  }

  #waitForDelivery(timeoutMs: number, holdProcess: boolean): Promise<boolean> {
    const upTo = this.#commits.appendedCount;
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => finish(false), timeoutMs);
      if (!holdProcess) this.#options.runtime.unrefTimer(timer);
      const waiter: FlushWaiter = { upTo, resolve: (done) => finish(done) };
      const finish = (done: boolean) => {
        clearTimeout(timer);
        this.#flushWaiters.delete(waiter);
        resolve(done);
      };
      this.#flushWaiters.add(waiter);
      this.#commits.commit();
      this.#sender.kick();
      this.#checkFlushWaiters();
    });
  }

  #checkFlushWaiters(): void {
    if (this.#flushWaiters.size === 0 || !this.#drainedOnce) return;
    const oldest = this.#outstanding.values().next();
    const oldestOutstanding = oldest.done ? Infinity : oldest.value;
    for (const waiter of [...this.#flushWaiters]) if (oldestOutstanding > waiter.upTo) waiter.resolve(true);
  }

  async #shutDown(timeoutMs: number, holdProcess: boolean): Promise<boolean> {
    const delivered = await this.#waitForDelivery(timeoutMs, holdProcess);
    const stopped = this.#sender.stop();
    await settleWithin(
      (async () => {
        await stopped;
        await this.#commits.written();
        await (await this.#storeReady).close();
      })(),
      CLOSE_STORE_TIMEOUT_MS,
      this.#options.runtime,
    );
    return delivered;
  }
}

/** Waits for `work`, at most `timeoutMs`; never rejects. */
function settleWithin(work: Promise<unknown>, timeoutMs: number, runtime: OutboxRuntime): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    runtime.unrefTimer(timer);
    work.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      (error: unknown) => {
        logger.debug('closing the outbox store failed', error);
        clearTimeout(timer);
        resolve();
      },
    );
  });
}
