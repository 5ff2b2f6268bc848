import type { OutboxRecord } from './records';
import type { OutboxStore } from './store';

/** What one drain of the queue needs from its sender. */
export interface DrainSteps {
  /** Requests in flight at most. */
  readonly maxInFlight: number;
  /** A new claim may start (not stopped, not paused or backing off). */
  mayClaim(): boolean;
  /** Resolves once every append made so far is in the store; gives the append count it covers. */
  committed(): Promise<number>;
  store(): Promise<OutboxStore>;
  /** One claim; undefined when it failed (the sender backs off). */
  claim(store: OutboxStore): Promise<OutboxRecord[] | undefined>;
  /** Sends a batch in its turn and applies the outcome; whether it left the queue. May reject if the store fails. */
  deliver(store: OutboxStore, records: OutboxRecord[], turn: BatchTurn): Promise<boolean>;
  /** The store failed while a batch was settled: its lease runs out and it goes again under its key. */
  storeFailed(error: unknown): void;
  /** Counts the batches out, from claim until settled. */
  readonly out: BatchesOut;
  /** A claim found nothing while nothing of ours was out; `committedUpTo` is what `committed()` gave before it. */
  idle(committedUpTo: number): Promise<void>;
}

/** A batch's place behind the run's earlier batch, which `deliver` keeps. */
export interface BatchTurn {
  /**
   * Resolves once the run's earlier batch has left the queue (true), or settled without leaving
   * (false: this batch has been released under its key and goes after it; `deliver` sends nothing).
   */
  wait(): Promise<boolean>;
  /**
   * The server took this batch: the run's next batch may leave now, while this one's ack is still
   * being written (the ack is on the client's side only, and the server keeps the order it got).
   * True when a next batch waits for it (it is ready to leave).
   */
  accepted(): boolean;
  /**
   * This batch goes back to the queue (a retry, a split, a pause): the run's next batch goes back
   * too. Called before its records are released, so a claim that takes them again never waits
   * behind this batch.
   */
  returned(): void;
}

/**
 * Claims while fewer than `maxInFlight` batches are out and claiming is allowed, then waits for one
 * to settle; ends when a claim finds nothing with nothing out (idle), or when claiming stops and
 * everything out has settled.
 *
 * Two batches of one run are never on the wire together: the later is claimed and its request
 * built while the earlier is at the server, and leaves as soon as the server has taken the earlier
 * (BatchTurn); if the earlier did not leave (a retry, a split, a pause), the later is released
 * under its key and goes after it. So the server stores a run's records in the order they were
 * logged, failures or not. Should the earlier's ack then fail to be written (a store failure), the
 * earlier goes again after its lease, as it would alone.
 */
export async function drain(steps: DrainSteps): Promise<void> {
  const out = new Set<Promise<unknown>>();
  /** Per run, its latest batch out: resolves with whether that batch left the queue. */
  const lastOfRun = new Map<string, Flight>();
  /** Batches out at once, once the store is known (inFlightLimit). */
  let limit = steps.maxInFlight;
  for (;;) {
    let claimed: 'batch' | 'none' | 'not now' = 'not now';
    if (out.size < limit && steps.mayClaim()) {
      // Only a claim made with nothing of ours out may call the queue idle: a batch out during it
      // may have kept its run's next records back.
      const alone = out.size === 0;
      const committedUpTo = await steps.committed();
      const store = await steps.store();
      limit = inFlightLimit(steps.maxInFlight, store);
      const records = steps.mayClaim() ? await steps.claim(store) : undefined;
      if (records && records.length > 0) {
        claimed = 'batch';
        const run = records[0].run;
        const flight = fly(steps, store, records, lastOfRun.get(run));
        lastOfRun.set(run, flight);
        // A batch that went back to the queue holds nothing up: its records are claimed again later.
        void flight.left.then((gone) => {
          if (!gone && lastOfRun.get(run) === flight) lastOfRun.delete(run);
        });
        const settled: Promise<unknown> = flight.done.then(() => {
          out.delete(settled);
          if (lastOfRun.get(run) === flight) lastOfRun.delete(run);
        });
        out.add(settled);
        continue;
      }
      if (records) {
        claimed = 'none';
        if (alone) return steps.idle(committedUpTo);
      }
    }
    if (out.size === 0) return;
    await Promise.race(out);
    if (claimed === 'not now' && !steps.mayClaim()) {
      await Promise.all(out);
      return;
    }
  }
}

/** A batch out: `left` resolves with whether it left the queue, as early as the server took it; `done` once it is settled. Neither rejects. */
interface Flight {
  left: Promise<boolean>;
  done: Promise<void>;
  /** A later batch of the run waits for this one. */
  followed: boolean;
}

/** Sends a claimed batch in its turn behind `earlier`. */
function fly(steps: DrainSteps, store: OutboxStore, records: OutboxRecord[], earlier: Flight | undefined): Flight {
  steps.out.started(records);
  if (earlier) earlier.followed = true;
  let markLeft: (left: boolean) => void = () => {};
  const left = new Promise<boolean>((resolve) => (markLeft = resolve));
  const flight: Flight = { left, done: Promise.resolve(), followed: false };
  const turn: BatchTurn = {
    async wait() {
      if (!earlier || (await earlier.left)) return true;
      markLeft(false);
      await store.release(records.map((record) => record.id));
      return false;
    },
    accepted: () => {
      markLeft(true);
      return flight.followed;
    },
    returned: () => markLeft(false),
  };
  flight.done = (async () => {
    try {
      markLeft(await steps.deliver(store, records, turn));
    } catch (error) {
      steps.storeFailed(error);
      markLeft(false);
    } finally {
      steps.out.landed(records);
    }
  })();
  return flight;
}

/** The records of the batches claimed and not yet settled (`stats().inFlight`). */
export class BatchesOut {
  #records = 0;
  readonly #batches = new WeakSet<readonly OutboxRecord[]>();

  get records(): number {
    return this.#records;
  }

  started(records: readonly OutboxRecord[]): void {
    this.#records += records.length;
    this.#batches.add(records);
  }

  /** The batch is settled; counted once, however many paths settle it. */
  landed(records: readonly OutboxRecord[]): void {
    if (this.#batches.delete(records)) this.#records -= records.length;
  }
}

/**
 * IndexedDB takes one batch at a time: its read-write transactions on the queue run one after
 * another, so a claim made while a batch is out waits behind that batch's ack and reads the leased
 * batch again (a 100,000-point next load, F08, took 30 s with two out against 8 s with one).
 */
function inFlightLimit(maxInFlight: number, store: OutboxStore): number {
  return store.kind === 'indexeddb' ? 1 : maxInFlight;
}
