import type { PolyaxonClient } from '../client/client';
import type { Outbox } from '../outbox/outbox';
import { isCredentialsRefusal, REFUSAL_STATUS } from '../outbox/policy';
import type { NewRecord, RecordKind } from '../outbox/records';
import type { Environment } from '../runtime/environment';
import { PolyaxonError, ValidationError } from '../runtime/errors';
import { logger } from '../runtime/logger';
import { withTimeout } from '../runtime/timeout';
import { serverOrigin, troubleKey, troubleLine, type Trouble } from '../runtime/trouble';
import { logLine } from '../wire/format';
import { isDoneStatus } from '../wire/validation';
import { Heartbeat } from './heartbeat';
import { CONTEXT_TIMEOUT_MS, DEFAULT_CREATE_TIMEOUT_MS, DEFAULT_HEARTBEAT_INTERVAL_MS, type ExperimentOptions } from './options';
import type { ProjectRef } from './project-ref';
import { track, untrack, type LiveRun } from './registry';

/** The experiment a lifecycle belongs to: what it registers, and what it reads of it. */
export interface LifecycleOwner extends LiveRun {
  readonly client: PolyaxonClient;
  readonly environment: Environment;
}

/** Settles the experiment's `whenCreated`. */
export interface CreatedSignal {
  resolve(id: number): void;
  reject(error: unknown): void;
}

/** Runs a validation; in non-strict mode a refusal warns once per kind and gives undefined. */
export type Check = <T>(validate: () => T) => T | undefined;

/**
 * The life of one experiment's run, and when its records may enter the outbox: the create (with
 * the run env and code ref gathered first, and what was logged meanwhile queued right after it),
 * the server id adopted, a refused create, running (heartbeats, console capture), the end and
 * close. Experiment turns calls into records; this decides when they are appended.
 */
export class RunLifecycle {
  #serverId: number | undefined;
  #status: string | undefined;
  #hasCreated = false;
  /** Records of calls made while `create()` gathers the run env; appended right after the create. */
  #pendingBeforeCreate: NewRecord[] | undefined;
  #closing: Promise<boolean> | undefined;
  readonly #heartbeat: Heartbeat;
  #releaseConsole: (() => void) | undefined;
  readonly #owner: LifecycleOwner;
  /** Undefined for a no-op experiment (POLYAXON_NO_OP): nothing is queued. */
  readonly outbox: Outbox | undefined;
  readonly #options: ExperimentOptions;
  readonly #whenCreated: Promise<number>;
  readonly #createdSignal: CreatedSignal;
  readonly #check: Check;

  constructor(owner: LifecycleOwner, outbox: Outbox | undefined, options: ExperimentOptions, whenCreated: Promise<number>, created: CreatedSignal, check: Check) {
    this.#owner = owner;
    this.outbox = outbox;
    this.#options = options;
    this.#whenCreated = whenCreated;
    this.#createdSignal = created;
    this.#check = check;
    this.#heartbeat = new Heartbeat(owner.environment, options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS);
  }

  get serverId(): number | undefined {
    return this.#serverId;
  }

  get status(): string | undefined {
    return this.#status;
  }

  get hasCreated(): boolean {
    return this.#hasCreated;
  }

  /** True between create (or adopting an existing experiment) and a done status. */
  get isRunning(): boolean {
    return this.#status !== undefined && !isDoneStatus(this.#status);
  }

