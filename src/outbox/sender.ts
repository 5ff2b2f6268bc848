import { errorKindForStatus, type PolyaxonError, type PolyaxonErrorKind } from '../runtime/errors';
import { exchange, lookupUser, requestTimeoutMs, TRANSPORT_GRACE_MS } from './exchange';
import { logger } from '../runtime/logger';
import { nextTask } from '../runtime/next-task';
import type { Trouble } from '../runtime/trouble';
import { errorFor, pathOf, TroubleReport } from './report';
import { createMissingProject, waitingOutcome, type ProjectCreator } from './create-project';
import { BatchSizer } from './batch-sizer';
import { BatchesOut, drain, type BatchTurn } from './drain';
import { LEASE_MARGIN_MS, type ResolvedOutboxOptions } from './options';
import { REFUSAL_STATUS, type CredentialsRefusal, type DropReason, type Outcome } from './policy';
import { releaseBodies, type OutboxRecord } from './records';
import { requestForBatch, whoAmIRequest, type OutboxRequest, type ResolvedTarget } from './requests';
import type { RunTargets, UserLookup } from './run-targets';
import { SendGate, unrefTimeout, type PauseReason } from './send-gate';
import type { ClientSettings } from '../runtime/settings';
import type { OutboxStore } from './store';

export type { PauseReason } from './send-gate';

/** What the sender needs from the outbox around it. */
export interface SenderHost {
  /** Resolves once every append made so far is in the store; gives the append count it covers. */
  committed(): Promise<number>;
  store(): Promise<OutboxStore>;
  /** Records left the queue: delivered, or dropped for `reason`. */
  settled(records: readonly OutboxRecord[], reason?: DropReason): void;
  /** A claim found nothing to send; `committedUpTo` is what `committed()` gave before it. */
  idle(committedUpTo: number): Promise<void>;
  /** A failure worth showing in `stats().lastError`; `notify` also tells `onError`. */
  failed(error: PolyaxonError, notify: boolean): void;
}

/**
 * Requests in flight at once: two, so the next batch is claimed and built while the server takes
 * the last. Two batches of one run are never on the wire together: the later waits for the
 * earlier's answer, so the server stores a run's records in the order they were logged.
 */
export const MAX_REQUESTS_IN_FLIGHT = 2;
/** A missing project or experiment (404) is asked for again this often; its records wait meanwhile. */
export const MISSING_RETRY_MS = 30_000;
/**
 * A batch this large takes milliseconds to claim and again to build into a request (10,000 points:
 * tens of milliseconds each), so each step starts in a task of its own: the page or the training
 * loop gets a turn between them, and between the earlier batch's ack and the next claim (all in
 * one turn they held the thread for 100 ms and more). Smaller batches go on at once.
 */
const LARGE_BATCH_RECORDS = 1_000;

/**
 * Drains the store: claims batches (leased, so no other tab or process sends them), sends them,
 * and applies the policy's outcome; up to MAX_REQUESTS_IN_FLIGHT at once. A batch of a run waits
 * for the answer to the run's earlier batch, and a status, PATCH or final status is only claimed
 * once every earlier record of its run is acknowledged (select-batch.ts), so each run keeps its
 * order. A 429 or an outage stops everything at once (F03).
 */
export class Sender {
  readonly #gate: SendGate;
  #loop: Promise<void> | undefined;
  #again = false;
  #soonAfterLoop = false;
  #stopped = false;
  /** Records the last claim gave: after a large one, the next claim starts in a new task. */
  #lastClaimCount = 0;
  #intervalTimer: ReturnType<typeof setTimeout> | undefined;
  #pollTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #sizer: BatchSizer;
  readonly #out = new BatchesOut();
  readonly #report: TroubleReport;
  readonly #creator: ProjectCreator;

  constructor(
    private readonly options: ResolvedOutboxOptions,
    private readonly host: SenderHost,
    private readonly targets: RunTargets,
  ) {
    this.#gate = new SendGate(options, () => this.kick());
    this.#sizer = new BatchSizer({ count: options.maxBatchCount, bytes: options.maxBatchBytes });
    this.#report = new TroubleReport(options.settings, (error, notify) => host.failed(error, notify));
    this.#creator = { options, lookupUser: (settings) => this.lookupUser(settings), knownUser: (settings) => targets.knownUser(settings), tried: new Set() };
  }

