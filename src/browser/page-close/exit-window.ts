import type { OutboxRecord } from '../../outbox/records';
import type { ClaimOptions, OutboxStore } from '../../outbox/store';

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
 * queue empty (the window learns of both at this page's next claim or empty claim). So while
 * another page may be live, a close sends only the runs this page holds leased: see `sequences`.
 */
export class ExitWindow {
  readonly #runs = new Map<string, RunWindow>();
  #bytes = 0;
  #lastNumber = 0;

  constructor(private readonly maxBytes: number = EXIT_WINDOW_BYTES) {}

  /** A record appended by this page; `number` is its append number (see GroupCommit). */
  appended(record: OutboxRecord, number: number): void {
    const run = this.#run(record.run);
    this.#lastNumber = number;
    if (run.missedUpTo !== undefined || this.#bytes + record.bytes > this.maxBytes) run.missedUpTo = number;
    else this.#add(run, [{ record, number }]);
  }

  /** Records the store refused: they are not in the queue. */
  lost(records: readonly OutboxRecord[]): void {
    const ids = new Set(records.map((record) => record.id));
    for (const run of this.#runs.values()) this.#keep(run, (entry) => !ids.has(entry.record.id));
  }

  /**
   * A batch this page claimed (copies as the store returns them, with batch key and lease). It
   * is its run's head: whatever the window holds of that run before it has left the queue.
   */
  claimed(records: readonly OutboxRecord[]): void {
    if (records.length === 0) return;
    const run = this.#run(records[0].run);
    const head = run.entries.findIndex((entry) => entry.record.id === records[0].id);
    if (head < 0) {
      // Another page's run, or the head lies past what the window holds (a run that missed
      // records): the batch alone is known; what follows it is unknown here until everything
      // appended so far has left. Copies of the batch count as appended after everything.
      run.missedUpTo = this.#lastNumber;
      this.#keep(run, () => false);
      this.#add(
        run,
        records.map((record) => ({ record: { ...record }, number: Infinity })),
      );
    } else {
      this.#keep(run, (_entry, index) => index >= head);
    }
    const claimed = new Map(records.map((record) => [record.id, record]));
    for (const entry of run.entries) {
      const copy = claimed.get(entry.record.id);
      if (copy) [entry.record.batch, entry.leaseUntil] = [copy.batch, copy.leaseUntil];
    }
  }

  /** Records removed from the queue (delivered or dropped): they and what preceded them have left. */
  acked(ids: readonly string[]): void {
    const gone = new Set(ids);
    for (const run of this.#runs.values()) {
      let last = -1;
      run.entries.forEach((entry, index) => {
        if (gone.has(entry.record.id)) last = index;
      });
      this.#keep(run, (_entry, index) => index > last);
    }
  }

  /**
   * Leases ended early, the records stay queued (`unbatch`: without their batch key, to be
   * regrouped). A batch of another page's run is forgotten: someone else may send it next.
   */
  released(ids: readonly string[], unbatch = false): void {
    const ended = new Set(ids);
    for (const run of this.#runs.values()) {
      this.#keep(run, (entry) => !ended.has(entry.record.id) || entry.number !== Infinity);
      for (const entry of run.entries) {
        if (!ended.has(entry.record.id)) continue;
        delete entry.leaseUntil;
        if (unbatch) delete entry.record.batch;
      }
    }
  }

  /**
   * A claim found nothing to send: every record appended up to `committedUpTo` has left the queue
   * or is another tab's to send (Outbox `idle`), and leases that ran out are over. A run that
   * missed records takes new ones again once all it missed is among them.
   */
  idle(committedUpTo: number, now: number): void {
    for (const [key, run] of this.#runs) {
      this.#keep(run, (entry) => entry.number > committedUpTo && !(entry.number === Infinity && !((entry.leaseUntil ?? 0) > now)));
      if (run.missedUpTo !== undefined && run.missedUpTo <= committedUpTo) delete run.missedUpTo;
      if (run.entries.length === 0 && run.missedUpTo === undefined) this.#runs.delete(key);
    }
  }

  /**
   * Each run's records in the order they must leave, head first. A run holding a lease of this
   * page that ran out is left out: another sender may have it now.
   *
   * `leasedOnly` (another page may be sending from the queue): only the runs whose head this page
   * holds leased. A live lease on a run's head keeps every other sender off the whole run
   * (selectBatch), and the claim that took it told the window what had left before it, so no
   * record of such a run can be another page's; any other run's records may have been claimed,
   * even sent and acked, by the other page since this page last looked.
   */
  sequences(now: number, leasedOnly?: boolean): RunSequence[] {
    const result: RunSequence[] = [];
    for (const [run, { entries, missedUpTo }] of this.#runs) {
      if (entries.length > 0 && !(leasedOnly && !(entries[0].leaseUntil! > now)) && !entries.some((entry) => entry.leaseUntil !== undefined && entry.leaseUntil <= now)) {
        result.push({ run, records: entries.map((entry) => entry.record), complete: missedUpTo === undefined });
      }
    }
    return result;
  }

  /** The leases this page holds that have not run out, one entry per batch. */
  liveLeases(now: number): Array<{ ids: string[]; leaseUntil: number }> {
    const byBatch = new Map<unknown, { ids: string[]; leaseUntil: number }>();
    for (const { entries } of this.#runs.values()) {
      for (const { record, leaseUntil } of entries) {
        if (!(leaseUntil! > now)) continue;
        const lease = byBatch.get(record.batch) ?? { ids: [], leaseUntil: leaseUntil! };
        lease.ids.push(record.id);
        byBatch.set(record.batch, lease);
      }
    }
    return [...byBatch.values()];
  }

  #run(key: string): RunWindow {
    let run = this.#runs.get(key);
    if (!run) this.#runs.set(key, (run = { entries: [] }));
    return run;
  }

  #add(run: RunWindow, entries: WindowEntry[]): void {
    for (const entry of entries) {
      run.entries.push(entry);
      this.#bytes += entry.record.bytes;
    }
  }

  #keep(run: RunWindow, keep: (entry: WindowEntry, index: number) => boolean): void {
    run.entries = run.entries.filter((entry, index) => keep(entry, index) || ((this.#bytes -= entry.record.bytes), false));
  }
}

/** A run's records head first; `complete`: no record of the run queued after them is missing. */
export interface RunSequence {
  run: string;
  records: OutboxRecord[];
  complete: boolean;
}

interface WindowEntry {
  record: OutboxRecord;
  /** Append number; `Infinity` for a claimed copy of a record the window did not hold. */
  number: number;
  /** Set while this page holds the record leased. */
  leaseUntil?: number;
}

interface RunWindow {
  /** Not yet left the queue, contiguous from the run's head, in append order. */
  entries: WindowEntry[];
  /** Append number of the newest record of this run the window did not take. */
  missedUpTo?: number;
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
      window.released(ids, true);
    },
    count: () => store.count(),
    getMeta: (key) => store.getMeta(key),
    setMeta: (key, value) => store.setMeta(key, value),
    nextSeq: () => store.nextSeq(),
    close: () => store.close(),
  };
}