  /**
   * Queues the create, then the code reference and status `running`, and starts running. Waits
   * for the server at most `createTimeoutMs`; past that the run goes on offline. A refused create
   * (400, 401, 403) rejects at once.
   */
  async create(body: Record<string, unknown>): Promise<void> {
    const outbox = this.outbox!;
    this.#hasCreated = true;
    this.#pendingBeforeCreate = [];
    // Running from the call on, so an end call made before this resolves is queued, not lost.
    this.#status = 'running';
    track(this.#owner, this.#options.endPrevious ?? this.#owner.environment.kind === 'browser');

    const environment = this.#owner.environment;
    const [runEnv, codeRef] = await Promise.all([
      this.#options.trackEnv === false ? undefined : withTimeout(environment.runEnv(), CONTEXT_TIMEOUT_MS, undefined),
      this.#options.trackGit === false ? undefined : withTimeout(environment.codeRef(), CONTEXT_TIMEOUT_MS, null),
    ]);
    if (runEnv) body.run_env = runEnv;

    const ref = this.#owner.projectRef!;
    this.#appendNow('create', { target: { user: ref.user, project: ref.project }, experiment: body, ...(this.#options.createProject === false && { createProject: false }) });
    if (this.#options.trackGit !== false) this.#appendNow('coderef', codeRef ?? null);
    this.#appendNow('status', { status: 'running' });
    const queued = this.#pendingBeforeCreate;
    this.#pendingBeforeCreate = undefined;
    for (const record of queued) outbox.append(record);
    const credentialsError = this.#credentialsRefused();
    if (credentialsError) {
      // The queue already holds a 401/403 for these credentials: waiting for the create is futile.
      this.#refused(credentialsError);
      this.#abandon(credentialsError);
      throw credentialsError;
    }
    if (this.isRunning) this.#startRunning();

    outbox.whenCreated(this.#owner.run).then(
      (id) => this.adopt(id),
      (error) => this.#refused(error),
    );
    const timeoutMs = this.#options.createTimeoutMs ?? DEFAULT_CREATE_TIMEOUT_MS;
    const outcome = await withTimeout(
      this.#whenCreated.then(
        () => 'created' as const,
        (error: unknown) => ({ error }),
      ),
      timeoutMs,
      'offline' as const,
    );
    if (typeof outcome === 'object') {
      this.#abandon(outcome.error);
      throw outcome.error;
    }
    // Unless the outbox already said why (refused, missing project, nothing listening), one line
    // for a server that has not answered yet, under the key of its own no-answer line.
    if (outcome === 'offline' && !outbox.stats().lastError) {
      const origin = serverOrigin(this.#owner.client.settings.baseUrl);
      const trouble: Trouble = { kind: 'no_answer', timeoutMs };
      logger.warnOnce(troubleKey(origin, trouble), troubleLine(origin, trouble));
    }
  }

  /** Tracks an experiment whose server id is known: records can be sent at once. */
  adopt(id: number): void {
    this.#serverId = id;
    if (!this.#hasCreated) {
      this.#hasCreated = true;
      this.#status = 'running';
      const ref = this.#owner.projectRef!;
      void this.outbox!.setRunTarget(this.#owner.run, { user: ref.user, project: ref.project, id });
      track(this.#owner, false);
      this.#startRunning();
    }
    this.#createdSignal.resolve(id);
  }

  /** A status was logged: the run ends with the first done status. */
  statusLogged(status: string): void {
    if (this.#status === undefined || !isDoneStatus(this.#status)) this.#status = status;
    if (isDoneStatus(status)) this.#stopRunning();
  }

  /** Queues a record: after the create's own records, never before a create, never after close. */
  append(record: NewRecord): void {
    if (!this.outbox || this.ignoredAfterClose()) return;
    if (this.#pendingBeforeCreate) {
      this.#pendingBeforeCreate.push(record);
      return;
    }
    if (!this.#hasCreated) {
      this.#check(() => {
        throw new ValidationError(record.kind, 'call create() first (or pass experimentId to track an existing experiment)');
      });
      return;
    }
    this.outbox.append(record);
  }

  /** After close(), tracking calls are ignored with one warning (F20). */
  ignoredAfterClose(): boolean {
    if (!this.#closing) return false;
    logger.warnOnce('experiment-closed', 'a tracking call after experiment.close() was ignored');
    return true;
  }

  flush(options: { timeoutMs?: number }): Promise<boolean> {
    return this.outbox ? this.outbox.flush(options) : Promise.resolve(true);
  }

  close(options: { timeoutMs?: number }): Promise<boolean> {
    if (!this.#closing) {
      // A Node script's close() is its end, as a normal exit would be (F44); a page may reopen.
      if (this.#owner.environment.kind === 'node') this.#owner.endAtExit();
      this.#stopRunning();
      untrack(this.#owner);
      this.#closing = this.flush(options);
    }
    return this.#closing;
  }

  /**
   * The server refused the create (400, 404, or 401/403 while it was pending): the run is not
   * running, so no heartbeat, no console capture and no status at exit.
   */
  #refused(error: unknown): void {
    this.#stopRunning();
    this.#status = undefined;
    untrack(this.#owner);
    this.#createdSignal.reject(error);
  }

  /**
   * create() rejected: the caller was told the experiment does not exist, so its queued records
   * must not create it later (after a new token, say) behind the caller's back.
   */
  #abandon(error: unknown): void {
    void this.outbox!.abandonRun(this.#owner.run, error instanceof Error ? error.message : String(error));
  }

  /** The error of a pause for refused credentials (F07) that the appends just made did not lift. */
  #credentialsRefused(): PolyaxonError | undefined {
    const stats = this.outbox!.stats();
    const reason = stats.pausedReason;
    if (!isCredentialsRefusal(reason)) return undefined;
    const status = stats.lastError?.status ?? REFUSAL_STATUS[reason];
    const ref = this.#owner.projectRef!;
    const user = ref.user ?? this.outbox!.knownUser();
    // Without a user the refused request was the `GET users/` that precedes the create.
    const path = user ? `${user}/${ref.project}/experiments/` : 'users/';
    return new PolyaxonError(reason, status, 'POST', path, stats.lastError?.message ?? 'credentials refused');
  }

  #startRunning(): void {
    if (this.#serverId !== undefined) this.#startHeartbeat();
    else this.#whenCreated.then(() => this.isRunning && this.#startHeartbeat(), () => {});
    if (this.#options.trackLogs !== false && !this.#releaseConsole) {
      this.#releaseConsole = this.#owner.environment.captureConsole((level, line) => {
        if (this.isRunning) this.append({ run: this.#owner.run, kind: 'logs', body: logLine(level, line, Date.now()) });
      });
    }
  }

  #startHeartbeat(): void {
    if (this.#heartbeat.beating || this.#serverId === undefined) return;
    const ref: ProjectRef = this.#owner.projectRef!;
    this.#heartbeat.start(() => {
      const user = ref.user ?? this.outbox!.knownUser();
      if (!user || this.#serverId === undefined) return;
      this.#owner.client.experiment.heartbeat(user, ref.project, this.#serverId).catch((error: unknown) => {
        logger.debug('heartbeat failed', error);
      });
    });
  }

  #stopRunning(): void {
    this.#heartbeat.stop();
    this.#releaseConsole?.();
    this.#releaseConsole = undefined;
  }

  /** Appends ahead of anything queued while create() was preparing. */
  #appendNow(kind: RecordKind, body: unknown): void {
    this.outbox!.append({ run: this.#owner.run, kind, body });
  }
}
