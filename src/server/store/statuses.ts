import type { StatusRecord } from '../model';
import type { Database, Statement } from './sqlite';

interface StatusRow {
  id: number;
  uuid: string;
  experiment_id: number;
  created_at: string;
  status: string;
  message: string | null;
  traceback: string | null;
}

/** The `experiment_status` table: every status an experiment went through, in order. */
export class Statuses {
  readonly #insert: Statement;
  readonly #ofExperiment: Statement;
  readonly #deleteOfExperiment: Statement;

  constructor(db: Database) {
    this.#insert = db.prepare(
      'INSERT INTO experiment_status (id, uuid, experiment_id, created_at, status, message, traceback) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.#ofExperiment = db.prepare('SELECT * FROM experiment_status WHERE experiment_id = ? ORDER BY id');
    this.#deleteOfExperiment = db.prepare('DELETE FROM experiment_status WHERE experiment_id = ?');
  }

  insert(status: StatusRecord): void {
    this.#insert.run(status.id, status.uuid, status.experiment, status.createdAt, status.status, status.message, status.traceback);
  }

  ofExperiment(experimentId: number): StatusRecord[] {
    return (this.#ofExperiment.all(experimentId) as StatusRow[]).map((row) => ({
      id: row.id,
      uuid: row.uuid,
      experiment: row.experiment_id,
      createdAt: row.created_at,
      status: row.status,
      message: row.message,
      traceback: row.traceback,
    }));
  }

  deleteOfExperiment(experimentId: number): void {
    this.#deleteOfExperiment.run(experimentId);
  }
}
