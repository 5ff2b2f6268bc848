import { bodyJson, type OutboxRecord, type RecordKind } from './records';
import { authorization, requestHeaders } from '../runtime/credentials';
import { buildUrl, type ClientSettings } from '../runtime/settings';
import type { TransportRequest } from './transport';
import { IDEMPOTENCY_KEY_HEADER } from '../wire/tracking-features';

/**
 * Records to Polyaxon requests (polyaxon-v0-api.md, "What each tracking method sends").
 *
 * Bodies as records store them:
 * - create:  `{ target: { user?, project }, experiment: {...} }` → POST `{user}/{project}/experiments/`
 *            with `experiment` as the body; the answer's `id` becomes the run's server id.
 * - patch:   one field (+ `merge`)                 → PATCH `.../experiments/{id}/`
 * - status:  `{ status, message?, traceback? }`    → POST `.../statuses/`
 * - coderef: `CodeRef`, or null for no body        → POST `.../coderef/`
 * - metrics: `{ values, created_at }` each          → POST `.../metrics/`, a JSON array of the batch
 *            (the records' bodies as serialised at the call, joined: write once)
 * - logs:    one log line string each              → POST `.../logs/`, a JSON array of the batch
 * - stop:    null                                  → POST `.../stop/`, no body
 *
 * The body string is built from the stored records alone, so a retry (in this process or after a
 * reload) is byte-identical; the batch key is the `Idempotency-Key`. The token is added here, at
 * send time, and never stored.
 */

export interface CreateRecordBody {
  target: { user?: string; project: string };
  experiment: Record<string, unknown>;
  /** False: a missing project is not created (F36). Absent means true, the default. */
  createProject?: boolean;
}

/** Where a run's requests go: the user is always known by the time a request is built. */
export interface ResolvedTarget {
  user: string;
  project: string;
  /** Absent only for the create itself. */
  id?: number;
}

export type OutboxRequest = Omit<TransportRequest, 'timeoutMs' | 'keepalive'>;

const ACTION_PATH: Record<Exclude<RecordKind, 'create' | 'patch'>, string> = {
  status: 'statuses',
  coderef: 'coderef',
  metrics: 'metrics',
  logs: 'logs',
  stop: 'stop',
};

export function isCreateBody(body: unknown): body is CreateRecordBody {
  const candidate = body as CreateRecordBody | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.target?.project === 'string' &&
    typeof candidate.experiment === 'object' &&
    candidate.experiment !== null
  );
}

/**
 * The request for one claimed batch (one record, or several metrics or logs of one run).
 * Throws when a create body is malformed or a non-create has no server id: the caller drops it.
 */
export function requestForBatch(records: readonly OutboxRecord[], target: ResolvedTarget, settings: ClientSettings): OutboxRequest {
  const [first] = records;
  const idempotencyKey = first.batch ?? first.id;
  if (first.kind === 'create') {
    if (!isCreateBody(first.body)) throw new Error('create record without target and experiment');
    const url = buildUrl(settings.baseUrl, target.user, target.project, 'experiments');
    return withHeaders({ method: 'POST', url, body: JSON.stringify(first.body.experiment) }, settings, idempotencyKey);
  }
  if (target.id === undefined) throw new Error(`no server id for run ${first.run}`);
  const experimentParts = [target.user, target.project, 'experiments', target.id] as const;
  if (first.kind === 'patch') {
    const url = buildUrl(settings.baseUrl, ...experimentParts);
    return withHeaders({ method: 'PATCH', url, body: bodyJson(first) }, settings, idempotencyKey);
  }
  const url = buildUrl(settings.baseUrl, ...experimentParts, ACTION_PATH[first.kind]);
  return withHeaders({ method: 'POST', url, body: bodyFor(first.kind, records) }, settings, idempotencyKey);
}

function bodyFor(kind: RecordKind, records: readonly OutboxRecord[]): string | undefined {
  // The bodies as serialised at the call, unchanged (write once): a JSON array of them.
  if (kind === 'metrics' || kind === 'logs') return jsonArray(records);
  const body = records[0].body;
  // "A request with no body sends none" (coderef outside a git repository, stop).
  return body === null || body === undefined ? undefined : bodyJson(records[0]);
}

/**
 * `[json,json,...]` of the records' bodies, joined into one flat string: it refers to none of them,
 * so they can go as soon as the request is built (`releaseBodies`). Appended piece by piece, the
 * text was a tree of 20,000 pieces holding every body until the request was encoded.
 */
function jsonArray(records: readonly OutboxRecord[]): string {
  return `[${records.map(bodyJson).join(',')}]`;
}

/** `GET users/`: who the token belongs to, for projects named without their owner. */
export function whoAmIRequest(settings: ClientSettings): OutboxRequest {
  return withHeaders({ method: 'GET', url: buildUrl(settings.baseUrl, 'users') }, settings);
}

export interface ApiCall {
  method: OutboxRequest['method'];
  /** Path parts under the API base, joined as the Python client does (each followed by `/`). */
  path: ReadonlyArray<string | number>;
  query?: Record<string, string | number>;
  /** JSON body; absent: no body at all. */
  json?: unknown;
  idempotencyKey?: string;
}

/** Any other call, with the same headers as the outbox's own requests (token added here, at send time). */
export function apiRequest(call: ApiCall, settings: ClientSettings): OutboxRequest {
  let url = buildUrl(settings.baseUrl, ...call.path);
  if (call.query) url += `?${new URLSearchParams(Object.entries(call.query).map(([name, value]) => [name, String(value)]))}`;
  const body = call.json === undefined ? undefined : JSON.stringify(call.json);
  return withHeaders({ method: call.method, url, body }, settings, call.idempotencyKey);
}

function withHeaders(
  request: { method: OutboxRequest['method']; url: string; body?: string },
  settings: ClientSettings,
  idempotencyKey?: string,
): OutboxRequest {
  const ours: Record<string, string> = { Accept: 'application/json' };
  const auth = authorization(settings);
  if (auth) ours.Authorization = auth;
  if (request.body !== undefined) ours['Content-Type'] = 'application/json';
  if (idempotencyKey) ours[IDEMPOTENCY_KEY_HEADER] = idempotencyKey;
  const built: OutboxRequest = { method: request.method, url: request.url, headers: requestHeaders(settings.headers, ours) };
  if (request.body !== undefined) built.body = request.body;
  return built;
}
