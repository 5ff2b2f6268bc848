import type { CodeReference, ExperimentFields, ExperimentRecord } from '../model';
import { FieldUpdates, fromFlag, fromJsonColumn, fromRawJsonColumn, toFlag, toJsonColumn } from './columns';
import type { Database, Statement } from './sqlite';

/**
 * The columns read, in the order of a row array: rows are read with `.raw()`, as arrays, because
 * better-sqlite3 building an object per row cost several times the query itself (a list page of
 * 1000 rows was ~25 ms of row objects).
 */
const COLUMNS = [
  'e.id', 'e.uuid', 'e.project_id', 'e.user', 'e.name', 'e.description', 'e.readme', 'e.original_experiment',
  'e.content', 'e.params', 'e.backend', 'e.framework', 'e.is_managed', 'e.run_env', 'e.data_refs', 'e.tags', 'e.ttl',
  'e.last_status', 'e.last_metric', 'e.created_at', 'e.updated_at', 'e.started_at', 'e.finished_at',
  'e.code_reference_id', 'c."commit"', 'c.head', 'c.branch', 'c.git_url', 'c.is_dirty',
] as const;

type ExperimentRow = [
  id: number, uuid: string, project_id: number, user: string, name: string | null, description: string | null,
  readme: string | null, original_experiment: number | null, content: string | null, params: string | null,
  backend: string | null, framework: string | null, is_managed: number, run_env: string | null, data_refs: string | null,
  tags: string | null, ttl: number | null, last_status: string | null, last_metric: string | null, created_at: string,
  updated_at: string, started_at: string | null, finished_at: string | null, code_reference_id: number | null,
  cr_commit: string | null, cr_head: string | null, cr_branch: string | null, cr_git_url: string | null, cr_is_dirty: number | null,
];

/**
 * The list orders SQL reads a page in directly, each ordering as query.ts's compileSort does
 * (ids are unique and never null; `updated_at` is never null and its ISO text orders as time).
 */
export const EXPERIMENT_ORDERS = ['id', '-id', '-updated_at,-id'] as const;
export type ExperimentOrder = (typeof EXPERIMENT_ORDERS)[number];

/** Writable fields kept as JSON text; the others are plain columns of the same name. */
const JSON_FIELDS = new Set(['content', 'params', 'run_env', 'data_refs', 'tags']);
const FIELDS = new Set([
  'name', 'description', 'readme', 'original_experiment', 'content', 'params', 'backend', 'framework',
  'is_managed', 'run_env', 'data_refs', 'tags', 'ttl',
]);

const SELECT = `SELECT ${COLUMNS.join(', ')} FROM experiment e LEFT JOIN code_reference c ON c.id = e.code_reference_id`;

/** The `experiment` table, with its code reference (`code_reference`) joined in. */
export class Experiments {
  readonly #insert: Statement;
  readonly #byId: Statement;
  readonly #ofProject: Statement;
  readonly #pageOfProject: Record<ExperimentOrder, Statement>;
  readonly #countOfProject: Statement;
  readonly #named: Statement;
  readonly #namesStartingWith: Statement;
  readonly #idsOfProject: Statement;
  readonly #running: Statement;
  readonly #delete: Statement;
  readonly #status: Statement;
  readonly #metrics: Statement;
  readonly #metricState: Statement;
  readonly #insertCodeReference: Statement;
  readonly #linkCodeReference: Statement;
  readonly #updates: FieldUpdates;

