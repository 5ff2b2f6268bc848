import type { OutboxRecord } from './records';
import type { ClaimOptions, OutboxStore } from './store';

/**
 * Record bytes the window keeps: four keepalive budgets (64 KiB each), several seconds of brisk
 * logging. Past it a run's newer records wait in the store only, and a page closing then sends
 * what the window holds of that run.
 */
export const EXIT_WINDOW_BYTES = 256 * 1024;

/**
 * What the outbox keeps in memory so that a closing page can send without the store: after
 * `pagehide` a page runs no further tasks, so an IndexedDB claim or read never completes, and
 * the keepalive requests must be built from memory in the `pagehide` listener itself.
 *
 * - Records of this page's runs that have not left the queue, per run, in append order, from the
 *   run's head as far as this page knows: the calls of one experiment were all made here (a run's
 *   key is new with each Experiment). Bounded by `EXIT_WINDOW_BYTES`; once a record of a run does
 *   not fit, that run keeps what it has and takes nothing new until everything it missed has left.
 * - Batches this page holds leased (the sender's claim, the hide path's claims), of any run: a
 *   live lease makes a batch the head of its run and keeps every other sender off that run.
 *
 * What the window cannot see: records evicted for the caps, and records of this page's run that
 * another tab sending from the same queue (F12) took since this page last claimed or found the
 * queue empty. Those may go once more at close, under a key the other tab did not use; the
 * window learns of both at this page's next claim or empty claim.
 */
export class ExitWindow {
  private readonly runs = new Map<string, RunWindow>();
  private readonly leases = new Map<string, Lease>();
  private bytes = 0;

  constructor(private readonly maxBytes: number = EXIT_WINDOW_BYTES) {}

  /** A record appended by this page; `number` is its append number (see GroupCommit). */
  appended(record: OutboxRecord, number: number): void {
    let run = this.runs.get(record.run);
    if (!run) {
      run = { records: [] };
      this.runs.set(record.run, run);
    }
    if (run.missedUpTo !== undefined || this.bytes + record.bytes > this.maxBytes) {
      run.missedUpTo = number;
      return;
    }
    run.records.push({ record, number });
    this.bytes += record.bytes;
  }

  /** Records the store refused: they are not in the queue. */
  lost(records: readonly OutboxRecord[]): void {
    const ids = new Set(records.map((record) => record.id));
    for (const run of this.runs.values()) this.keep(run, (entry) => !ids.has(entry.record.id));
  }

  /**
   * A batch this page claimed (copies as the store returns them, with batch key and lease). It
   * is its run's head: whatever the window holds of that run before it has left the queue.
   */
  claimed(records: readonly OutboxRecord[]): void {
    if (records.length === 0) return;
    const runKey = records[0].run;
    // A run's earlier leases of this page ended: their batch was acked or is this one again.
    for (const [id, lease] of this.leases) if (lease.record.run === runKey) this.leases.delete(id);
    for (const record of records) this.leases.set(record.id, { record: { ...record }, leaseUntil: record.leaseUntil ?? 0 });
    const run = this.runs.get(runKey);
    if (!run) return;
    const head = run.records.findIndex((entry) => entry.record.id === records[0].id);
    if (head < 0) {
      // The head is not among the records held (past them, for a run that missed records): what
      // follows the claimed batch is unknown here until everything appended so far has left.
      run.missedUpTo = Math.max(run.missedUpTo ?? 0, lastNumber(run));
      this.keep(run, () => false);
      return;
    }
    this.dropFirst(run, head);
    const batches = new Map(records.map((record) => [record.id, record.batch]));
    for (const entry of run.records) if (batches.has(entry.record.id)) entry.record.batch = batches.get(entry.record.id);
  }

  /** Records removed from the queue (delivered or dropped): they and what preceded them have left. */
  acked(ids: readonly string[]): void {
    const gone = new Set(ids);
    for (const id of ids) this.leases.delete(id);
    for (const run of this.runs.values()) {
      let last = -1;
      run.records.forEach((entry, index) => {
        if (gone.has(entry.record.id)) last = index;
      });
      if (last >= 0) this.dropFirst(run, last + 1);
    }
  }

  /** Leases ended early; the records stay queued under their batch key. */
  released(ids: readonly string[]): void {
    for (const id of ids) this.leases.delete(id);
  }

  /** Batch keys removed (413 split): the records will be regrouped. */
  unbatched(ids: readonly string[]): void {
    const regrouped = new Set(ids);
    for (const id of ids) this.leases.delete(id);
    for (const run of this.runs.values()) for (const entry of run.records) if (regrouped.has(entry.record.id)) delete entry.record.batch;
  }

