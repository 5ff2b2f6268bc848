import { PolyaxonClient } from '../client/client';
import * as context from '../runtime/in-cluster';
import type { Environment } from '../runtime/environment';
import { installedEnvironment } from '../runtime/installed';
import { hashData, hashDataSync } from '../wire/datahash';
import type { CodeRef } from '../runtime/environment';
import { PolyaxonError, ValidationError } from '../runtime/errors';
import { logger } from '../runtime/logger';
import type { Outbox } from '../outbox/outbox';
import { isCredentialsRefusal, REFUSAL_STATUS } from '../outbox/policy';
import type { NewRecord, RecordKind } from '../outbox/records';
import { newRecordId } from '../outbox/records';
import { isManaged } from '../runtime/settings';
import {
  guard,
  validateDescription,
  validateMetrics,
  validateName,
  validateParams,
  validateStatus,
  validateTags,
  validateFramework,
  isDoneStatus,
} from '../wire/validation';
import { metricPoint } from '../wire/metric-point';
import { logLine } from '../wire/format';
import { withTimeout } from '../runtime/timeout';
import {
  CONTEXT_TIMEOUT_MS,
  DEFAULT_CREATE_TIMEOUT_MS,
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  type CreateOptions,
  type ExperimentOptions,
} from './options';
import { parseProjectRef, type ProjectRef } from './project-ref';
import { outboxFor, track, untrack, type TrackedRun } from './registry';
import { modelLoader, modelSaver, type ModelLoaderOptions, type ModelSaver, type ModelSaverOptions } from '../integrations/model-saver';
import type { OutputsStore } from '../integrations/outputs';
import { tfjsCallback, type TfjsCallbackOptions } from '../integrations/tfjs-callback';
import type { TfLoadHandler, TfWithCustomCallback, TfWithHttpIO } from '../integrations/tfjs-types';
import { trackFit, type TrackFitOptions } from '../integrations/track-fit';

export type { CreateOptions, ExperimentOptions, OutboxSettings } from './options';

export interface ExperimentStats {
  run: string;
  id: number | undefined;
  lastStatus: string | undefined;
  outbox: ReturnType<Outbox['stats']>;
}

/**
 * One tracked Polyaxon experiment: the Python client's `Experiment`, camelCased. Every logging call
 * validates its input, becomes a record in the outbox and returns at once; delivery, retries and
 * offline storage are the outbox's business.
 */
export class Experiment implements TrackedRun {
  /** Local key of the run, known before the server has answered. */
  readonly run: string = newRecordId();
  readonly client: PolyaxonClient;
  readonly projectRef: ProjectRef | undefined;
  readonly isManaged: boolean;
  /** Resolves with the server id once the create is acknowledged (at once for existing experiments). */
  readonly whenCreated: Promise<number>;
  /** @internal The runtime this experiment was handed, and hands down to everything it starts. */
  readonly environment: Environment;

  readonly #options: ExperimentOptions;
  readonly #noOp: boolean;
  readonly #outbox: Outbox | undefined;
  #serverId: number | undefined;
  #status: string | undefined;
  #created = false;
  /** Records of calls made while `create()` gathers the run env; appended right after the create. */
  #pendingBeforeCreate: NewRecord[] | undefined;
  #heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  #closing: Promise<boolean> | undefined;
  #releaseConsole: (() => void) | undefined;
  #resolveCreated!: (id: number) => void;
  #rejectCreated!: (error: unknown) => void;

