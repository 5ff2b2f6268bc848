import type { Database, Statement } from './sqlite';

/** The `experiment_log` table: an experiment's log lines, in the order they arrived. */
export class Logs {
  readonly #insert: Statement;
  readonly #ofExperiment: Statement;
  readonly #deleteOfExperiment: Statement;

  constructor(db: Database) {
    this.#insert = db.prepare('INSERT INTO experiment_log (experiment_id, line) VALUES (?, ?)');
    this.#ofExperiment = db.prepare('SELECT line FROM experiment_log WHERE experiment_id = ? ORDER BY id').pluck();
    this.#deleteOfExperiment = db.prepare('DELETE FROM experiment_log WHERE experiment_id = ?');
  }

  append(experimentId: number, lines: readonly string[]): void {
    for (const line of lines) this.#insert.run(experimentId, line);
  }

  ofExperiment(experimentId: number): string[] {
    return this.#ofExperiment.all(experimentId) as string[];
  }

  deleteOfExperiment(experimentId: number): void {
    this.#deleteOfExperiment.run(experimentId);
  }
}
