import { PolyaxonClient } from '../client/client';
import {
  modelLoader,
  modelSaver,
  tfjsCallback,
  trackFit,
  type ModelLoaderOptions,
  type ModelSaver,
  type ModelSaverOptions,
  type OutputsStore,
  type TfjsCallbackOptions,
  type TfLoadHandler,
  type TfWithCustomCallback,
  type TfWithHttpIO,
  type TrackFitOptions,
} from '../integrations/tfjs';
import type { Outbox, OutboxStats } from '../outbox/outbox';
import { newRecordId, type RecordKind } from '../outbox/records';
import type { CodeRef, Environment, ProcessEnd } from '../runtime/environment';
import { ValidationError } from '../runtime/errors';
import * as context from '../runtime/in-cluster';
import { installedEnvironment } from '../runtime/installed';
import { isManaged } from '../runtime/settings';
import { withTimeout } from '../runtime/timeout';
import { hashData, hashDataSync } from '../wire/datahash';
import { logLine } from '../wire/format';
import { metricPoint } from '../wire/metric-point';
import {
  ADJUSTED_REASONS,
  guard,
  STATUS_MESSAGE_MAX_LENGTH,
  validateCodeRef,
  validateDescription,
  validateFramework,
  validateMetrics,
  validateName,
  validateParams,
  validateTags,
  type AdjustedReason,
  type ExperimentStatus,
} from '../wire/validation';
import { RunLifecycle } from './lifecycle';
import { withoutToken } from './token-guard';
import { CONTEXT_TIMEOUT_MS, type CreateOptions, type ExperimentOptions } from './options';
import { experimentTarget, type ProjectRef } from './project-ref';
import { createBody, merged, statusBody } from './record-bodies';
import { outboxFor } from './registry';

export type { CreateOptions, ExperimentOptions, OutboxSettings } from './options';

/** One `logMetrics` point: name to value. Booleans are sent as 0/1, `null` as `null`; `undefined` keys are left out. */
export type MetricValues = Record<string, number | boolean | null | undefined>;

export interface ExperimentStats {
  run: string;
  id: number | undefined;
  lastStatus: string | undefined;
  /**
   * Values sent changed rather than refused, by reason: `non_finite_as_null` (a NaN or Infinity
   * from the TF.js callback, sent as null), `message_cut` (a status message cut to 256 characters).
   */
  adjusted: Record<AdjustedReason, number>;
  outbox: OutboxStats;
}

/**
 * One tracked Polyaxon experiment: the Python client's `Experiment`, camelCased. Every logging call
 * validates its input, becomes a record and returns at once; when records enter the outbox is the
 * run's lifecycle's business (lifecycle.ts), delivery, retries and offline storage the outbox's.
 */
export class Experiment {
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
  readonly #lifecycle: RunLifecycle;
  #createdName: string | undefined;
  readonly #adjusted = Object.fromEntries(ADJUSTED_REASONS.map((reason) => [reason, 0])) as Record<AdjustedReason, number>;

  constructor(options: ExperimentOptions = {}) {
    // The public edge: a user's `new Experiment()` has no runtime to hand in. What it describes
    // (run env, console lines) never carries this experiment's token.
    const environment = (this.environment = withoutToken(installedEnvironment(), () => this.client?.settings.token));
    // Console capture is opt-in in pages: there it copied the notebook's and the page's own
    // messages into the run's logs.
    options = { ...options, trackLogs: options.trackLogs ?? environment.kind !== 'browser' };
    this.#options = options;
    this.isManaged = isManaged(environment.getEnv);
    let created!: { resolve(id: number): void; reject(error: unknown): void };
    this.whenCreated = new Promise<number>((resolve, reject) => {
      created = { resolve, reject };
    });
    // Nobody may be listening; an offline or refused create must not become an unhandled rejection.
    this.whenCreated.catch(() => {});
    this.client = options.client ?? new PolyaxonClient(this.isManaged ? { token: context.readInClusterToken(environment) } : {});
    this.#noOp = this.client.settings.noOp;
    // A no-op experiment (POLYAXON_NO_OP) needs no project and queues nothing.
    const target = this.#noOp ? undefined : experimentTarget(options, this.isManaged, environment);
    this.projectRef = target?.ref;
    const outbox = target && outboxFor(this.client, options.outbox, environment);
    this.#lifecycle = new RunLifecycle(this, outbox, options, this.whenCreated, created, (validate) => this.#check(validate));
    if (target?.id !== undefined) this.#lifecycle.adopt(target.id);
  }

