import { backoffDelayMs } from './backoff';
import { PolyaxonError, errorKindForStatus, type PolyaxonErrorKind } from './errors';
import { logger } from './logger';
import type { ResolvedOutboxOptions } from './outbox-options';
import { LEASE_MARGIN_MS } from './outbox-options';
import { outcomeForFailure, outcomeForResponse, type DropReason, type Outcome, type PauseReason } from './policy';
import type { OutboxRecord } from './records';
import { requestForBatch, whoAmIRequest, type OutboxRequest, type ResolvedTarget } from './requests';
import type { RunTargets, UserLookup } from './run-targets';
import { getEnvironment } from './runtime';
import type { ClientSettings } from './settings';
import type { OutboxStore } from './store';
import { TransportFailure } from './transport';

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

export type PausedReason = 'manual' | 'offline' | PauseReason;

/** A request that got no answer at all still resolves within its timeout plus this. */
const TRANSPORT_GRACE_MS = 1_000;
/** After this many deliveries in a row, a batch size reduced by 413 doubles again. */
const SPLIT_RECOVERY_SENDS = 10;

/**
 * Drains the store: claims one batch at a time (leased, so no other tab or process sends it),
 * sends it, and applies the policy's outcome. One request in flight per outbox keeps the order of
 * each run trivially, and a 429 or an outage stops everything at once (F03).
 */
export class Sender {
  private loop: Promise<void> | undefined;
  private again = false;
  private soonAfterLoop = false;
  private stopped = false;
  private manualPause = false;
  private offline: boolean;
  private authPause: { reason: PauseReason; credentials: Credentials } | undefined;
  private intervalTimer: ReturnType<typeof setTimeout> | undefined;
  private backoffTimer: ReturnType<typeof setTimeout> | undefined;
  private pollTimer: ReturnType<typeof setTimeout> | undefined;
  private retryAtMs: number | undefined;
  private failures = 0;
  private splitMaxCount: number | undefined;
  private sendsSinceSplit = 0;
  private inFlightCount = 0;

  constructor(
    private readonly options: ResolvedOutboxOptions,
    private readonly host: SenderHost,
    private readonly targets: RunTargets,
  ) {
    this.offline = options.startOffline;
  }

  get inFlight(): number {
    return this.inFlightCount;
  }

  get pausedReason(): PausedReason | undefined {
    if (this.authPause) return this.authPause.reason;
    if (this.offline) return 'offline';
    return this.manualPause ? 'manual' : undefined;
  }

  /** When the current backoff ends (clock time), if one is running. */
  get retryAt(): number | undefined {
    return this.retryAtMs;
  }

  /** Sends now, unless paused or backing off. */
  kick(): void {
    if (this.blocked()) return;
    if (this.loop) {
      this.again = true;
      return;
    }
    this.clearTimer('intervalTimer');
    this.loop = this.drain()
      .catch((error: unknown) => logger.debug('sender stopped on an unexpected error', error))
      .finally(() => {
        this.loop = undefined;
        const soon = this.soonAfterLoop;
        this.soonAfterLoop = false;
        if (this.again) {
          this.again = false;
          this.kick();
        } else if (soon) {
          this.soon();
        }
      });
  }

  /** Sends after `flushIntervalMs`, so metrics and logs of that interval go as one request. */
  soon(): void {
    if (this.loop) {
      // The loop may already have found the store empty: look again after it ends.
      this.soonAfterLoop = true;
      return;
    }
    if (this.intervalTimer || this.stopped) return;
    this.intervalTimer = this.timer(this.options.flushIntervalMs, () => {
      this.intervalTimer = undefined;
      this.kick();
    });
  }

  pause(): void {
    this.manualPause = true;
  }

  /** Ends a manual pause and a pause for refused credentials (F07), then sends. */
  resume(): void {
    this.manualPause = false;
    this.authPause = undefined;
    this.clearTimer('pollTimer');
    this.kick();
  }

