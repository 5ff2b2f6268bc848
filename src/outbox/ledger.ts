import type { PolyaxonError, PolyaxonErrorKind } from '../runtime/errors';
import { DROP_REASONS, type DropReason } from './policy';
import { OutstandingRecords } from './outstanding';
import type { OutboxRecord } from './records';
import type { PauseReason } from './send-gate';
import type { StoreKind } from './store';

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
  /**
   * The last failure: `message` is the server's own (or the network error's); `help`, when the
   * outbox knows what to do about it, names the server, the project and the fix in one line.
   */
  lastError?: { kind: PolyaxonErrorKind; status?: number; message: string; help?: string; at: number };
  /** `opening` until the store promise settles. */
  storage: StoreKind | 'opening';
  paused: boolean;
  pausedReason?: PauseReason;
  /** Clock time at which sending resumes after a backoff or `Retry-After`. */
  retryAt?: number;
}

interface FlushWaiter {
  upTo: number;
  resolve(done: boolean): void;
}

/**
 * The outbox's account of its records, for `flush()` and `stats()`: which of the records it
 * appended have not left the queue yet (by append number), how many the store holds, how many
 * left and why, and the last failure. A flush wait is released here once every record appended
 * before it has left.
 */
export class Ledger {
  /** Records this outbox appended and has not seen leave. */
  readonly #outstanding = new OutstandingRecords();
  #storedCount = 0;
  /** Set once the store opened empty or a claim came back empty: what earlier runs left has been taken care of. */
  #drainedOnce = false;
  readonly #waiters = new Set<FlushWaiter>();
  #sent = 0;
  readonly #dropped = Object.fromEntries(DROP_REASONS.map((reason) => [reason, 0])) as Record<DropReason, number>;
  #lastError: OutboxStats['lastError'];

  /** Records in the store, as last counted and kept up to date since. */
  get storedCount(): number {
    return this.#storedCount;
  }

  /** The store opened; `stored` is its count (undefined when it could not be read). */
  opened(stored: number | undefined): void {
    if (stored !== undefined) this.#storedCount = stored;
    if (this.#storedCount === 0) this.#drainedOnce = true;
    this.check();
  }

  /** A record appended as number `number` (GroupCommit). */
  appended(id: string, number: number): void {
    this.#outstanding.add(id, number);
  }

  /** A group reached the store; `evicted` records made room for it (caps). */
  written(count: number, evicted: number): void {
    this.#storedCount += count - evicted;
    this.dropped(evicted, 'queue_full');
  }

  /** The store refused a group: it left at once. */
  writeFailed(records: readonly OutboxRecord[]): void {
    for (const record of records) this.#outstanding.leave(record.id);
    this.dropped(records.length, 'store_failed');
  }

  /** Records left the queue: delivered, or dropped for `reason`. */
  settled(records: readonly OutboxRecord[], reason?: DropReason): void {
    for (const record of records) this.#outstanding.leave(record.id);
    this.#storedCount = Math.max(0, this.#storedCount - records.length);
    if (reason) this.dropped(records.length, reason);
    else this.#sent += records.length;
    this.check();
  }

  /**
   * A claim found nothing to send: whatever of ours was written up to `committedUpTo` is
   * delivered, dropped, or being sent by another tab or process. Evicted records leave the same way.
   */
  idle(committedUpTo: number): void {
    this.#drainedOnce = true;
    this.#outstanding.leaveUpTo(committedUpTo);
    this.check();
  }

  /** A fresh count of the store, taken while no group was on its way in. */
  counted(stored: number): void {
    this.#storedCount = stored;
  }

  dropped(count: number, reason: DropReason): void {
    this.#dropped[reason] += count;
  }

  failed(error: PolyaxonError, at: number): void {
    this.#lastError = { kind: error.kind, message: error.serverMessage || error.message, at };
    if (error.status) this.#lastError.status = error.status;
    if (error.help) this.#lastError.help = error.help;
  }

  /**
   * Resolves true once every record appended up to number `upTo` has left (and what earlier runs
   * left has been taken care of), false after `timeoutMs`. With `unrefTimer` the wait never holds
   * the process open.
   */
  waitFor(upTo: number, timeoutMs: number, unrefTimer?: (timer: unknown) => void): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => finish(false), timeoutMs);
      unrefTimer?.(timer);
      const waiter: FlushWaiter = { upTo, resolve: (done) => finish(done) };
      const finish = (done: boolean) => {
        clearTimeout(timer);
        this.#waiters.delete(waiter);
        resolve(done);
      };
      this.#waiters.add(waiter);
    });
  }

  /** What `stats()` reports of the ledger. */
  figures(): Pick<OutboxStats, 'sent' | 'dropped' | 'lastError'> {
    const figures: Pick<OutboxStats, 'sent' | 'dropped' | 'lastError'> = { sent: this.#sent, dropped: { ...this.#dropped } };
    if (this.#lastError) figures.lastError = { ...this.#lastError };
    return figures;
  }

  /** Releases the flush waits whose records have all left. */
  check(): void {
    if (this.#waiters.size === 0 || !this.#drainedOnce) return;
    const oldestOutstanding = this.#outstanding.oldest();
    for (const waiter of [...this.#waiters]) if (oldestOutstanding > waiter.upTo) waiter.resolve(true);
  }
}
