import { logger } from '../runtime/logger';
import { initialBatchLimits } from './batch-size';
import type { CloseSender, CloseSenderFactory, CloseSenderHost } from './close-sender';
import type { ResolvedOutboxOptions } from './options';
import type { OutboxRecord } from './records';
import type { RunTargets } from './run-targets';
import type { OutboxStore, StoreKind } from './store';

/** What page close asks of the outbox it belongs to. */
export interface ClosingOutbox {
  /** Writes appended records to the store (page hide). */
  persist(): Promise<void>;
  /** Hands unwritten records to the store in this call stack (page close). */
  persistSync(): void;
  /** Whether the sender may send now: not paused (by the app, offline, credentials), not backing off. */
  sendingAllowed(): boolean;
  /** `close()` was called: nothing more is sent at an exit either. */
  isClosing(): boolean;
  storeKind(): StoreKind | undefined;
  /** Stops the sender for good: a closed page never runs again. */
  stopSending(): void;
}

/**
 * The outbox's side of the page-close seam (close-sender.ts): it keeps the close sender the runtime
 * made (browsers; none in Node) told of the queue, and asks it to send as the page is hidden or
 * closes. Without a close sender every call is a no-op and the store goes unwatched.
 */
export class PageClose {
  readonly #closeSender: CloseSender | undefined;
  readonly #outbox: ClosingOutbox;
  /** The store as the sender sees it: watched by the close sender, if any. */
  readonly sendingStore: Promise<OutboxStore>;
  #pageClosed = false;

  constructor(factory: CloseSenderFactory | undefined, host: CloseSenderHost, store: Promise<OutboxStore>, outbox: ClosingOutbox) {
    const closeSender = (this.#closeSender = factory?.(host));
    this.#outbox = outbox;
    this.sendingStore = closeSender ? store.then((opened) => closeSender.watch(opened)) : store;
  }

  appended(record: OutboxRecord, number: number): void {
    this.#closeSender?.appended(record, number);
  }

  lost(records: readonly OutboxRecord[]): void {
    this.#closeSender?.lost(records);
  }

  idle(committedUpTo: number, now: number): void {
    this.#closeSender?.idle(committedUpTo, now);
  }

  /**
   * Page hidden: writes what is queued, then lets the close sender send what it can while the page
   * may still be killed without a further event (CloseSender.sendOnHide).
   */
  async hide(): Promise<void> {
    // After a close, `close` has done what could be done; a claim would never complete.
    if (this.#pageClosed) return;
    try {
      await this.#outbox.persist();
      if (this.#closeSender && this.#outbox.sendingAllowed() && !this.#outbox.isClosing()) await this.#closeSender.sendOnHide(await this.sendingStore);
    } catch (error) {
      logger.debug('exit send failed; the records stay queued', error);
    }
  }

  /**
   * Page closing (`pagehide`, not entering the back/forward cache): in this call stack, since the
   * page runs no further tasks, writes what is unwritten (a synchronous write at the exit: the
   * IndexedDB store spills it to localStorage), then lets the close sender send what it can
   * (CloseSender.sendOnClose). What did not go out stays queued for the next load. Once per page;
   * gives the number of requests started.
   */
  close(): number {
    if (this.#pageClosed) return 0;
    this.#pageClosed = true;
    let requests = 0;
    if (!this.#outbox.isClosing()) {
      try {
        this.#outbox.persistSync();
        const close = { sendingAllowed: this.#outbox.sendingAllowed(), storeKind: this.#outbox.storeKind() };
        requests = this.#closeSender?.sendOnClose(close) ?? 0;
      } catch (error) {
        logger.debug('close send failed', error);
      }
    }
    // Nothing may wake the sender now (an append, another page's bye, an `online` event, which
    // Chromium gives an offline tab being torn down): it would lease records for a request that
    // never leaves. The page never runs again (a back/forward-cache page gets `onHide`).
    this.#outbox.stopSending();
    this.#closeSender?.leave();
    return requests;
  }
}

/** What the outbox lends its close sender: its settings, claim limits and run targets, and a wake-up. */
export function closeSenderHost(options: ResolvedOutboxOptions, targets: () => RunTargets, wake: () => void): CloseSenderHost {
  const firstClaim = initialBatchLimits({ count: options.maxBatchCount, bytes: options.maxBatchBytes });
  return {
    settings: () => options.settings(),
    owner: options.owner,
    leaseMs: options.leaseMs,
    // A sender's first claim on the next load cuts with its initial limits: cut alike, so a resent
    // batch has the same records and key.
    maxBatchCount: firstClaim.count,
    maxBatchBytes: firstClaim.bytes,
    now: () => options.clock.now(),
    resolveTarget: (record, settings) => targets().resolve(record, settings),
    peekTarget: (run, settings) => targets().peek(run, settings),
    wake,
  };
}
