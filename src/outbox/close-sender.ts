import type { ClientSettings } from '../runtime/settings';
import type { OutboxRecord } from './records';
import type { ResolvedTarget } from './requests';
import type { TargetResolution } from './run-targets';
import type { OutboxStore, StoreKind } from './store';

/**
 * The one seam between the outbox and a runtime that can send while a page goes away (browsers:
 * src/browser/page-close/). The outbox makes one close sender per queue
 * (`OutboxRuntime.closeSender`), tells it what it appends and how its queue moves, and asks it, as
 * the page is hidden and as it closes, to send what it can now within its budget. Keepalive
 * requests, leases between tabs and notes for the next load are the close sender's business; Node
 * has none.
 */
export interface CloseSender {
  /**
   * The store as the outbox's sender and the hide send use it: the close sender follows claims,
   * acks, releases and regroupings through it, and does what must come before a claim.
   */
  watch(store: OutboxStore): OutboxStore;
  /** A record appended; `number` is its append number (GroupCommit). */
  appended(record: OutboxRecord, number: number): void;
  /** Records the store refused to keep: they are not in the queue. */
  lost(records: readonly OutboxRecord[]): void;
  /**
   * A claim found nothing to send: every record appended up to `committedUpTo` has left the queue
   * or is another tab's to send.
   */
  idle(committedUpTo: number, now: number): void;
  /**
   * Page hidden (it usually lives on): sends what it can claim from `store` (the watched store),
   * within its budget. Called only while the outbox's sender may send. Resolves with the number of
   * requests started.
   */
  sendOnHide(store: OutboxStore): Promise<number>;
  /**
   * Page closing: everything in this call stack, as the page runs no further tasks. Sends what it
   * can from memory (when `sendingAllowed`) and keeps what the next load needs; gives the number
   * of requests started.
   */
  sendOnClose(close: CloseContext): number;
  /** The page is gone: tells the others sharing the queue. The last step of a close. */
  leave(): void;
}

export interface CloseContext {
  /** The outbox's sender may send now (not paused, not backing off): a closing page obeys it too. */
  sendingAllowed: boolean;
  /** The kind of store the queue is in, undefined while it opens (a memory store is this page's alone). */
  storeKind: StoreKind | undefined;
}

/** What the outbox lends its close sender. */
export interface CloseSenderHost {
  /** Read at send time, like the outbox's own requests. */
  settings(): ClientSettings;
  /** The sender's claim owner, lease and batch limits: a batch the next load claims is cut and keyed alike. */
  readonly owner: string;
  readonly leaseMs: number;
  readonly maxBatchCount: number;
  readonly maxBatchBytes: number;
  now(): number;
  /** Where the batch led by `record` goes (may read the store, or ask the server who the user is). */
  resolveTarget(record: OutboxRecord, settings: ClientSettings): Promise<TargetResolution>;
  /** Where a run's requests go, from memory alone; undefined until the run has a server id and a user. */
  peekTarget(run: string, settings: ClientSettings): ResolvedTarget | undefined;
  /** Another page left the queue: what it could not send is this page's to send now. */
  wake(): void;
}

/** Makes the close sender of one outbox. */
export type CloseSenderFactory = (host: CloseSenderHost) => CloseSender;
