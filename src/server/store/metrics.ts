import type { MetricRecord } from '../model';
import type { Database, Statement } from './sqlite';

const NO_UUIDS = Buffer.alloc(0);

/** Most points one `experiment_metric` row holds; a larger request is stored in several rows. */
export const METRIC_ROW_POINTS = 1000;

/** A metric point as stored: `valuesJson` is the JSON text of its values, unparsed. */
export interface StoredMetric {
  id: number;
  experiment: number;
  createdAt: string;
  valuesJson: string;
}

interface MetricRow {
  first_seq: number;
  first_id: number;
  count: number;
  uuids: Buffer;
  created_at: string;
  values: string;
}

/**
 * The `experiment_metric` table. Each row holds consecutive points of one request (consecutive
 * ids, consecutive positions in the run); every point keeps Polyaxon's fields: id, created_at
 * and its values as the JSON text the client sent. Polyaxon's metrics have no uuid, so the
 * `uuids` column is left empty (rows of earlier versions keep theirs, unread). Reading a page
 * seeks to the row holding `offset` by the primary key, so page N costs the same as page 1.
 */
export class Metrics {
  readonly #insert: Statement;
  readonly #rowAt: Statement;
  readonly #rowsAfter: Statement;
  readonly #deleteOfExperiment: Statement;

  constructor(db: Database) {
    this.#insert = db.prepare(
      'INSERT INTO experiment_metric (experiment_id, first_seq, first_id, count, uuids, created_at, "values") VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.#rowAt = db.prepare(
      'SELECT * FROM experiment_metric WHERE experiment_id = ? AND first_seq <= ? ORDER BY first_seq DESC LIMIT 1',
    );
    this.#rowsAfter = db.prepare('SELECT * FROM experiment_metric WHERE experiment_id = ? AND first_seq > ? ORDER BY first_seq');
    this.#deleteOfExperiment = db.prepare('DELETE FROM experiment_metric WHERE experiment_id = ?');
  }

  /** Stores `metrics` (in order) from position `firstSeq` of the run on. */
  append(experimentId: number, firstSeq: number, metrics: readonly MetricRecord[]): void {
    let start = 0;
    while (start < metrics.length) {
      let end = start + 1;
      while (end < metrics.length && end - start < METRIC_ROW_POINTS && metrics[end].id === metrics[end - 1].id + 1) end += 1;
      const slice = metrics.slice(start, end);
      this.#insert.run(
        experimentId,
        firstSeq + start,
        slice[0].id,
        slice.length,
        NO_UUIDS,
        slice.map((metric) => metric.createdAt).join('\n'),
        // valuesJson is compact JSON, which never holds a raw line break: lines split back into points.
        slice.map((metric) => metric.valuesJson).join('\n'),
      );
      start = end;
    }
  }

  /** Points `offset` to `offset + limit - 1` of the run, in order. */
  page(experimentId: number, offset: number, limit: number): StoredMetric[] {
    const points: StoredMetric[] = [];
    if (limit <= 0) return points;
    const first = this.#rowAt.get(experimentId, offset) as MetricRow | undefined;
    if (!first) return points;
    const take = (row: MetricRow, from: number) => {
      const createdAt = row.created_at.split('\n');
      const values = row.values.split('\n');
      for (let index = from; index < row.count && points.length < limit; index += 1) {
        points.push({
          id: row.first_id + index,
          experiment: experimentId,
          createdAt: createdAt[index],
          valuesJson: values[index],
        });
      }
    };
    take(first, offset - first.first_seq);
    if (points.length < limit) {
      for (const row of this.#rowsAfter.iterate(experimentId, first.first_seq) as IterableIterator<MetricRow>) {
        take(row, 0);
        if (points.length >= limit) break;
      }
    }
    return points;
  }

  deleteOfExperiment(experimentId: number): void {
    this.#deleteOfExperiment.run(experimentId);
  }
}
