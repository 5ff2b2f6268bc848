import type { CodeRef, RunEnv } from '../runtime/environment';
import type { HttpCaller } from './http';
import { checkProjectPath, withMergeFlag, type ListOptions } from './project-api';
import {
  codeReferenceSchema,
  experimentSchema,
  metricSchema,
  paginatedSchema,
  statusSchema,
  type CodeReferenceResponse,
  type ExperimentResponse,
  type MetricResponse,
  type Paginated,
  type StatusResponse,
} from '../wire/schemas';
import {
  assertEntityName,
  assertExperimentId,
  assertLogLines,
  assertMetricPoints,
  assertStatus,
  assertTags,
  pageQuery,
  type ExperimentStatus,
} from './validate';

/** The contract sends one field per PATCH; several at once are accepted by the server too. */
export interface ExperimentPatch {
  name?: string;
  description?: string;
  tags?: string[];
  params?: Record<string, unknown>;
  data_refs?: Record<string, string>;
  run_env?: RunEnv;
  framework?: string;
  backend?: string;
  /** `true`: tags append unseen ones, params and data_refs are dict-updated. Otherwise: replace. */
  merge?: boolean;
  [field: string]: unknown;
}

export interface StatusCreate {
  status: ExperimentStatus;
  message?: string;
  traceback?: string;
}

export interface MetricPoint {
  /** Metric name to number; `step` is just one more key. */
  values: Record<string, number | boolean>;
  /** Python `str(datetime)` form, e.g. `2020-03-04 10:33:50.123456+00:00`; default: the server's clock. */
  created_at?: string;
}

const statusPage = paginatedSchema(statusSchema);
const metricPage = paginatedSchema(metricSchema);

/** One experiment's resources (Polyaxon's `ExperimentApi`). */
export class ExperimentApi {
  /** @internal Built by PolyaxonClient. */
  constructor(private readonly http: HttpCaller) {}

  async get(user: string, project: string, id: number): Promise<ExperimentResponse> {
    return this.http.call({ method: 'GET', path: experimentPath(user, project, id) }, experimentSchema);
  }

  async update(user: string, project: string, id: number, patch: ExperimentPatch): Promise<ExperimentResponse> {
    const path = experimentPath(user, project, id);
    if (patch.name !== undefined && patch.name !== null) assertEntityName('name', patch.name);
    assertTags('tags', patch.tags);
    return this.http.call({ method: 'PATCH', path, json: withMergeFlag(patch) }, experimentSchema);
  }

  async delete(user: string, project: string, id: number): Promise<void> {
    await this.http.send({ method: 'DELETE', path: experimentPath(user, project, id) });
  }

  async getStatuses(user: string, project: string, id: number, options: ListOptions = {}): Promise<Paginated<StatusResponse>> {
    const path = [...experimentPath(user, project, id), 'statuses'];
    return this.http.call({ method: 'GET', path, query: pageQuery(options) }, statusPage);
  }

  async createStatus(user: string, project: string, id: number, status: StatusCreate): Promise<StatusResponse> {
    const path = [...experimentPath(user, project, id), 'statuses'];
    assertStatus(status?.status);
    // The Python client adds `message` and `traceback` only when they are set.
    const json: Record<string, string> = { status: status.status };
    if (status.message) json.message = status.message;
    if (status.traceback) json.traceback = status.traceback;
    return this.http.call({ method: 'POST', path, json }, statusSchema);
  }

  async getCodeReference(user: string, project: string, id: number): Promise<CodeReferenceResponse> {
    const path = [...experimentPath(user, project, id), 'coderef'];
    return this.http.call({ method: 'GET', path }, codeReferenceSchema);
  }

  /** `null` (outside a git repository) posts no body at all, as the Python client does. */
  async createCodeReference(user: string, project: string, id: number, codeRef: CodeRef | null): Promise<CodeReferenceResponse | null> {
    const path = [...experimentPath(user, project, id), 'coderef'];
    const json = codeRef ?? undefined;
    return this.http.callOptional({ method: 'POST', path, json }, codeReferenceSchema);
  }

  async getMetrics(user: string, project: string, id: number, options: ListOptions = {}): Promise<Paginated<MetricResponse>> {
    const path = [...experimentPath(user, project, id), 'metrics'];
    return this.http.call({ method: 'GET', path, query: pageQuery(options) }, metricPage);
  }

  /** Always a JSON array body, even for one point (the contract's batching shape). */
  async createMetrics(user: string, project: string, id: number, points: MetricPoint[]): Promise<void> {
    const path = [...experimentPath(user, project, id), 'metrics'];
    assertMetricPoints(points);
    await this.http.send({ method: 'POST', path, json: points });
  }

  /** The experiment's log text, lines joined with `\n`. */
  async getLogs(user: string, project: string, id: number): Promise<string> {
    const answer = await this.http.send({ method: 'GET', path: [...experimentPath(user, project, id), 'logs'] });
    return logText(answer.body);
  }

  /** Posts log lines as a JSON array of strings. */
  async sendLogs(user: string, project: string, id: number, lines: string[]): Promise<void> {
    const path = [...experimentPath(user, project, id), 'logs'];
    assertLogLines(lines);
    await this.http.send({ method: 'POST', path, json: lines });
  }

  /** Keeps a running experiment from being failed as a zombie after 30 minutes of silence. */
  async heartbeat(user: string, project: string, id: number): Promise<void> {
    await this.http.send({ method: 'POST', path: [...experimentPath(user, project, id), '_heartbeat'] });
  }

  async stop(user: string, project: string, id: number): Promise<void> {
    await this.http.send({ method: 'POST', path: [...experimentPath(user, project, id), 'stop'] });
  }
}

function experimentPath(user: string, project: string, id: number): Array<string | number> {
  checkProjectPath(user, project);
  assertExperimentId(id);
  return [user, project, 'experiments', id];
}

/** Polyaxon serves logs as text; a JSON list of lines or `{logs}` is read the same way. */
function logText(body: unknown): string {
  if (body === undefined || body === null) return '';
  if (typeof body === 'string') return body;
  if (Array.isArray(body)) return body.map(String).join('\n');
  const logs = (body as { logs?: unknown }).logs;
  if (logs !== undefined) return logText(logs);
  return JSON.stringify(body);
}