  /** @internal The name given to `create()`: a re-run notebook cell creates its run under the same one (endPrevious). */
  get createdName(): string | undefined {
    return this.#createdName;
  }

  /** Server id, once known. */
  get id(): number | undefined {
    return this.#lifecycle.serverId;
  }

  get lastStatus(): string | undefined {
    return this.#lifecycle.status;
  }

  /**
   * Creates the experiment on the server (outside the cluster), then sends the code reference and
   * status `running` and starts heartbeats. Waits for the server at most `createTimeoutMs`; past
   * that the run goes on offline and everything is delivered, in order, once the server is back.
   * A refused create (400, 401, 403) rejects at once.
   */
  async create(options: CreateOptions = {}): Promise<this> {
    if (this.#noOp) return this;
    if (this.#lifecycle.hasCreated) throw new ValidationError('create', 'this experiment was already created');
    const body = createBody(options);
    this.#createdName = options.name;
    await this.#lifecycle.create(body);
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

  /** Sends `codeRef`, or the one the runtime finds (git in Node); a given `commit` over 40 characters is refused at the call. */
  async logCodeRef(codeRef?: CodeRef): Promise<void> {
    if (this.#noOp) return;
    if (codeRef !== undefined && this.#check(() => validateCodeRef(codeRef)) === undefined) return;
    const value = codeRef ?? (await withTimeout(this.environment.codeRef(), CONTEXT_TIMEOUT_MS, null));
    this.#appendChecked('coderef', () => value);
  }

  logFramework(framework: string): void {
    this.#edit(() => ({ framework: validateFramework('framework', framework) }));
  }

  logBackend(backend: string): void {
    this.#edit(() => ({ backend: validateFramework('backend', backend) }));
  }

  /** Logs a status; a `message` over 256 characters is cut, with an ellipsis (F43). */
  logStatus(status: ExperimentStatus, message?: string, traceback?: string): void {
    if (this.#lifecycle.ignoredAfterClose()) return;
    const queued = this.#appendChecked('status', () => statusBody(status, message, traceback));
    if (queued && message && String(message).length > STATUS_MESSAGE_MAX_LENGTH) this.noteAdjusted('message_cut');
    this.#lifecycle.statusLogged(status);
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

  /**
   * Queues one point; `step` is one more key. Returns at once, without I/O. The values are copied
   * once at the call and the copy is what is validated and sent (F33); `null` is sent as JSON
   * `null` and `undefined` keys are left out (F35).
   */
  logMetrics(values: MetricValues): void {
    if (this.#noOp) return;
    // Strict validates without the closure `#check` takes: this runs once per training step.
    const checked = this.#strict ? validateMetrics(values) : this.#check(() => validateMetrics(values));
    if (checked === undefined) return;
    const { body, bytes } = metricPoint(checked, Date.now());
    this.#lifecycle.append({ run: this.run, kind: 'metrics', body, bytes });
  }

  /** Sends log lines (already formatted or plain messages, logged at INFO). */
  sendLogs(lines: string | string[]): void {
    const now = Date.now();
    for (const line of Array.isArray(lines) ? lines : [lines]) {
      this.#lifecycle.append({ run: this.run, kind: 'logs', body: logLine('info', String(line), now) });
    }
  }

  /** True between create (or adopting an existing experiment) and a done status. */
  get isRunning(): boolean {
    return this.#lifecycle.isRunning;
  }

  stats(): ExperimentStats | undefined {
    const outbox = this.#lifecycle.outbox;
    if (!outbox) return undefined;
    return { run: this.run, id: this.id, lastStatus: this.lastStatus, adjusted: { ...this.#adjusted }, outbox: outbox.stats() };
  }

  /** Delivers everything queued so far; true when done within `timeoutMs`. Never rejects. */
  flush(options: { timeoutMs?: number } = {}): Promise<boolean> {
    return this.#lifecycle.flush(options);
  }

  /**
   * Stops heartbeats and console capture and flushes. In Node a run that has no final status yet
   * ends `succeeded`, as at a normal exit (F44); in browsers its status is left as it is. Calling
   * it again gives the same promise; tracking calls made after it are ignored with one warning (F20).
   */
  close(options: { timeoutMs?: number } = {}): Promise<boolean> {
    return this.#lifecycle.close(options);
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
  static getTfConfig = (options?: context.TfConfigOptions): context.TfConfig => onInstalledEnvironment(context.getTfConfig)(options);
  static getOutputsPath = onInstalledEnvironment(context.getOutputsPath);
  static getDataPaths = onInstalledEnvironment(context.getDataPaths);
  static getLogLevel = onInstalledEnvironment(context.getLogLevel);

  /** @internal A value was sent changed rather than refused (see `ExperimentStats.adjusted`). */
  noteAdjusted(reason: AdjustedReason): void {
    this.#adjusted[reason] += 1;
  }

  /** @internal Normal end of the process (registry): a run that was not ended succeeded. */
  endAtExit(): void {
    if (!this.isManaged) this.end('succeeded');
  }

  /** @internal Uncaught error (registry): the run failed, with the error's message and stack. */
  endAtCrash(error: unknown): void {
    if (this.isManaged) return;
    const message = error instanceof Error ? error.message : String(error);
    const stack = error instanceof Error ? error.stack : undefined;
    this.end('failed', message, stack);
  }

  /** @internal The process ends without `beforeExit` (registry): `process.exit(code)`, a signal. */
  endAtProcessEnd(end: ProcessEnd): void {
    if (!this.isManaged) this.end(end.status, end.message);
  }

  /** @internal Page closed with the run still going (registry). */
  endAtPageClose(): void {
    if (!this.isManaged) this.end('stopped', 'page closed');
  }

  /** @internal The outbox of this experiment's server (tests, and the integrations' user lookup). */
  get queue(): Outbox | undefined {
    return this.#lifecycle.outbox;
  }

  /** Runs a validation; in non-strict mode a refusal warns once per kind and gives undefined. */
  #check<T>(validate: () => T): T | undefined {
    return guard(this.#strict, validate);
  }

  /** Refusals throw (the default) rather than warn once and queue nothing. */
  get #strict(): boolean {
    return this.#options.strict !== false;
  }

  /** Queues a PATCH of one field, as the Python client sends one field per call. */
  #edit(body: () => Record<string, unknown>): void {
    this.#appendChecked('patch', body);
  }

  /** True when the record was queued. */
  #appendChecked(kind: RecordKind, body: () => unknown): boolean {
    if (this.#noOp) return false;
    const checked = this.#check(body);
    if (checked === undefined) return false;
    this.#lifecycle.append({ run: this.run, kind, body: checked });
    return true;
  }
}

/**
 * An in-cluster getter as the Python client's static one: no experiment, so it reads the variables
 * of the installed runtime (the public edge, like `new Experiment()`).
 */
function onInstalledEnvironment<A extends unknown[], R>(getter: (environment: context.InClusterEnvironment, ...args: A) => R): (...args: A) => R {
  return (...args) => getter(installedEnvironment(), ...args);
}