  setOnline(online: boolean): void {
    this.offline = !online;
    if (!online) return;
    // The browser says the network is back: a wait caused by the outage is moot.
    if (this.failures > 0) this.endBackoff();
    this.kick();
  }

  /** Stops for good; a request in flight finishes, nothing new starts. Resolves when idle. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.clearTimer('intervalTimer');
    this.clearTimer('backoffTimer');
    this.clearTimer('pollTimer');
    await this.loop;
  }

  /** Checks again later for records that someone else holds leased (a tab that may close). */
  pollLater(): void {
    if (this.stopped || this.pollTimer) return;
    this.pollTimer = this.timer(Math.max(this.options.flushIntervalMs, 1_000), () => {
      this.pollTimer = undefined;
      this.kick();
    });
  }

  private blocked(): boolean {
    if (this.stopped || this.manualPause || this.offline || this.backoffTimer) return true;
    if (!this.authPause) return false;
    // Settings are read at send time: a new token (or scheme, or headers) lifts the pause.
    if (sameCredentials(this.options.settings(), this.authPause.credentials)) return true;
    this.authPause = undefined;
    this.clearTimer('pollTimer');
    return false;
  }

  private async drain(): Promise<void> {
    while (!this.blocked()) {
      const committedUpTo = await this.host.committed();
      const store = await this.host.store();
      if (this.blocked()) return;
      let records: OutboxRecord[];
      try {
        records = await store.claim({
          owner: this.options.owner,
          leaseMs: this.leaseMs(),
          now: this.options.clock.now(),
          maxCount: Math.min(this.options.maxBatchCount, this.splitMaxCount ?? Infinity),
          maxBytes: this.options.maxBatchBytes,
        });
      } catch (error) {
        logger.debug('claim failed; trying again later', error);
        this.startBackoff(this.nextBackoffMs());
        return;
      }
      if (records.length === 0) {
        await this.host.idle(committedUpTo);
        return;
      }
      this.inFlightCount = records.length;
      try {
        await this.deliver(store, records);
      } catch (error) {
        // The store failed mid-way (ack, release): the lease runs out and the batch goes again
        // under the same key, which the server deduplicates.
        logger.debug('store failed while settling a batch', error);
        this.startBackoff(this.nextBackoffMs());
      } finally {
        this.inFlightCount = 0;
      }
    }
  }

  private async deliver(store: OutboxStore, records: OutboxRecord[]): Promise<void> {
    const settings = this.options.settings();
    const resolution = await this.targets.resolve(records[0], settings);
    if (resolution.kind === 'drop') return this.drop(store, records, resolution.reason, resolution.message);
    if (resolution.kind === 'blocked') {
      const outcome = resolution.outcome;
      // A refused `GET users/` says nothing about these records: they wait, they do not go.
      const waiting: Outcome = outcome.kind === 'drop' || outcome.kind === 'split' ? { kind: 'retry', reason: 'server', message: 'user lookup failed' } : outcome;
      return this.apply(store, records, waiting, whoAmIRequest(settings));
    }
    let request: OutboxRequest;
    try {
      request = requestForBatch(records, resolution.target, settings);
    } catch (error) {
      return this.drop(store, records, 'rejected', (error as Error).message);
    }
    const outcome = await this.exchange(request, records.length);
    return this.apply(store, records, outcome, request, resolution.target);
  }

  /** `GET users/` for a project named without its owner; the caller caches the answer. */
  async lookupUser(settings: ClientSettings): Promise<UserLookup> {
    const outcome = await this.exchange(whoAmIRequest(settings), 1);
    if (outcome.kind !== 'ok') return { kind: 'failed', outcome };
    const username = (outcome.body as { username?: unknown } | undefined)?.username;
    if (typeof username === 'string' && username) return { kind: 'user', user: username };
    return { kind: 'failed', outcome: { kind: 'retry', reason: 'server', message: 'users/ answered without a username' } };
  }

