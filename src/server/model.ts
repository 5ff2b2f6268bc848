import type { RawJson } from './json/raw-json';

/**
 * What the local server stores, and the events that change it. Every computed value (ids,
 * timestamps, renamed names) is decided once, when the request arrives, and carried in the event;
 * the store applies events in the request's transaction. Earlier versions wrote the same events
 * to a JSONL journal (`JournalEntry` lines), which the store imports once (store/journal-import.ts).
 */

export interface UserAccount {
  username: string;
  email: string;
  isSuperuser: boolean;
  token: string;
}

export interface ProjectRecord {
  id: number;
  uuid: string;
  user: string;
  name: string;
  description: string | null;
  readme: string | null;
  tags: string[];
  isPublic: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface CodeReference {
  id: number;
  commit: string | null;
  head: string | null;
  branch: string | null;
  git_url: string | null;
  is_dirty: boolean | null;
}

/**
 * The experiment's writable fields, with Polyaxon's snake_case names as they travel on the wire.
 * JSON fields are kept as the text a client sent (RawJson), so `1.0` and `true` come back as sent.
 */
export interface ExperimentFields {
  name: string | null;
  description: string | null;
  readme: string | null;
  original_experiment: number | null;
  content: RawJson | null;
  params: RawJson | null;
  backend: string | null;
  framework: string | null;
  is_managed: boolean;
  run_env: RawJson | null;
  data_refs: RawJson | null;
  tags: string[] | null;
  ttl: number | null;
}

export interface ExperimentRecord extends ExperimentFields {
  id: number;
  uuid: string;
  projectId: number;
  user: string;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  lastStatus: string | null;
  /** The last value of each metric name (a JSON object text), null before the first point. */
  lastMetric: RawJson | null;
  codeReference: CodeReference | null;
}

export interface StatusRecord {
  id: number;
  uuid: string;
  experiment: number;
  createdAt: string;
  status: string;
  message: string | null;
  traceback: string | null;
}

/** One metric point (Polyaxon's ExperimentMetric has no uuid). */
export interface MetricRecord {
  id: number;
  experiment: number;
  createdAt: string;
  /** Each name's value: a finite number, a boolean or null. */
  values: Record<string, unknown>;
  /** `values` as the client sent it (compact JSON text, never a line break). */
  valuesJson: string;
}

export type ServerEvent =
  | { type: 'project.create'; project: ProjectRecord }
  | { type: 'project.update'; id: number; changes: Partial<ProjectRecord>; at: string }
  | { type: 'project.delete'; id: number }
  | { type: 'experiment.create'; experiment: ExperimentRecord }
  | { type: 'experiment.update'; id: number; changes: Partial<ExperimentFields>; at: string }
  | { type: 'experiment.delete'; id: number }
  | { type: 'status.create'; status: StatusRecord }
  | { type: 'metrics.create'; experiment: number; metrics: MetricRecord[]; at: string }
  | { type: 'logs.append'; experiment: number; lines: string[]; at: string }
  | { type: 'coderef.set'; experiment: number; codeReference: CodeReference; at: string };

/** A response remembered under an `Idempotency-Key`, replayed for a repeated key. */
export interface RememberedResponse {
  status: number;
  body: unknown;
}

/** One journal line: everything one request changed, plus the response to replay for its key. */
export interface JournalEntry {
  v: 1;
  at: string;
  events: ServerEvent[];
  idempotency?: { user: string; key: string; response: RememberedResponse };
}

/** Polyaxon's experiment lifecycle (constants/experiments.py). */
export const STATUSES = [
  'created', 'resuming', 'warning', 'building', 'scheduled', 'starting', 'running', 'succeeded',
  'failed', 'upstream_failed', 'stopped', 'skipped', 'unknown',
] as const;
export const DONE_STATUSES: ReadonlySet<string> = new Set([
  'succeeded', 'failed', 'upstream_failed', 'stopped', 'skipped',
]);
export const STARTED_STATUSES: ReadonlySet<string> = new Set(['starting', 'running']);
