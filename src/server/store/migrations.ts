import type { Database } from './sqlite';

/**
 * The schema, as numbered steps. A database records each step it has taken in `schema_migration`;
 * opening runs the missing ones in order, each in its own transaction, so a crash mid-upgrade
 * leaves the previous version whole. A database newer than this code is refused, never downgraded.
 *
 * Tables follow Polyaxon 0.6's models (polyaxon/db/models/{projects,experiments,repos}.py):
 * `project`, `experiment`, `experiment_status`, `experiment_metric`, `code_reference`, with
 * Polyaxon's column names; JSON fields (tags, params, run_env, values...) are JSON text, so what
 * a client sent reads back with the same JSON types.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'projects, experiments, statuses, metrics, series blocks, logs, code references, idempotency keys',
    sql: `
      -- Ids are handed out from here, never from MAX(id)+1, so a deleted row's id is never reused.
      CREATE TABLE id_sequence (kind TEXT PRIMARY KEY, last_id INTEGER NOT NULL) WITHOUT ROWID;
      INSERT INTO id_sequence (kind, last_id) VALUES
        ('project', 0), ('experiment', 0), ('status', 0), ('metric', 0), ('codeReference', 0);

      CREATE TABLE project (
        id INTEGER PRIMARY KEY,
        uuid TEXT NOT NULL,
        user TEXT NOT NULL,
        name TEXT NOT NULL,
        description TEXT,
        readme TEXT,
        tags TEXT NOT NULL,
        is_public INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (user, name)
      );

      CREATE TABLE code_reference (
        id INTEGER PRIMARY KEY,
        "commit" TEXT,
        head TEXT,
        branch TEXT,
        git_url TEXT,
        is_dirty INTEGER
      );

      CREATE TABLE experiment (
        id INTEGER PRIMARY KEY,
        uuid TEXT NOT NULL,
        project_id INTEGER NOT NULL,
        user TEXT NOT NULL,
        name TEXT,
        description TEXT,
        readme TEXT,
        original_experiment INTEGER,
        content TEXT,
        params TEXT,
        backend TEXT,
        framework TEXT,
        is_managed INTEGER NOT NULL,
        run_env TEXT,
        data_refs TEXT,
        tags TEXT,
        ttl INTEGER,
        code_reference_id INTEGER,
        last_status TEXT,
        last_metric TEXT,
        -- Points stored so far: the next point's position in the run (metrics paging, series x).
        metric_count INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT
      );
      CREATE INDEX experiment_by_project ON experiment (project_id);
      CREATE INDEX experiment_by_status ON experiment (last_status);

      CREATE TABLE experiment_status (
        id INTEGER PRIMARY KEY,
        uuid TEXT NOT NULL,
        experiment_id INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        status TEXT NOT NULL,
        message TEXT,
        traceback TEXT
      );
      CREATE INDEX experiment_status_by_experiment ON experiment_status (experiment_id, id);

      -- One row holds the consecutive points of one request (at most a block's worth): point i
      -- has id first_id+i, position first_seq+i in the run, and line i of created_at and values
      -- (one JSON object per line). A b-tree insert per point would cost more than the rest of
      -- the request together.
      CREATE TABLE experiment_metric (
        experiment_id INTEGER NOT NULL,
        first_seq INTEGER NOT NULL,
        first_id INTEGER NOT NULL,
        count INTEGER NOT NULL,
        uuids BLOB NOT NULL,
        created_at TEXT NOT NULL,
        "values" TEXT NOT NULL,
        PRIMARY KEY (experiment_id, first_seq)
      ) WITHOUT ROWID;

      -- Per metric name: its points as numbers, in blocks with a summary each, kept at ingest so
      -- a chart of a long series reads summaries instead of every point (series/downsample.ts).
      CREATE TABLE metric_series (
        experiment_id INTEGER NOT NULL,
        name TEXT NOT NULL,
        point_count INTEGER NOT NULL,
        PRIMARY KEY (experiment_id, name)
      ) WITHOUT ROWID;
      -- Summaries apart from the points: a chart reads every summary, densely packed, and only
      -- the blocks it needs.
      CREATE TABLE metric_series_summary (
        experiment_id INTEGER NOT NULL,
        name TEXT NOT NULL,
        block_no INTEGER NOT NULL,
        summary BLOB NOT NULL,
        PRIMARY KEY (experiment_id, name, block_no)
      ) WITHOUT ROWID;
      CREATE TABLE metric_series_block (
        experiment_id INTEGER NOT NULL,
        name TEXT NOT NULL,
        block_no INTEGER NOT NULL,
        data BLOB NOT NULL,
        PRIMARY KEY (experiment_id, name, block_no)
      );

      CREATE TABLE experiment_log (
        id INTEGER PRIMARY KEY,
        experiment_id INTEGER NOT NULL,
        line TEXT NOT NULL
      );
      CREATE INDEX experiment_log_by_experiment ON experiment_log (experiment_id, id);

      -- The answer to replay for a repeated Idempotency-Key, written in the same transaction as
      -- the data it acknowledges: both are stored, or neither.
      CREATE TABLE idempotency_key (
        user TEXT NOT NULL,
        key TEXT NOT NULL,
        status INTEGER NOT NULL,
        body TEXT,
        created_at TEXT NOT NULL,
        PRIMARY KEY (user, key)
      );

      -- JSONL journals of earlier versions imported into this database (the files are kept).
      CREATE TABLE journal_import (
        source TEXT NOT NULL,
        imported_at TEXT NOT NULL,
        entries INTEGER NOT NULL,
        skipped_lines INTEGER NOT NULL,
        bytes INTEGER NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'experiment names indexed: per project for the uniqueness check, alone for the rename count',
    sql: `
      -- A create looks its name up in the project and, when taken, counts names starting with it
      -- in every project (experiment-names.ts); without these, each create read every experiment
      -- of the project. experiment_by_project stays: it lists a project's experiments in id order
      -- without sorting them (a page of the list reads only its own rows).
      CREATE INDEX experiment_by_project_name ON experiment (project_id, name);
      CREATE INDEX experiment_by_name ON experiment (name);
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

/** The version the database is at: 0 for a new, empty file. */
export function schemaVersion(db: Database): number {
  const table = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migration'").get();
  if (!table) return 0;
  return (db.prepare('SELECT MAX(version) FROM schema_migration').pluck().get() as number | null) ?? 0;
}

/** Runs the steps this database has not taken; refuses a database written by a newer version. */
export function migrate(db: Database, file: string): void {
  const current = schemaVersion(db);
  if (current > SCHEMA_VERSION) {
    throw new Error(`${file} has schema version ${current}, newer than this server's ${SCHEMA_VERSION}: upgrade polyaxon-tracking`);
  }
  for (const step of MIGRATIONS) {
    if (step.version <= current) continue;
    db.transaction(() => {
      db.exec('CREATE TABLE IF NOT EXISTS schema_migration (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
      db.exec(step.sql);
      db.prepare('INSERT INTO schema_migration (version, name, applied_at) VALUES (?, ?, ?)').run(step.version, step.name, new Date().toISOString());
    })();
  }
}