  private async exchange(request: OutboxRequest, recordCount: number): Promise<Outcome> {
    const timeoutMs = this.requestTimeoutMs();
    let guard: ReturnType<typeof setTimeout> | undefined;
    // A transport that ignores its timeout must not stall the queue (and `close()`) forever.
    const deadline = new Promise<never>((_, reject) => {
      guard = this.timer(timeoutMs + TRANSPORT_GRACE_MS, () => reject(new TransportFailure('timeout', `no answer within ${timeoutMs} ms`)));
    });
    try {
      const response = await Promise.race([this.options.transport({ ...request, timeoutMs }), deadline]);
      return outcomeForResponse(response, {
        recordCount,
        nowMs: this.options.clock.now(),
        minMs: this.options.minRetryAfterMs,
        maxMs: this.options.maxRetryAfterMs,
      });
    } catch (error) {
      if (error instanceof TransportFailure) return outcomeForFailure(error);
      return { kind: 'retry', reason: 'network', message: error instanceof Error ? error.message : String(error) };
    } finally {
      clearTimeout(guard);
    }
  }

  private async apply(
    store: OutboxStore,
    records: OutboxRecord[],
    outcome: Outcome,
    request: OutboxRequest,
    target?: ResolvedTarget,
  ): Promise<void> {
    const ids = records.map((record) => record.id);
    const first = records[0];
    switch (outcome.kind) {
      case 'ok': {
        if (first.kind === 'create' && target) {
          const id = (outcome.body as { id?: unknown } | undefined)?.id;
          if (typeof id !== 'number') return this.drop(store, records, 'rejected', 'the create answer has no experiment id', request);
          const meta = this.targets.createdMeta(first.run, target, id);
          await store.ack(ids, meta);
          this.targets.created(first.run, meta[Object.keys(meta)[0]]);
        } else {
          await store.ack(ids);
        }
        this.delivered();
        this.inFlightCount = 0;
        this.host.settled(records);
        return;
      }
      case 'retry': {
        await store.release(ids);
        this.host.failed(errorFor(outcome.reason === 'timeout' ? 'timeout' : outcome.reason === 'network' ? 'network' : 'server', 0, request, outcome.message), false);
        this.startBackoff(outcome.afterMs ?? this.nextBackoffMs());
        logger.debug(`${request.method} ${request.url} will be retried: ${outcome.message}`);
        return;
      }
      case 'split': {
        await store.unbatch(ids);
        await store.release(ids);
        this.splitMaxCount = Math.ceil(records.length / 2);
        this.sendsSinceSplit = 0;
        return;
      }
      case 'pause': {
        await store.release(ids);
        this.pauseForCredentials(outcome.reason, outcome.message, request, first);
        return;
      }
      case 'drop':
        return this.drop(store, records, outcome.reason, outcome.message, request, outcome.status);
    }
  }

  private async drop(
    store: OutboxStore,
    records: OutboxRecord[],
    reason: DropReason,
    message: string,
    request?: OutboxRequest,
    status?: number,
  ): Promise<void> {
    const first = records[0];
    const error = errorFor(status ? errorKindForStatus(status) : 'bad_request', status ?? 0, request, message);
    const rejected = first.kind === 'create' ? this.targets.rejectedMeta(first.run, projectOf(first), message) : undefined;
    await store.ack(
      records.map((record) => record.id),
      rejected,
    );
    if (first.kind === 'create') this.targets.createFailed(first.run, error, rejected && rejected[Object.keys(rejected)[0]]);
    this.inFlightCount = 0;
    this.host.settled(records, reason);
    this.host.failed(error, true);
    logger.warnOnce(`outbox-drop-${reason}`, `dropped ${first.kind} record(s) (${reason}): ${message}`);
    // The server answered: it is reachable, so the backoff streak ends.
    this.delivered();
  }