  /**
   * A claim found nothing to send: every record appended up to `committedUpTo` has left the queue
   * or is another tab's to send (Outbox `idle`). A run that missed records takes new ones again
   * once all it missed is among them.
   */
  idle(committedUpTo: number, now: number): void {
    for (const [id, lease] of this.leases) if (lease.leaseUntil <= now) this.leases.delete(id);
    for (const [key, run] of this.runs) {
      this.keep(run, (entry) => entry.number > committedUpTo);
      if (run.missedUpTo !== undefined && run.missedUpTo <= committedUpTo) delete run.missedUpTo;
      if (run.records.length === 0 && run.missedUpTo === undefined) this.runs.delete(key);
    }
  }

  /**
   * Each run's records in the order they must leave, head first: the batches this page holds
   * leased, then what the window holds after them. A run whose leased head has run out of lease
   * (another sender may have it now) is left out, as are records that have a lease of this page
   * that ran out.
   */
  sequences(now: number): Array<{ run: string; records: OutboxRecord[] }> {
    const leasedByRun = new Map<string, OutboxRecord[]>();
    const expiredRuns = new Set<string>();
    for (const lease of this.leases.values()) {
      if (lease.leaseUntil <= now) expiredRuns.add(lease.record.run);
      const list = leasedByRun.get(lease.record.run) ?? [];
      list.push(lease.record);
      leasedByRun.set(lease.record.run, list);
    }
    const result: Array<{ run: string; records: OutboxRecord[] }> = [];
    for (const run of new Set([...leasedByRun.keys(), ...this.runs.keys()])) {
      if (expiredRuns.has(run)) continue;
      const leased = (leasedByRun.get(run) ?? []).sort((a, b) => a.seq - b.seq);
      const leasedIds = new Set(leased.map((record) => record.id));
      const rest = (this.runs.get(run)?.records ?? []).map((entry) => entry.record).filter((record) => !leasedIds.has(record.id));
      const records = [...leased, ...rest];
      if (records.length > 0) result.push({ run, records });
    }
    return result;
  }

  /** The leases this page holds that have not run out, one entry per batch. */
  liveLeases(now: number): Array<{ ids: string[]; leaseUntil: number }> {
    const byBatch = new Map<string, { ids: string[]; leaseUntil: number }>();
    for (const [id, lease] of this.leases) {
      if (lease.leaseUntil <= now) continue;
      const key = lease.record.batch ?? id;
      const entry = byBatch.get(key) ?? { ids: [], leaseUntil: lease.leaseUntil };
      entry.ids.push(id);
      byBatch.set(key, entry);
    }
    return [...byBatch.values()];
  }

  /** Record bytes held now (tests and stats of the bound). */
  get heldBytes(): number {
    return this.bytes;
  }

  private dropFirst(run: RunWindow, count: number): void {
    for (const entry of run.records.splice(0, count)) this.bytes -= entry.record.bytes;
  }

  private keep(run: RunWindow, keep: (entry: WindowRecord) => boolean): void {
    const kept: WindowRecord[] = [];
    for (const entry of run.records) {
      if (keep(entry)) kept.push(entry);
      else this.bytes -= entry.record.bytes;
    }
    run.records = kept;
  }
}

interface WindowRecord {
  record: OutboxRecord;
  number: number;
}

interface RunWindow {
  /** Not yet left the queue, contiguous from the run's head, in append order. */
  records: WindowRecord[];
  /** Append number of the newest record of this run the window did not take. */
  missedUpTo?: number;
}

interface Lease {
  record: OutboxRecord;
  leaseUntil: number;
}

function lastNumber(run: RunWindow): number {
  return run.records.length > 0 ? run.records[run.records.length - 1].number : 0;
}

/**
 * The store as the sender and the hide path see it: claims, acks, releases and regroupings are
 * told to `window` once the store has done them, and `beforeClaim` runs before every claim (the
 * leases a closed page left, released; see exit-leases.ts).
 */
export function watchedStore(
  store: OutboxStore,
  window: ExitWindow,
  beforeClaim: (store: OutboxStore, now: number) => Promise<void> | undefined,
): OutboxStore {
  const claim = (options: ClaimOptions) =>
    store.claim(options).then((records) => {
      window.claimed(records);
      return records;
    });
  return {
    get kind() {
      return store.kind;
    },
    append: (records, caps) => store.append(records, caps),
    // No extra step unless there is something to release: claims keep their pace.
    claim: (options) => beforeClaim(store, options.now)?.then(() => claim(options)) ?? claim(options),
    ack: async (ids, meta) => {
      await store.ack(ids, meta);
      window.acked(ids);
    },
    release: async (ids) => {
      await store.release(ids);
      window.released(ids);
    },
    unbatch: async (ids) => {
      await store.unbatch(ids);
      window.unbatched(ids);
    },
    count: () => store.count(),
    getMeta: (key) => store.getMeta(key),
    setMeta: (key, value) => store.setMeta(key, value),
    nextSeq: () => store.nextSeq(),
    close: () => store.close(),
  };
}