  get inFlight(): number {
    return this.#out.records;
  }

  /** Working through the queue: claiming, sending or settling, until a claim finds nothing. */
  get sending(): boolean {
    return this.#loop !== undefined;
  }

  get pausedReason(): PauseReason | undefined {
    return this.#gate.pausedReason;
  }

  /** When the current backoff ends (clock time), if one is running. */
  get retryAt(): number | undefined {
    return this.#gate.retryAt;
  }

  /** Sends now, unless paused or backing off. */
  kick(): void {
    if (this.#stopped || this.#gate.isClosed) return;
    if (this.#loop) {
      this.#again = true;
      return;
    }
    clearTimeout(this.#intervalTimer);
    this.#intervalTimer = undefined;
    this.#loop = this.#drain()
      .catch((error: unknown) => logger.debug('sender stopped on an unexpected error', error))
      .finally(() => {
        this.#loop = undefined;
        const soon = this.#soonAfterLoop;
        this.#soonAfterLoop = false;
        if (this.#again) {
          this.#again = false;
          this.kick();
        } else if (soon) {
          this.soon();
        }
      });
  }

  /** Sends after `flushIntervalMs`, so metrics and logs of that interval go as one request. */
  soon(): void {
    if (this.#loop) {
      // The loop may already have found the store empty: look again after it ends.
      this.#soonAfterLoop = true;
      return;
    }
    if (this.#intervalTimer || this.#stopped) return;
    this.#intervalTimer = unrefTimeout(this.options.runtime, this.options.flushIntervalMs, () => {
      this.#intervalTimer = undefined;
      this.kick();
    });
  }

  /** Checks again later for records someone else holds leased (a tab or process that may die). */
  pollLater(): void {
    if (this.#stopped || this.#pollTimer) return;
    this.#pollTimer = unrefTimeout(this.options.runtime, Math.max(this.options.flushIntervalMs, 1_000), () => {
      this.#pollTimer = undefined;
      this.kick();
    });
  }

  pause(): void {
    this.#gate.pause();
  }

  /** Ends a manual pause and a pause for refused credentials (F07), then sends. */
  resume(): void {
    this.#gate.resume();
    this.kick();
  }

  setOnline(online: boolean): void {
    this.#gate.setOnline(online);
    this.kick();
  }

  /** `GET users/` through the same transport and policy as every record request. */
  lookupUser(settings: ClientSettings): Promise<UserLookup> {
    return lookupUser(this.options, settings);
  }