  constructor(db: Database) {
    this.#updates = new FieldUpdates(db, 'experiment', (field) => field, ['updated_at = @at']);
    this.#insert = db.prepare(
      `INSERT INTO experiment (id, uuid, project_id, user, name, description, readme, original_experiment, content, params,
         backend, framework, is_managed, run_env, data_refs, tags, ttl, last_status, last_metric, created_at, updated_at,
         started_at, finished_at)
       VALUES (@id, @uuid, @project_id, @user, @name, @description, @readme, @original_experiment, @content, @params,
         @backend, @framework, @is_managed, @run_env, @data_refs, @tags, @ttl, @last_status, @last_metric, @created_at,
         @updated_at, @started_at, @finished_at)`,
    );
    this.#byId = db.prepare(`${SELECT} WHERE e.id = ?`).raw();
    this.#ofProject = db.prepare(`${SELECT} WHERE e.project_id = ? ORDER BY e.id`).raw();
    this.#pageOfProject = {
      id: db.prepare(`${SELECT} WHERE e.project_id = ? ORDER BY e.id LIMIT ? OFFSET ?`).raw(),
      '-id': db.prepare(`${SELECT} WHERE e.project_id = ? ORDER BY e.id DESC LIMIT ? OFFSET ?`).raw(),
      '-updated_at,-id': db.prepare(`${SELECT} WHERE e.project_id = ? ORDER BY e.updated_at DESC, e.id DESC LIMIT ? OFFSET ?`).raw(),
    };
    this.#countOfProject = db.prepare('SELECT COUNT(*) FROM experiment WHERE project_id = ?').pluck();
    this.#named = db.prepare('SELECT id FROM experiment WHERE project_id = ? AND name = ?').pluck();
    // Case-sensitive, as Postgres' LIKE 'name%' (SQLite's LIKE ignores ASCII case). Text compares
    // as UTF-8 bytes, which never include 0xFF, so every name extending @name lies between @name
    // and @name followed by that byte: a range of the name index, not a scan of every experiment.
    this.#namesStartingWith = db.prepare(
      `SELECT COUNT(*) FROM experiment
       WHERE name > @name AND name < @name || CAST(x'FF' AS TEXT) AND substr(name, 1, length(@name)) = @name`,
    ).pluck();
    this.#idsOfProject = db.prepare('SELECT id FROM experiment WHERE project_id = ?').pluck();
    this.#running = db.prepare("SELECT id FROM experiment WHERE last_status = 'running' ORDER BY id").pluck();
    this.#delete = db.prepare('DELETE FROM experiment WHERE id = ?');
    // Polyaxon sets each timestamp once: the first start and the first end count.
    this.#status = db.prepare(
      `UPDATE experiment SET last_status = @status, updated_at = @at,
         started_at = CASE WHEN @started AND started_at IS NULL THEN @at ELSE started_at END,
         finished_at = CASE WHEN @done AND finished_at IS NULL THEN @at ELSE finished_at END
       WHERE id = @id`,
    );
    this.#metrics = db.prepare('UPDATE experiment SET last_metric = ?, metric_count = metric_count + ?, updated_at = ? WHERE id = ?');
    this.#metricState = db.prepare('SELECT last_metric, metric_count FROM experiment WHERE id = ?');
    this.#insertCodeReference = db.prepare(
      'INSERT INTO code_reference (id, "commit", head, branch, git_url, is_dirty) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.#linkCodeReference = db.prepare('UPDATE experiment SET code_reference_id = ?, updated_at = ? WHERE id = ?');
  }

  insert(experiment: ExperimentRecord): void {
    const params: Record<string, unknown> = {
      id: experiment.id, uuid: experiment.uuid, project_id: experiment.projectId, user: experiment.user,
      last_status: experiment.lastStatus, last_metric: toJsonColumn(experiment.lastMetric),
      created_at: experiment.createdAt, updated_at: experiment.updatedAt,
      started_at: experiment.startedAt, finished_at: experiment.finishedAt,
    };
    for (const field of FIELDS) params[field] = fieldColumn(field, (experiment as unknown as Record<string, unknown>)[field]);
    this.#insert.run(params);
    if (experiment.codeReference) this.setCodeReference(experiment.id, experiment.codeReference, experiment.updatedAt);
  }

  update(id: number, changes: Partial<ExperimentFields>, at: string): void {
    const fields = Object.keys(changes).filter((field) => FIELDS.has(field) && (changes as Record<string, unknown>)[field] !== undefined).sort();
    const params: Record<string, unknown> = { id, at };
    for (const field of fields) params[field] = fieldColumn(field, (changes as Record<string, unknown>)[field]);
    this.#updates.run(fields, params);
  }

  delete(id: number): void {
    this.#delete.run(id);
  }

  recordStatus(id: number, status: string, at: string, started: boolean, done: boolean): void {
    this.#status.run({ id, status, at, started: started ? 1 : 0, done: done ? 1 : 0 });
  }

  /** `lastMetric` is the JSON object text of each name's last value. */
  recordMetrics(id: number, lastMetric: string, added: number, at: string): void {
    this.#metrics.run(lastMetric, added, at, id);
  }

  /** Points stored for the experiment (the position the next point gets) and its last values (JSON text). */
  metricState(id: number): { count: number; lastMetric: string | null } | undefined {
    const row = this.#metricState.get(id) as { last_metric: string | null; metric_count: number } | undefined;
    return row && { count: row.metric_count, lastMetric: row.last_metric };
  }

  setCodeReference(id: number, reference: CodeReference, at: string): void {
    this.#insertCodeReference.run(reference.id, reference.commit, reference.head, reference.branch, reference.git_url, toFlag(reference.is_dirty));
    this.#linkCodeReference.run(reference.id, at, id);
  }

  get(id: number): ExperimentRecord | undefined {
    const row = this.#byId.get(id) as ExperimentRow | undefined;
    return row && toRecord(row);
  }

  ofProject(projectId: number): ExperimentRecord[] {
    return (this.#ofProject.all(projectId) as ExperimentRow[]).map(toRecord);
  }

  /** Experiments `offset`..`offset + limit - 1` of the project in `order`, read as one query. */
  pageOfProject(projectId: number, order: ExperimentOrder, offset: number, limit: number): ExperimentRecord[] {
    return (this.#pageOfProject[order].all(projectId, limit, offset) as ExperimentRow[]).map(toRecord);
  }

  /** Whether an experiment of the project has this name. */
  isNameTaken(projectId: number, name: string): boolean {
    return this.#named.get(projectId, name) !== undefined;
  }

  /** Experiments of every project whose name starts with `name` and is not `name` itself. */
  countNamesExtending(name: string): number {
    return this.#namesStartingWith.get({ name }) as number;
  }

  idsOfProject(projectId: number): number[] {
    return this.#idsOfProject.all(projectId) as number[];
  }

  countOfProject(projectId: number): number {
    return this.#countOfProject.get(projectId) as number;
  }

  runningIds(): number[] {
    return this.#running.all() as number[];
  }
}

function fieldColumn(field: string, value: unknown): unknown {
  if (value === undefined) return null;
  if (JSON_FIELDS.has(field)) return toJsonColumn(value);
  if (field === 'is_managed') return toFlag(value as boolean);
  return value;
}

function toRecord(row: ExperimentRow): ExperimentRecord {
  const [
    id, uuid, projectId, user, name, description, readme, originalExperiment, content, params, backend, framework,
    isManaged, runEnv, dataRefs, tags, ttl, lastStatus, lastMetric, createdAt, updatedAt, startedAt, finishedAt,
    codeReferenceId, commit, head, branch, gitUrl, isDirty,
  ] = row;
  return {
    id,
    uuid,
    projectId,
    user,
    name,
    description,
    readme,
    original_experiment: originalExperiment,
    content: fromRawJsonColumn(content),
    params: fromRawJsonColumn(params),
    backend,
    framework,
    is_managed: isManaged === 1,
    run_env: fromRawJsonColumn(runEnv),
    data_refs: fromRawJsonColumn(dataRefs),
    tags: fromJsonColumn(tags),
    ttl,
    createdAt,
    updatedAt,
    startedAt,
    finishedAt,
    lastStatus,
    lastMetric: fromRawJsonColumn(lastMetric),
    codeReference:
      codeReferenceId === null
        ? null
        : { id: codeReferenceId, commit, head, branch, git_url: gitUrl, is_dirty: fromFlag(isDirty) },
  };
}
