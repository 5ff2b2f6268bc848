import type { CloseContext, CloseSender, CloseSenderFactory, CloseSenderHost } from '../../outbox/close-sender';
import type { OutboxRecord } from '../../outbox/records';
import type { OutboxStore } from '../../outbox/store';
import { leaseTopic, noteLeasesAtClose, releaseNotedLeases, type ExitNotes } from './exit-leases';
import { sendBatchesOnExit, sendOnClose } from './exit-send';
import { ExitWindow, watchedStore } from './exit-window';
import type { ExitRequest } from './keepalive';
import type { PagePresence } from './page-presence';

export interface PageCloseOptions {
  /** Starts one request that may outlive the page (fetch keepalive); false when it cannot. */
  keepalive(request: ExitRequest): boolean;
  /** Where a closing page notes the leases it held, for whoever claims next. Default: none (leases run out). */
  notes?: ExitNotes;
  /** Announces the page to the others on its queue (F12). Default: none (nothing else can share the queue). */
  presence?(topic: string, onLeave: () => void): PagePresence;
}

/**
 * The browser's close-time sender (`Environment.closeSender`), the whole page-close protocol in one
 * place:
 * - an exit window (exit-window.ts) keeps in memory what a closing page must send without the store;
 * - at page hide, bounded keepalive sends claimed from the store (exit-send.ts `sendBatchesOnExit`);
 * - at page close, keepalive sends built from memory in the `pagehide` listener itself
 *   (exit-send.ts `sendOnClose`), then notes of the leases this page held (exit-leases.ts);
 * - presence among the pages and Workers sharing the queue (page-presence.ts), so that a close
 *   never sends what another live page may send.
 * Records that arrive while the page goes away are spilled by the IndexedDB store (exit-spill.ts).
 */
export function pageCloseSender(options: PageCloseOptions): CloseSenderFactory {
  return (host) => new PageCloseSender(host, options);
}

class PageCloseSender implements CloseSender {
  readonly #host: CloseSenderHost;
  readonly #options: PageCloseOptions;
  readonly #window = new ExitWindow();
  /** The other pages and Workers that may send from this queue (F12); undefined: none can. */
  readonly #presence: PagePresence | undefined;

  constructor(host: CloseSenderHost, options: PageCloseOptions) {
    this.#host = host;
    this.#options = options;
    // Made with the outbox, so before any claim of this page (its store opens first): see
    // page-presence.ts. Another page's bye: what it could not send is now for the pages still live.
    this.#presence = options.presence?.(leaseTopic(host.settings()), () => host.wake());
  }

  watch(store: OutboxStore): OutboxStore {
    return watchedStore(store, this.#window, (inner, now) => releaseNotedLeases(this.#options.notes, leaseTopic(this.#host.settings()), inner, now));
  }

  appended(record: OutboxRecord, number: number): void {
    this.#window.appended(record, number);
  }

  lost(records: readonly OutboxRecord[]): void {
    this.#window.lost(records);
  }

  idle(committedUpTo: number, now: number): void {
    this.#window.idle(committedUpTo, now);
  }

  /**
   * Page hidden: up to a few keepalive requests that may outlive the page. Their records stay
   * leased, not acked (the answer may never be seen); if the page lives on they go again after
   * the lease, under the same Idempotency-Key.
   */
  sendOnHide(store: OutboxStore): Promise<number> {
    return sendBatchesOnExit(store, this.#host, (request) => this.#options.keepalive(request));
  }

  /**
   * Page closing (`pagehide`, not entering the back/forward cache), in this call stack: keepalive
   * requests built from memory, then this page's leases noted for release. Whatever did not go
   * out, and everything that did (its answer is never seen), stays queued for the next load,
   * which sends it under the same Idempotency-Key.
   *
   * While another page or Worker may send from the same queue (F12), only the runs this page
   * holds leased go (ExitWindow `sequences`): the other may have claimed, under its own key, any
   * record this page has not claimed; the live one, woken by this page's bye, sends the rest. A
   * memory store (no IndexedDB, F13) is this page's alone: everything goes, as nothing else will.
   */
  sendOnClose({ sendingAllowed, storeKind }: CloseContext): number {
    const shared = this.#presence?.othersAlive() && storeKind !== 'memory';
    const now = this.#host.now();
    const settings = this.#host.settings();
    let requests = 0;
    if (sendingAllowed) {
      const context = {
        sequences: this.#window.sequences(now, shared),
        target: (run: string) => this.#host.peekTarget(run, settings),
        settings,
        maxCount: this.#host.maxBatchCount,
        maxBytes: this.#host.maxBatchBytes,
      };
      requests = sendOnClose(context, (request) => this.#options.keepalive(request)).requests;
    }
    noteLeasesAtClose(this.#options.notes, leaseTopic(settings), this.#window.liveLeases(now));
    return requests;
  }

  /** Last, so that the page woken by the bye finds the lease notes. */
  leave(): void {
    this.#presence?.leave();
  }
}
