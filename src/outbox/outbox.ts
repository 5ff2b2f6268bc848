import type { PolyaxonError } from '../runtime/errors';
import { logger } from '../runtime/logger';
import { withTimeout } from '../runtime/timeout';
import { GroupCommit } from './group-commit';
import { Ledger, type OutboxStats } from './ledger';
import { MemoryStore } from './memory-store';
import { resolveOutboxOptions, type FlushOptions, type OutboxOptions, type ResolvedOutboxOptions } from './options';
import { closeSenderHost, PageClose } from './page-close';
import type { DropReason } from './policy';
import { BATCHABLE_KINDS, RECORD_FORMAT_VERSION, newRecordId, serialiseBody, type NewRecord, type OutboxRecord, type RunTarget } from './records';
import { RunTargets } from './run-targets';
import { Sender, type SenderHost } from './sender';
import type { OutboxStore } from './store';

export type { OutboxStats } from './ledger';
export type { FlushOptions, OutboxOptions } from './options';
export type { DropReason } from './policy';

const DEFAULT_FLUSH_TIMEOUT_MS = 30_000;
const DEFAULT_CLOSE_TIMEOUT_MS = 10_000;
/** After its flush, `close()` waits at most this long for the store to write and close. */
const CLOSE_STORE_TIMEOUT_MS = 2_000;

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
  readonly #ledger = new Ledger();
  #closing: Promise<boolean> | undefined;
  /** Sending as the page is hidden or goes away (browsers: src/browser/page-close/); no-ops elsewhere. */
  readonly #pageClose: PageClose;

  constructor(options: OutboxOptions) {
    this.#options = resolveOutboxOptions(options);
    this.#storeReady = this.#open(options.store);
    // Another page's bye: what it could not send is now this page's. Once more a little later, for
    // what it put in localStorage (exit-spill.ts), moved into the queue by this page's store on a
    // `storage` event that may come after the bye.
    const wake = () => {
      this.#sender.kick();
      this.#sender.pollLater();
    };
    const host = closeSenderHost(this.#options, () => this.#targets, wake);
    this.#pageClose = new PageClose(this.#options.runtime.closeSender, host, this.#storeReady, {
      persist: () => this.persist(),
      persistSync: () => this.persistSync(),
      // Paused (by the app, for refused credentials, offline) or told to wait (429, backoff): the
      // server gets nothing at hide or close either.
      sendingAllowed: () => !this.#sender.pausedReason && this.#sender.retryAt === undefined,
      isClosing: () => this.#closing !== undefined,
      storeKind: () => this.#openedStore?.kind,
      stopSending: () => void this.#sender.stop(),
    });
    this.#commits = new GroupCommit(this.#storeReady, this.#options.caps, {
      written: (count, { evicted }) => this.#onWritten(count, evicted),
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
      if (input.bytes !== undefined) record.bytes = input.bytes;
      else {
        record.json = serialiseBody(input.body);
        record.bytes = record.json.length;
      }
    } catch (error) {
      this.#ledger.dropped(1, 'unserializable');
      logger.warnOnce('outbox-unserializable', `a ${input.kind} record could not be turned into JSON and was dropped`, error);
      return record;
    }
    const number = this.#commits.add(record);
    this.#ledger.appended(record.id, number);
    this.#pageClose.appended(record, number);
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

  /** Page hidden: persists, then sends what the runtime can send before the page may be killed (PageClose.hide). */
  persistThenSendOnHide(): Promise<void> {
    return this.#pageClose.hide();
  }

  /** Page closing, in this call stack: persists and sends what can go (PageClose.close); gives the requests started. */
  sendOnClose(): number {
    return this.#pageClose.close();
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
    const { sent, dropped, lastError } = this.#ledger.figures();
    const stats: OutboxStats = {
      pending: this.#pendingCount(),
      inFlight: this.#sender.inFlight,
      sending: this.#sender.sending,
      sent,
      dropped,
      storage: this.#openedStore?.kind ?? 'opening',
      paused: pausedReason !== undefined,
    };
    if (lastError) stats.lastError = lastError;
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
    let stored: number | undefined;
    try {
      this.#commits.startSeqAt(await opened.nextSeq());
      stored = (await opened.count()).records;
    } catch (error) {
      logger.debug('could not read the store state', error);
    }
    this.#openedStore = opened;
    this.#ledger.opened(stored);
    // Records an earlier process or page left behind go out now (DESIGN "Offline create").
    if (this.#ledger.storedCount > 0) queueMicrotask(() => this.#sender.kick());
    return opened;
  }

  #onWritten(count: number, evicted: number): void {
    this.#ledger.written(count, evicted);
    if (evicted > 0) logger.warnOnce('outbox-queue-full', 'the outbox is full: the oldest metrics and logs are being dropped');
  }

  #onWriteFailed(records: readonly OutboxRecord[], error: unknown): void {
    this.#ledger.writeFailed(records);
    this.#pageClose.lost(records);
    logger.warnOnce('outbox-store-failed', 'the outbox store failed to write; records were dropped', error);
  }

  #pendingCount(): number {
    return this.#ledger.storedCount + this.#commits.waitingCount;
  }

  // --- delivery bookkeeping --------------------------------------------------------------------

  #senderHost(): SenderHost {
    return {
      committed: () => this.#commits.written(),
      store: () => this.#pageClose.sendingStore,
      settled: (records: readonly OutboxRecord[], reason?: DropReason) => this.#ledger.settled(records, reason),
      idle: async (committedUpTo: number) => {
        this.#pageClose.idle(committedUpTo, this.#options.clock.now());
        this.#ledger.idle(committedUpTo);
        const epoch = this.#commits.quietWriteEpoch;
        let stored: number;
        try {
          stored = (await (await this.#storeReady).count()).records;
        } catch {
          return;
        }
        // A group written during the count may be in it and is added by onWritten as well.
        if (epoch !== undefined && epoch === this.#commits.quietWriteEpoch) this.#ledger.counted(stored);
        if (stored > 0) this.#sender.pollLater();
      },
      failed: (error: PolyaxonError, notify: boolean) => {
        this.#ledger.failed(error, this.#options.clock.now());
        if (notify) this.#notify(error);
      },
    };
  }

  #notify(error: PolyaxonError): void {
    try {
      this.#options.onError?.(error);
    } catch (thrown) {
      logger.debug('onError threw', thrown);
    }
  }

  #waitForDelivery(timeoutMs: number, holdProcess: boolean): Promise<boolean> {
    const delivered = this.#ledger.waitFor(this.#commits.appendedCount, timeoutMs, holdProcess ? undefined : (timer) => this.#options.runtime.unrefTimer(timer));
    this.#commits.commit();
    this.#sender.kick();
    this.#ledger.check();
    return delivered;
  }

  async #shutDown(timeoutMs: number, holdProcess: boolean): Promise<boolean> {
    const delivered = await this.#waitForDelivery(timeoutMs, holdProcess);
    const stopped = this.#sender.stop();
    const closed = (async () => {
      await stopped;
      await this.#commits.written();
      await (await this.#storeReady).close();
    })().catch((error: unknown) => logger.debug('closing the outbox store failed', error));
    await withTimeout(closed, CLOSE_STORE_TIMEOUT_MS, undefined, (timer) => this.#options.runtime.unrefTimer(timer));
    return delivered;
  }
}