  private pauseForCredentials(reason: PauseReason, message: string, request: OutboxRequest, first: OutboxRecord): void {
    const status = reason === 'unauthenticated' ? 401 : 403;
    const error = errorFor(reason, status, request, message);
    if (first.kind === 'create') this.targets.createFailed(first.run, error);
    if (this.authPause) return;
    this.authPause = { reason, credentials: credentialsOf(this.options.settings()) };
    this.host.failed(error, true);
    logger.warnOnce(
      'outbox-paused',
      `sending paused: the server answered ${status} (${message}); records are kept and go out after resume() or with a new token`,
    );
    this.watchCredentials();
  }

  private watchCredentials(): void {
    this.clearTimer('pollTimer');
    this.pollTimer = this.timer(Math.max(this.options.flushIntervalMs, 1_000), () => {
      this.pollTimer = undefined;
      if (!this.authPause) return;
      if (this.blocked() && this.authPause) this.watchCredentials();
      else this.kick();
    });
  }

  private delivered(): void {
    this.failures = 0;
    if (this.splitMaxCount !== undefined && ++this.sendsSinceSplit >= SPLIT_RECOVERY_SENDS) {
      this.sendsSinceSplit = 0;
      this.splitMaxCount *= 2;
      if (this.splitMaxCount >= this.options.maxBatchCount) this.splitMaxCount = undefined;
    }
  }

  private nextBackoffMs(): number {
    this.failures++;
    return backoffDelayMs(this.failures, {
      baseMs: this.options.baseBackoffMs,
      maxMs: this.options.maxBackoffMs,
      random: this.options.random,
    });
  }

  /** While this runs nothing at all is sent (F03); appends are still taken. */
  private startBackoff(delayMs: number): void {
    this.clearTimer('backoffTimer');
    this.retryAtMs = this.options.clock.now() + delayMs;
    this.backoffTimer = this.timer(delayMs, () => {
      this.backoffTimer = undefined;
      this.retryAtMs = undefined;
      this.kick();
    });
  }

  private endBackoff(): void {
    this.clearTimer('backoffTimer');
    this.retryAtMs = undefined;
  }

  private requestTimeoutMs(): number {
    return this.options.requestTimeoutMs ?? this.options.settings().timeoutMs;
  }

  private leaseMs(): number {
    return Math.max(this.options.leaseMs, this.requestTimeoutMs() + TRANSPORT_GRACE_MS + LEASE_MARGIN_MS);
  }

  private timer(delayMs: number, run: () => void): ReturnType<typeof setTimeout> {
    const handle = setTimeout(run, delayMs);
    getEnvironment().unrefTimer(handle);
    return handle;
  }

  private clearTimer(name: 'intervalTimer' | 'backoffTimer' | 'pollTimer'): void {
    if (this[name]) clearTimeout(this[name]);
    this[name] = undefined;
  }
}

type Credentials = Pick<ClientSettings, 'baseUrl' | 'authenticationType' | 'token' | 'headers'>;

function credentialsOf(settings: ClientSettings): Credentials {
  const { baseUrl, authenticationType, token, headers } = settings;
  return { baseUrl, authenticationType, token, headers };
}

/** Checked on every append while paused, so it compares by identity rather than serialising. */
function sameCredentials(settings: ClientSettings, paused: Credentials): boolean {
  return (
    settings.token === paused.token &&
    settings.authenticationType === paused.authenticationType &&
    settings.baseUrl === paused.baseUrl &&
    settings.headers === paused.headers
  );
}

function projectOf(record: OutboxRecord): string {
  const target = (record.body as { target?: { project?: unknown } } | null)?.target;
  return typeof target?.project === 'string' ? target.project : '';
}

function errorFor(kind: PolyaxonErrorKind, status: number, request: OutboxRequest | undefined, message: string): PolyaxonError {
  return new PolyaxonError(kind, status, request?.method ?? 'POST', request?.url ?? '', message);
}
