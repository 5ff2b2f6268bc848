import type { CodeReference, ExperimentFields, ExperimentRecord } from '../model';
import { FieldUpdates, fromFlag, fromJsonColumn, fromRawJsonColumn, toFlag, toJsonColumn } from './columns';
import type { Database, Statement } from './sqlite';

interface ExperimentRow {
  id: number;
  uuid: string;
  project_id: number;
  user: string;
  name: string | null;
  description: string | null;
  readme: string | null;
  original_experiment: number | null;
  content: string | null;
  params: string | null;
  backend: string | null;
  framework: string | null;
  is_managed: number;
  run_env: string | null;
  data_refs: string | null;
  tags: string | null;
  ttl: number | null;
  last_status: string | null;
  last_metric: string | null;
  metric_count: number;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  finished_at: string | null;
  code_reference_id: number | null;
  cr_commit: string | null;
  cr_head: string | null;
  cr_branch: string | null;
  cr_git_url: string | null;
  cr_is_dirty: number | null;
}

/** Writable fields kept as JSON text; the others are plain columns of the same name. */
const JSON_FIELDS = new Set(['content', 'params', 'run_env', 'data_refs', 'tags']);
const FIELDS = new Set([
  'name', 'description', 'readme', 'original_experiment', 'content', 'params', 'backend', 'framework',
  'is_managed', 'run_env', 'data_refs', 'tags', 'ttl',
]);

const SELECT = `SELECT e.*, c."commit" AS cr_commit, c.head AS cr_head, c.branch AS cr_branch, c.git_url AS cr_git_url,
  c.is_dirty AS cr_is_dirty FROM experiment e LEFT JOIN code_reference c ON c.id = e.code_reference_id`;

/** The `experiment` table, with its code reference (`code_reference`) joined in. */
export class Experiments {
  readonly #insert: Statement;
  readonly #byId: Statement;
  readonly #ofProject: Statement;
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
    this.#byId = db.prepare(`${SELECT} WHERE e.id = ?`);
    this.#ofProject = db.prepare(`${SELECT} WHERE e.project_id = ? ORDER BY e.id`);
    this.#countOfProject = db.prepare('SELECT COUNT(*) FROM experiment WHERE project_id = ?').pluck();
    this.#named = db.prepare('SELECT id FROM experiment WHERE project_id = ? AND name = ?').pluck();
    // Case-sensitive, as Postgres' LIKE 'name%' (SQLite's LIKE ignores ASCII case).
    this.#namesStartingWith = db.prepare('SELECT COUNT(*) FROM experiment WHERE name <> @name AND substr(name, 1, length(@name)) = @name').pluck();
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
  return {
    id: row.id,
    uuid: row.uuid,
    projectId: row.project_id,
    user: row.user,
    name: row.name,
    description: row.description,
    readme: row.readme,
    original_experiment: row.original_experiment,
    content: fromRawJsonColumn(row.content),
    params: fromRawJsonColumn(row.params),
    backend: row.backend,
    framework: row.framework,
    is_managed: row.is_managed === 1,
    run_env: fromRawJsonColumn(row.run_env),
    data_refs: fromRawJsonColumn(row.data_refs),
    tags: fromJsonColumn(row.tags),
    ttl: row.ttl,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    lastStatus: row.last_status,
    lastMetric: fromRawJsonColumn(row.last_metric),
    codeReference:
      row.code_reference_id === null
        ? null
        : {
            id: row.code_reference_id,
            commit: row.cr_commit,
            head: row.cr_head,
            branch: row.cr_branch,
            git_url: row.cr_git_url,
            is_dirty: fromFlag(row.cr_is_dirty),
          },
  };
}
