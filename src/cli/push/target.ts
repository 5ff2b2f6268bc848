/**
 * The server `push` copies to, spoken to only with requests a Polyaxon 0.6.1 server accepts
 * (polyaxon-v0-api.md): `is_managed: false` on create, metrics and logs as JSON arrays, one
 * status per POST. Each request goes through the outbox's exchange and policy and is retried in
 * line (retry.ts). Every write carries an `Idempotency-Key`: the local server answers a repeat
 * with the first answer; a real Polyaxon ignores the header (it is a plain header to it).
 */
import { exchange } from '../../outbox/exchange';
import type { Outcome } from '../../outbox/policy';
import { apiRequest, type ApiCall } from '../../outbox/requests';
import { MAX_RETRY_AFTER_MS, MIN_RETRY_AFTER_MS } from '../../outbox/retry-after';
import type { ClientSettings } from '../../runtime/settings';
import { fetchTransport, type Transport } from '../../outbox/transport';
import { attemptOf, retrying, type RetryOptions } from './retry';

type Final = Exclude<Outcome, { kind: 'retry' }>;
type Refusal = Extract<Outcome, { kind: 'pause' } | { kind: 'drop' } | { kind: 'missing' }>;

/** The target said no (401/403: the token; another 4xx: this request). */
export class TargetRefused extends Error {
  override readonly name = 'TargetRefused';
  constructor(
    readonly call: string,
    readonly outcome: Refusal,
  ) {
    super(`${call}: ${refusalText(outcome)}`);
  }

  get status(): number | undefined {
    if (this.outcome.kind === 'pause') return this.outcome.reason === 'unauthenticated' ? 401 : 403;
    return this.outcome.status;
  }
}

function refusalText(outcome: Refusal): string {
  const status = outcome.kind === 'pause' ? (outcome.reason === 'unauthenticated' ? 401 : 403) : outcome.status;
  return `${status ? `${status} ` : ''}${outcome.message}`;
}

export interface ExperimentRow {
  id: number;
  name: string | null;
  description: string | null;
  created_at: string | null;
}

export interface StatusRow {
  status: string;
  message: string | null;
}

/** What a project is created with, copied from the source project. */
export interface ProjectCreate {
  description?: string | null;
  tags?: string[] | null;
  is_public?: boolean | null;
}

export class Target {
  readonly #settings: ClientSettings;
  readonly #retry: RetryOptions;
  readonly #runtime: { unrefTimer(timer: unknown): void };
  readonly #transport: Transport;
  #requestTimeoutMs: number;

  constructor(settings: ClientSettings, retry: RetryOptions, runtime: { unrefTimer(timer: unknown): void }, transport: Transport = fetchTransport(runtime)) {
    this.#settings = settings;
    this.#retry = retry;
    this.#runtime = runtime;
    this.#transport = transport;
    this.#requestTimeoutMs = settings.timeoutMs;
  }

  /** `http://host:port/api/v1`: how the target is named in every message. */
  get baseUrl(): string {
    return this.#settings.baseUrl;
  }