  constructor(options: ExperimentOptions = {}) {
    this.#options = options;
    // The public edge: a user's `new Experiment()` has no runtime to hand in.
    const environment = (this.environment = installedEnvironment());
    this.isManaged = isManaged(environment.getEnv);
    this.whenCreated = new Promise<number>((resolve, reject) => {
      this.#resolveCreated = resolve;
      this.#rejectCreated = reject;
    });
    // Nobody may be listening; an offline or refused create must not become an unhandled rejection.
    this.whenCreated.catch(() => {});
    this.client = options.client ?? new PolyaxonClient(this.isManaged ? { token: context.readInClusterToken(environment) } : {});
    this.#noOp = this.client.settings.noOp;
    if (this.#noOp) return;

    const target = this.#resolveTarget(options);
    this.projectRef = target.ref;
    this.#outbox = outboxFor(this.client, options.outbox, environment);
    if (target.id !== undefined) this.#adopt(target.id);
  }

  /** Server id, once known. */
  get id(): number | undefined {
    return this.#serverId;
  }

  get lastStatus(): string | undefined {
    return this.#status;
  }

  /**
   * Creates the experiment on the server (outside the cluster), then sends the code reference and
   * status `running` and starts heartbeats. Waits for the server at most `createTimeoutMs`; past
   * that the run goes on offline and everything is delivered, in order, once the server is back.
   * A refused create (400, 401, 403) rejects at once.
   */
  async create(options: CreateOptions = {}): Promise<this> {
    if (this.#noOp) return this;
    if (this.#created) throw new ValidationError('create', 'this experiment was already created');
    const body = this.#createBody(options);
    this.#created = true;
    this.#pendingBeforeCreate = [];
    // Running from the call on, so an end call made before this resolves is queued, not lost.
    this.#status = 'running';
    track(this, this.#options.endPrevious ?? this.environment.kind === 'browser');

    const environment = this.environment;
    const [runEnv, codeRef] = await Promise.all([
      this.#options.trackEnv === false ? undefined : withTimeout(environment.runEnv(), CONTEXT_TIMEOUT_MS, undefined),
      this.#options.trackGit === false ? undefined : withTimeout(environment.codeRef(), CONTEXT_TIMEOUT_MS, null),
    ]);
    if (runEnv) body.run_env = runEnv;

    const ref = this.projectRef!;
    this.#appendNow('create', { target: { user: ref.user, project: ref.project }, experiment: body });
    if (this.#options.trackGit !== false) this.#appendNow('coderef', codeRef ?? null);
    this.#appendNow('status', { status: 'running' });
    const queued = this.#pendingBeforeCreate;
    this.#pendingBeforeCreate = undefined;
    for (const record of queued) this.#outbox!.append(record);
    const credentialsError = this.#credentialsRefused();
    if (credentialsError) {
      // The queue already holds a 401/403 for these credentials: waiting for the create is futile.
      this.#refused(credentialsError);
      this.#abandon(credentialsError);
      throw credentialsError;
    }
    if (this.isRunning) this.#startRunning();

    this.#outbox!.whenCreated(this.run).then(
      (id) => this.#adopt(id),
      (error) => this.#refused(error),
    );
    const timeoutMs = this.#options.createTimeoutMs ?? DEFAULT_CREATE_TIMEOUT_MS;
    const outcome = await withTimeout(
      this.whenCreated.then(
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
    if (outcome === 'offline') {
      logger.warnOnce('create-offline', `server not reachable within ${timeoutMs} ms: tracking offline, delivery resumes when it is back`);
    }
    return this;
  }

  setName(name: string): void {
    this.#edit(() => ({ name: validateName('name', name) }));
  }

  setDescription(description: string): void {
    this.#edit(() => ({ description: validateDescription(description) }));
  }

  logTags(tags: string | string[], options: { reset?: boolean } = {}): void {
    this.#edit(() => merged({ tags: validateTags(tags) }, options.reset));
  }

  logParams(params: Record<string, unknown>, options: { reset?: boolean } = {}): void {
    this.#edit(() => merged({ params: validateParams(params) }, options.reset));
  }

  /**
   * Logs a data reference: `{[dataName]: hash}` where hash is the first 12 hex characters of the
   * MD5 of the data's text form (see README "Data references"). Blobs are read first, so their
   * reference is queued once hashed; every other kind is queued at once.
   */
  logDataRef(args: { data: unknown; dataName?: string; reset?: boolean }): Promise<void> {
    if (this.#noOp) return Promise.resolve();
    const dataName = args.dataName ?? 'data';
    const queue = (hash: string) => this.#edit(() => merged({ data_refs: { [dataName]: hash } }, args.reset));
    if (typeof Blob !== 'undefined' && args.data instanceof Blob) return hashData(args.data).then(queue);
    const hash = this.#check(() => hashDataSync(args.data));
    if (hash !== undefined) queue(hash);
    return Promise.resolve();
  }

  async logRunEnv(): Promise<void> {
    if (this.#noOp) return;
    const runEnv = await withTimeout(this.environment.runEnv(), CONTEXT_TIMEOUT_MS, {});
    this.#edit(() => ({ run_env: runEnv }));
  }

  async logCodeRef(codeRef?: CodeRef): Promise<void> {
    if (this.#noOp) return;
    const value = codeRef ?? (await withTimeout(this.environment.codeRef(), CONTEXT_TIMEOUT_MS, null));
    this.#appendChecked('coderef', () => value);
  }

  logFramework(framework: string): void {
    this.#edit(() => ({ framework: validateFramework('framework', framework) }));
  }

  logBackend(backend: string): void {
    this.#edit(() => ({ backend: validateFramework('backend', backend) }));
  }

  logStatus(status: string, message?: string, traceback?: string): void {
    if (this.#ignoredAfterClose()) return;
    this.#appendChecked('status', () => {
      const body: Record<string, string> = { status: validateStatus(status) };
      if (message) body.message = String(message);
      if (traceback) body.traceback = String(traceback);
      return body;
    });
    if (this.#status === undefined || !isDoneStatus(this.#status)) this.#status = status;
    if (isDoneStatus(status)) this.#stopRunning();
  }

  /** Ends the run with `status` unless it already ended. */
  end(status: 'succeeded' | 'failed' | 'stopped', message?: string, traceback?: string): void {
    if (this.#noOp || !this.isRunning) return;
    this.logStatus(status, message, traceback);
  }

  succeeded(): void {
    this.end('succeeded');
  }

  failed(message?: string, traceback?: string): void {
    this.end('failed', message, traceback);
  }

  stop(): void {
    this.end('stopped');
  }

  /** Queues one point; `step` is one more key. Returns at once, without I/O. */
  logMetrics(values: Record<string, number | boolean>): void {
    if (this.#noOp) return;
    const checked = this.#check(() => validateMetrics(values));
    if (checked === undefined) return;
    const { body, bytes } = metricPoint(checked, Date.now());
    this.#append({ run: this.run, kind: 'metrics', body, bytes });
  }

  /** Sends log lines (already formatted or plain messages, logged at INFO). */
  sendLogs(lines: string | string[]): void {
    const now = Date.now();
    for (const line of Array.isArray(lines) ? lines : [lines]) {
      this.#append({ run: this.run, kind: 'logs', body: logLine('info', String(line), now) });
    }
  }

  /** True between create (or adopting an existing experiment) and a done status. */
  get isRunning(): boolean {
    return this.#status !== undefined && !isDoneStatus(this.#status);
  }

  stats(): ExperimentStats | undefined {
    if (!this.#outbox) return undefined;
    return { run: this.run, id: this.#serverId, lastStatus: this.#status, outbox: this.#outbox.stats() };
  }

  /** Delivers everything queued so far; true when done within `timeoutMs`. Never rejects. */
  flush(options: { timeoutMs?: number } = {}): Promise<boolean> {
    return this.#outbox ? this.#outbox.flush(options) : Promise.resolve(true);
  }

  /**
   * Stops heartbeats and console capture and flushes; the run's status is left as it is. Calling
   * it again gives the same promise; tracking calls made after it are ignored with one warning (F20).
   */
  close(options: { timeoutMs?: number } = {}): Promise<boolean> {
    if (!this.#closing) {
      this.#stopRunning();
      untrack(this);
      this.#closing = this.flush(options);
    }
    return this.#closing;
  }

  // --- TensorFlow.js (src/integrations; tfjs itself is never imported: pass your `tf`) -----------

  /** A `tf.CustomCallback` tracking a fit: epoch metrics (step = epoch), fit params, status running. */
  tfjsCallback<C>(tf: TfWithCustomCallback<C>, options?: TfjsCallbackOptions): C {
    return tfjsCallback(this, tf, options);
  }

  /** Awaits a fit: `succeeded` when it resolves, `failed` (message, stack) and rethrown when it rejects. */
  trackFit<T>(fit: Promise<T> | (() => Promise<T>), options?: TrackFitOptions): Promise<T> {
    return trackFit(this, fit, options);
  }

  /** A TF.js IO handler for `model.save(...)` that stores the model as an output of this run. */
  modelSaver(options: ModelSaverOptions = {}): ModelSaver {
    return modelSaver(this, { outputsStore: this.#options.outputsStore as OutputsStore | undefined, ...options });
  }

  /** A TF.js IO handler for `tf.loadLayersModel(...)` that reads a model this run saved to the server. */
  modelLoader<A>(tf: TfWithHttpIO<A>, options?: ModelLoaderOptions): TfLoadHandler<A> {
    return modelLoader(this, tf, options);
  }

  static getClusterDef = onInstalledEnvironment(context.getClusterDef);
  static getDeclarations = onInstalledEnvironment(context.getDeclarations);
  static getParams = onInstalledEnvironment(context.getParams);
  static getExperimentInfo = onInstalledEnvironment(context.getExperimentInfo);
  static getTaskInfo = onInstalledEnvironment(context.getTaskInfo);
  static getTfConfig = onInstalledEnvironment(context.getTfConfig);
  static getOutputsPath = onInstalledEnvironment(context.getOutputsPath);
  static getDataPaths = onInstalledEnvironment(context.getDataPaths);
  static getLogLevel = onInstalledEnvironment(context.getLogLevel);

  // --- lifecycle, called by the registry -------------------------------------------------------

  /** Normal end of the process: a run that was not ended succeeded. */
  endAtExit(): void {
    if (!this.isManaged) this.end('succeeded');
  }

  /** Uncaught error: the run failed, with the error's message and stack. */
  endAtCrash(error: unknown): void {
    if (this.isManaged) return;
    const message = error instanceof Error ? error.message : String(error);
    const stack = error instanceof Error ? error.stack : undefined;
    this.end('failed', message, stack);
  }

  /** Page closed with the run still going. */
  endAtPageClose(): void {
    if (!this.isManaged) this.end('stopped', 'page closed');
  }

  get queue(): Outbox | undefined {
    return this.#outbox;
  }

  // --- internals --------------------------------------------------------------------------------

  #resolveTarget(options: ExperimentOptions): { ref: ProjectRef; id?: number } {
    if (this.isManaged && options.experimentId === undefined) {
      const info = context.getExperimentInfo(this.environment);
      const name = typeof info?.experiment_name === 'string' ? context.parseExperimentName(info.experiment_name) : null;
      if (!name) throw new ValidationError('POLYAXON_EXPERIMENT_INFO', 'must hold experiment_name "user.project[.group].id" in the cluster');
      return { ref: { user: name.user, project: name.project }, id: name.id };
    }
    const ref = parseProjectRef(options.project);
    if (options.experimentId !== undefined && !(Number.isInteger(options.experimentId) && options.experimentId > 0)) {
      throw new ValidationError('experimentId', 'must be a positive integer');
    }
    return { ref, id: options.experimentId };
  }

  /** Tracks an experiment whose server id is known: records can be sent at once. */
  #adopt(id: number): void {
    this.#serverId = id;
    if (!this.#created) {
      this.#created = true;
      this.#status = 'running';
      const ref = this.projectRef!;
      void this.#outbox!.setRunTarget(this.run, { user: ref.user, project: ref.project, id });
      track(this, false);
      this.#startRunning();
    }
    this.#resolveCreated(id);
  }

  /**
   * The server refused the create (400, 404, or 401/403 while it was pending): the run is not
   * running, so no heartbeat, no console capture and no status at exit.
   */
  #refused(error: unknown): void {
    this.#stopRunning();
    this.#status = undefined;
    untrack(this);
    this.#rejectCreated(error);
  }

  /**
   * create() rejected: the caller was told the experiment does not exist, so its queued records
   * must not create it later (after a new token, say) behind the caller's back.
   */
  #abandon(error: unknown): void {
    void this.#outbox!.abandonRun(this.run, error instanceof Error ? error.message : String(error));
  }

  /** The error of a pause for refused credentials (F07) that the appends just made did not lift. */
  #credentialsRefused(): PolyaxonError | undefined {
    const stats = this.#outbox!.stats();
    const reason = stats.pausedReason;
    if (!isCredentialsRefusal(reason)) return undefined;
    const status = stats.lastError?.status ?? REFUSAL_STATUS[reason];
    const ref = this.projectRef!;
    const user = ref.user ?? this.#outbox!.knownUser();
    // Without a user the refused request was the `GET users/` that precedes the create.
    const path = user ? `${user}/${ref.project}/experiments/` : 'users/';
    return new PolyaxonError(reason, status, 'POST', path, stats.lastError?.message ?? 'credentials refused');
  }

  #createBody(options: CreateOptions): Record<string, unknown> {
    const body: Record<string, unknown> = { is_managed: false, backend: options.backend === undefined ? 'other' : validateFramework('backend', options.backend) };
    if (options.name !== undefined) body.name = validateName('name', options.name);
    if (options.description !== undefined) body.description = validateDescription(options.description);
    if (options.tags !== undefined) body.tags = validateTags(options.tags);
    if (options.framework !== undefined) body.framework = validateFramework('framework', options.framework);
    return body;
  }

  #startRunning(): void {
    const environment = this.environment;
    if (this.#serverId !== undefined) this.#startHeartbeat();
    else this.whenCreated.then(() => this.isRunning && this.#startHeartbeat(), () => {});
    if (this.#options.trackLogs !== false && !this.#releaseConsole) {
      this.#releaseConsole = environment.captureConsole((level, line) => {
        if (this.isRunning) this.#append({ run: this.run, kind: 'logs', body: logLine(level, line, Date.now()) });
      });
    }
  }

  #startHeartbeat(): void {
    if (this.#heartbeatTimer || this.#serverId === undefined) return;
    const ref = this.projectRef!;
    const beat = () => {
      const user = ref.user ?? this.#outbox!.knownUser();
      if (!user || this.#serverId === undefined) return;
      this.client.experiment.heartbeat(user, ref.project, this.#serverId).catch((error: unknown) => {
        logger.debug('heartbeat failed', error);
      });
    };
    this.#heartbeatTimer = setInterval(beat, this.#options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS);
    this.environment.unrefTimer(this.#heartbeatTimer);
  }

  #stopRunning(): void {
    if (this.#heartbeatTimer) clearInterval(this.#heartbeatTimer);
    this.#heartbeatTimer = undefined;
    this.#releaseConsole?.();
    this.#releaseConsole = undefined;
  }

  /** Runs a validation; in non-strict mode a refusal warns once per kind and gives undefined. */
  #check<T>(validate: () => T): T | undefined {
    return guard(this.#options.strict !== false, validate);
  }

  /** Queues a PATCH of one field, as the Python client sends one field per call. */
  #edit(body: () => Record<string, unknown>): void {
    this.#appendChecked('patch', body);
  }

  #appendChecked(kind: RecordKind, body: () => unknown): void {
    if (this.#noOp) return;
    const checked = this.#check(body);
    if (checked === undefined) return;
    this.#append({ run: this.run, kind, body: checked });
  }

  #append(record: NewRecord): void {
    if (!this.#outbox || this.#ignoredAfterClose()) return;
    if (this.#pendingBeforeCreate) {
      this.#pendingBeforeCreate.push(record);
      return;
    }
    if (!this.#created) {
      this.#check(() => {
        throw new ValidationError(record.kind, 'call create() first (or pass experimentId to track an existing experiment)');
      });
      return;
    }
    this.#outbox.append(record);
  }

  #ignoredAfterClose(): boolean {
    if (!this.#closing) return false;
    logger.warnOnce('experiment-closed', 'a tracking call after experiment.close() was ignored');
    return true;
  }

  /** Appends ahead of anything queued while create() was preparing. */
  #appendNow(kind: RecordKind, body: unknown): void {
    this.#outbox!.append({ run: this.run, kind, body });
  }
}

/**
 * An in-cluster getter as the Python client's static one: no experiment, so it reads the variables
 * of the installed runtime (the public edge, like `new Experiment()`).
 */
function onInstalledEnvironment<A extends unknown[], R>(getter: (environment: context.InClusterEnvironment, ...args: A) => R): (...args: A) => R {
  return (...args) => getter(installedEnvironment(), ...args);
}

/** A PATCH body with `merge: true` unless the caller asked to reset. */
function merged(body: Record<string, unknown>, reset: boolean | undefined): Record<string, unknown> {
  return reset ? body : { ...body, merge: true };
}