  /** Stops for good; a request in flight finishes, nothing new starts. Resolves when idle. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#gate.stop();
    this.#clearTimers();
    await this.#loop;
  }

  #drain(): Promise<void> {
    return drain({
      maxInFlight: MAX_REQUESTS_IN_FLIGHT,
      mayClaim: () => !this.#stopped && !this.#gate.isClosed,
      committed: () => this.host.committed(),
      store: () => this.host.store(),
      claim: (store) => this.#claim(store),
      deliver: (store, records, turn) => this.#deliver(store, records, turn),
      storeFailed: (error) => {
        logger.debug('store failed while settling a batch', error);
        this.#gate.backOff();
      },
      out: this.#out,
      idle: (committedUpTo) => this.host.idle(committedUpTo),
    });
  }

  async #claim(store: OutboxStore): Promise<OutboxRecord[] | undefined> {
    if (this.#lastClaimCount >= LARGE_BATCH_RECORDS) await nextTask();
    try {
      const under = this.#sizer.limits;
      const records = await store.claim({
        owner: this.options.owner,
        leaseMs: this.#leaseMs(),
        now: this.options.clock.now(),
        ...this.#sizer.claimLimits,
        runBatchesInFlight: MAX_REQUESTS_IN_FLIGHT,
      });
      this.#sizer.claimed(records, under);
      this.#lastClaimCount = records.length;
      return records;
    } catch (error) {
      logger.debug('claim failed; trying again later', error);
      this.#gate.backOff();
      return undefined;
    }
  }

  /**
   * Sends one batch in its turn and applies the outcome; resolves with whether the batch left the
   * queue. The request is built before the turn comes (while the run's earlier batch is at the
   * server), so the server waits for nothing of ours but the send.
   */
  async #deliver(store: OutboxStore, records: OutboxRecord[], turn: BatchTurn): Promise<boolean> {
    const settings = this.options.settings();
    const resolution = await this.targets.resolve(records[0], settings);
    let request: OutboxRequest | undefined;
    let unsendable: Error | undefined;
    if (resolution.kind === 'ready') {
      if (records.length >= LARGE_BATCH_RECORDS) await nextTask();
      try {
        request = requestForBatch(records, resolution.target, settings);
        if (store.claimsCopies) releaseBodies(records);
      } catch (error) {
        unsendable = error as Error;
      }
    }
    if (!(await turn.wait())) return false;
    if (resolution.kind === 'drop') {
      await this.#drop(store, records, resolution.reason, resolution.message);
      return true;
    }
    if (resolution.kind === 'blocked') {
      // A refused `GET users/` says nothing about these records: they wait, they do not go.
      turn.returned();
      await this.#apply(store, records, waitingOutcome(resolution.outcome), whoAmIRequest(settings));
      return false;
    }
    if (!request) {
      await this.#drop(store, records, 'rejected', unsendable?.message ?? 'the request could not be built');
      return true;
    }
    const startedAt = this.options.clock.now();
    const outcome = await exchange(this.options, request, records.length);
    this.#sizer.timed(records, outcome, this.options.clock.now() - startedAt);
    // The run's next batch leaves before this one's ack is written: the server then works on it
    // while the client writes the ack and claims the batch after it.
    if (outcome.kind === 'ok') {
      if (turn.accepted()) await nextTask();
    } else if (outcome.kind !== 'drop') turn.returned();
    await this.#apply(store, records, outcome, request, resolution.target);
    return outcome.kind === 'ok' || outcome.kind === 'drop';
  }

  async #apply(store: OutboxStore, records: OutboxRecord[], outcome: Outcome, request: OutboxRequest, target?: ResolvedTarget): Promise<void> {
    const ids = records.map((record) => record.id);
    const first = records[0];
    switch (outcome.kind) {
      case 'ok': {
        if (first.kind === 'create' && target) {
          const id = (outcome.body as { id?: unknown } | undefined)?.id;
          if (typeof id !== 'number') return this.#drop(store, records, 'rejected', 'the create answer has no experiment id', request);
          const meta = this.targets.createdMeta(first.run, target, id);
          await store.ack(ids, meta);
          this.targets.created(first.run, { user: target.user, project: target.project, id });
        } else {
          await store.ack(ids);
        }
        this.#answered();
        this.#out.landed(records);
        this.host.settled(records);
        return;
      }
      case 'retry':
        await store.release(ids);
        return this.#retryLater(outcome, request);
      case 'missing':
        await store.release(ids);
        return this.#missing(records, outcome.message, request, target);
      case 'split': {
        await store.unbatch(ids);
        await store.release(ids);
        this.#sizer.split(records.length, outcome.reason);
        logger.debug(`${request.method} ${request.url} answered ${outcome.status} for ${records.length} records; sending them in halves: ${outcome.message}`);
        return;
      }
      case 'pause': {
        await store.release(ids);
        this.#pauseForCredentials(outcome.reason, outcome.message, request, first);
        return;
      }
      case 'drop':
        return this.#drop(store, records, outcome.reason, outcome.message, request, outcome.status);
    }
  }

  async #drop(store: OutboxStore, records: OutboxRecord[], reason: DropReason, message: string, request?: OutboxRequest, status?: number): Promise<void> {
    const first = records[0];
    const error = errorFor(status ? errorKindForStatus(status) : 'bad_request', status ?? 0, request, message);
    const rejected = first.kind === 'create' ? this.targets.rejectedMeta(first.run, projectOf(first), message) : undefined;
    await store.ack(records.map((record) => record.id), rejected);
    if (first.kind === 'create') this.targets.createFailed(first.run, error, rejected && rejected[Object.keys(rejected)[0]]);
    this.#answered();
    // The refused record that split its batch is found and gone: the others go in full batches again.
    if (reason === 'rejected') this.#sizer.refusedRecordDropped();
    this.#out.landed(records);
    this.host.settled(records, reason);
    this.#report.failed(error, true);
    logger.warnOnce(`outbox-drop-${reason}`, `dropped ${first.kind} record(s) (${reason}): ${message}`);
  }

  #retryLater(outcome: Extract<Outcome, { kind: 'retry' }>, request: OutboxRequest): void {
    const kind: PolyaxonErrorKind = outcome.status !== undefined ? errorKindForStatus(outcome.status) : outcome.reason === 'timeout' ? 'timeout' : 'network';
    // No answer at all: say once where and what to do (a 5xx is the server's own trouble, retried quietly).
    const trouble: Trouble | undefined =
      outcome.status !== undefined ? undefined : kind === 'timeout' ? { kind: 'no_answer', timeoutMs: requestTimeoutMs(this.options) } : { kind: 'unreachable', message: outcome.message };
    this.#report.failed(errorFor(kind, outcome.status ?? 0, request, outcome.message, trouble && this.#report.tell(trouble)), false);
    this.#gate.backOffFor(outcome);
    logger.debug(`${request.method} ${request.url} will be retried: ${outcome.message}`);
  }

  /**
   * 404 (F36): nothing is dropped, ever. A missing project is created when the create record
   * allows it (createProject) and the create goes again at once; otherwise the records wait, the
   * line says which project and how to fix it, and the server is asked again every MISSING_RETRY_MS.
   */
  async #missing(records: OutboxRecord[], message: string, request: OutboxRequest, target: ResolvedTarget | undefined): Promise<void> {
    const first = records[0];
    if (!target) return this.#retryLater({ kind: 'retry', reason: 'server', message, status: 404 }, request);
    const settings = this.options.settings();
    const project = `${target.user}/${target.project}`;
    let trouble: Trouble;
    if (first.kind === 'create') {
      const attempt = await createMissingProject(this.#creator, first, target, settings);
      if (attempt.kind === 'created') return this.#answered();
      if (attempt.kind === 'retry') {
        if (attempt.outcome.kind === 'retry') return this.#retryLater(attempt.outcome, attempt.request);
        return this.#pauseForCredentials(attempt.outcome.reason, attempt.outcome.message, attempt.request, first);
      }
      trouble = { kind: 'project_missing', project, message, notCreated: attempt.notCreated };
    } else {
      trouble = { kind: 'experiment_missing', project, id: target.id ?? 0, message };
    }
    const help = this.#report.tell(trouble);
    this.#report.failed(errorFor('not_found', 404, request, message, help), true);
    this.#gate.backOff(MISSING_RETRY_MS);
  }

  #pauseForCredentials(reason: CredentialsRefusal, message: string, request: OutboxRequest, first: OutboxRecord): void {
    const status = REFUSAL_STATUS[reason];
    const trouble: Trouble = reason === 'unauthenticated' ? { kind: 'unauthenticated', status: 401, message } : { kind: 'forbidden', status: 403, message, path: pathOf(request.url) };
    const error = errorFor(reason, status, request, message, this.#report.tell(trouble));
    if (first.kind === 'create') this.targets.createFailed(first.run, error);
    if (!this.#gate.pauseForCredentials(reason)) return;
    this.#report.failed(error, true);
  }

  /** The server answered (or the batch left): the backoff streak ends, a 413 limit may grow back. */
  #answered(): void {
    this.#gate.answered();
    this.#sizer.answered();
  }

  /** A lease outlives its request, so a slow answer is never sent a second time by another owner. */
  #leaseMs(): number {
    return Math.max(this.options.leaseMs, requestTimeoutMs(this.options) + TRANSPORT_GRACE_MS + LEASE_MARGIN_MS);
  }

  #clearTimers(): void {
    clearTimeout(this.#intervalTimer);
    clearTimeout(this.#pollTimer);
    this.#intervalTimer = this.#pollTimer = undefined;
  }
}

function projectOf(record: OutboxRecord): string {
  const target = (record.body as { target?: { project?: unknown } } | null)?.target;
  return typeof target?.project === 'string' ? target.project : '';
}