  /** Sends `call` until it gets an answer the policy does not retry: ok, or split (413). Refusals throw. */
  async send(call: ApiCall): Promise<Extract<Final, { kind: 'ok' } | { kind: 'split' }>> {
    const request = apiRequest(call, this.#settings);
    const options = {
      runtime: this.#runtime,
      transport: this.#transport,
      requestTimeoutMs: this.#requestTimeoutMs,
      settings: () => this.#settings,
      clock: Date,
      minRetryAfterMs: MIN_RETRY_AFTER_MS,
      maxRetryAfterMs: MAX_RETRY_AFTER_MS,
    };
    const recordCount = Array.isArray(call.json) ? call.json.length : 1;
    const final = await retrying(async () => attemptOf(await exchange(options, request, recordCount)), this.#retry);
    if (final.kind === 'pause' || final.kind === 'drop' || final.kind === 'missing') throw new TargetRefused(`${call.method} ${request.url}`, final);
    return final;
  }

  /** Like `send`, for requests that are never split (one record): the answer's body. */
  async sendOne(call: ApiCall): Promise<unknown> {
    const answer = await this.send(call);
    if (answer.kind === 'split') throw new TargetRefused(`${call.method} ${call.path.join('/')}`, { kind: 'drop', reason: 'too_large', message: 'request too large', status: 413 });
    return answer.body;
  }

  /** The token's user (`GET users/`); also how a wrong token or a wrong URL shows up first. */
  async whoAmI(): Promise<string> {
    const body = (await this.sendOne({ method: 'GET', path: ['users'] })) as { username?: unknown } | undefined;
    if (typeof body?.username !== 'string' || !body.username) throw new Error(`${this.baseUrl}/users/ answered without a username: is this a Polyaxon API?`);
    return body.username;
  }

  /** Whether `user/name` exists (a 404 says no). */
  async hasProject(user: string, name: string): Promise<boolean> {
    try {
      await this.sendOne({ method: 'GET', path: [user, name] });
      return true;
    } catch (error) {
      if (error instanceof TargetRefused && error.status === 404) return false;
      throw error;
    }
  }

  /** Creates a project of the token's user. Polyaxon answers 400 when it exists already: then it is there. */
  async createProject(user: string, name: string, like: ProjectCreate): Promise<void> {
    const json: Record<string, unknown> = { name };
    if (like.description) json.description = like.description;
    if (like.tags && like.tags.length > 0) json.tags = like.tags;
    if (typeof like.is_public === 'boolean') json.is_public = like.is_public;
    try {
      await this.sendOne({ method: 'POST', path: ['projects'], json });
    } catch (error) {
      if (error instanceof TargetRefused && error.status === 400 && (await this.hasProject(user, name))) return;
      throw error;
    }
  }

  async createExperiment(user: string, project: string, json: Record<string, unknown>, idempotencyKey: string): Promise<number> {
    const body = (await this.sendOne({ method: 'POST', path: [user, project, 'experiments'], json, idempotencyKey })) as { id?: unknown } | undefined;
    if (typeof body?.id !== 'number') throw new Error(`${this.baseUrl}: the experiment create answered without an id`);
    return body.id;
  }

  /** The project's newest experiments, newest first (`sort=-created_at`; Polyaxon 0.6.1 sorts by it). */
  async newestExperiments(user: string, project: string, limit: number): Promise<ExperimentRow[]> {
    const body = (await this.sendOne({ method: 'GET', path: [user, project, 'experiments'], query: { sort: '-created_at', limit, offset: 0 } })) as
      | { results?: ExperimentRow[] }
      | undefined;
    return Array.isArray(body?.results) ? body.results : [];
  }

  async patchExperiment(user: string, project: string, id: number, json: Record<string, unknown>, idempotencyKey: string): Promise<void> {
    await this.sendOne({ method: 'PATCH', path: [user, project, 'experiments', id], json, idempotencyKey });
  }

  /** `json` undefined posts no body, as the Python client does outside a git repository. */
  async postCodeRef(user: string, project: string, id: number, json: Record<string, unknown> | undefined, idempotencyKey: string): Promise<void> {
    await this.sendOne({ method: 'POST', path: [user, project, 'experiments', id, 'coderef'], json, idempotencyKey });
  }

  /** Metric points or log lines as one JSON array; `split` when the server found it too large (413). */
  async postBatch(user: string, project: string, id: number, kind: 'metrics' | 'logs', items: unknown[], idempotencyKey: string) {
    return this.send({ method: 'POST', path: [user, project, 'experiments', id, kind], json: items, idempotencyKey });
  }

  async postStatus(user: string, project: string, id: number, json: Record<string, string>, idempotencyKey: string): Promise<void> {
    await this.sendOne({ method: 'POST', path: [user, project, 'experiments', id, 'statuses'], json, idempotencyKey });
  }

  /** The status at `index` in the experiment's list (oldest first), if there is one. */
  async statusAt(user: string, project: string, id: number, index: number): Promise<StatusRow | undefined> {
    const body = (await this.sendOne({ method: 'GET', path: [user, project, 'experiments', id, 'statuses'], query: { offset: index, limit: 1 } })) as
      | { results?: StatusRow[] }
      | undefined;
    return body?.results?.[0];
  }
}
