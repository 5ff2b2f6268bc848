import type { Database, Statement } from './sqlite';

/** Most points in a series block: a summary per block lets a chart skip reading most points. */
export const SERIES_BLOCK_POINTS = 512;
/**
 * A request's points join the last block only while it holds fewer than this: the rewrite of
 * that block stays small, and blocks hold a few hundred points when requests carry many.
 */
const JOIN_BELOW_POINTS = 256;

/**
 * A block's summary, as a Float64Array at these indexes. `*At*` are the points of the minimum and
 * maximum y (nulls skipped; -1 when every y is null); `sorted` flags say whether x never
 * decreases inside the block. Stored little-endian as the machine writes it (x86-64 and ARM).
 */
export const SUMMARY = {
  count: 0,
  stepFirst: 1, stepLast: 2, timeFirst: 3, timeLast: 4, yFirst: 5, yLast: 6,
  minAt: 7, yMin: 8, stepAtMin: 9, timeAtMin: 10,
  maxAt: 11, yMax: 12, stepAtMax: 13, timeAtMax: 14,
  stepSorted: 15, timeSorted: 16,
} as const;
const SUMMARY_LENGTH = 17;

/** One point of a series: `step` is the x for `x=step`, `time` Unix seconds, `y` NaN for null. */
export interface SeriesPoints {
  step: number[];
  time: number[];
  y: number[];
}

export interface SeriesBlockSummary {
  blockNo: number;
  summary: Float64Array;
}

/**
 * The `metric_series` and `metric_series_block` tables: each metric name's points as numbers
 * (block data is step, time, y per point, interleaved), appended in the request's transaction.
 */
export class SeriesBlocks {
  readonly #tail: Statement;
  readonly #insert: Statement;
  readonly #insertSummary: Statement;
  readonly #update: Statement;
  readonly #updateSummary: Statement;
  readonly #count: Statement;
  readonly #names: Statement;
  readonly #summaries: Statement;
  readonly #data: Statement;
  readonly #deleteSeries: Statement;
  readonly #deleteBlocks: Statement;
  readonly #deleteSummaries: Statement;

  constructor(db: Database) {
    this.#tail = db.prepare(
      'SELECT block_no, data FROM metric_series_block WHERE experiment_id = ? AND name = ? ORDER BY block_no DESC LIMIT 1',
    );
    this.#insert = db.prepare('INSERT INTO metric_series_block (experiment_id, name, block_no, data) VALUES (?, ?, ?, ?)');
    this.#insertSummary = db.prepare('INSERT INTO metric_series_summary (experiment_id, name, block_no, summary) VALUES (?, ?, ?, ?)');
    this.#update = db.prepare('UPDATE metric_series_block SET data = ? WHERE experiment_id = ? AND name = ? AND block_no = ?');
    this.#updateSummary = db.prepare('UPDATE metric_series_summary SET summary = ? WHERE experiment_id = ? AND name = ? AND block_no = ?');
    this.#count = db.prepare(
      `INSERT INTO metric_series (experiment_id, name, point_count) VALUES (?, ?, ?)
       ON CONFLICT (experiment_id, name) DO UPDATE SET point_count = point_count + excluded.point_count`,
    );
    this.#names = db.prepare('SELECT name, point_count FROM metric_series WHERE experiment_id = ?');
    this.#summaries = db.prepare('SELECT block_no, summary FROM metric_series_summary WHERE experiment_id = ? AND name = ? ORDER BY block_no');
    this.#data = db.prepare('SELECT data FROM metric_series_block WHERE experiment_id = ? AND name = ? AND block_no = ?').pluck();
    this.#deleteSeries = db.prepare('DELETE FROM metric_series WHERE experiment_id = ?');
    this.#deleteBlocks = db.prepare('DELETE FROM metric_series_block WHERE experiment_id = ?');
    this.#deleteSummaries = db.prepare('DELETE FROM metric_series_summary WHERE experiment_id = ?');
  }

  append(experimentId: number, name: string, points: SeriesPoints): void {
    const total = points.y.length;
    let next = 0;
    const tail = this.#tail.get(experimentId, name) as { block_no: number; data: Buffer } | undefined;
    let blockNo = 0;
    if (tail) {
      const stored = toFloats(tail.data);
      blockNo = tail.block_no + 1;
      if (stored.length / 3 < JOIN_BELOW_POINTS) {
        next = Math.min(SERIES_BLOCK_POINTS - stored.length / 3, total);
        const data = new Float64Array(stored.length + next * 3);
        data.set(stored);
        fill(data, stored.length / 3, points, 0, next);
        this.#update.run(toBytes(data), experimentId, name, tail.block_no);
        this.#updateSummary.run(toBytes(summarize(data)), experimentId, name, tail.block_no);
      }
    }
    while (next < total) {
      const count = Math.min(SERIES_BLOCK_POINTS, total - next);
      const data = new Float64Array(count * 3);
      fill(data, 0, points, next, count);
      this.#insert.run(experimentId, name, blockNo, toBytes(data));
      this.#insertSummary.run(experimentId, name, blockNo, toBytes(summarize(data)));
      blockNo += 1;
      next += count;
    }
    this.#count.run(experimentId, name, total);
  }

  /** Metric names of the experiment with their point counts. */
  names(experimentId: number): Array<{ name: string; count: number }> {
    return (this.#names.all(experimentId) as Array<{ name: string; point_count: number }>).map((row) => ({
      name: row.name,
      count: row.point_count,
    }));
  }

  summaries(experimentId: number, name: string): SeriesBlockSummary[] {
    return (this.#summaries.all(experimentId, name) as Array<{ block_no: number; summary: Buffer }>).map((row) => ({
      blockNo: row.block_no,
      summary: toFloats(row.summary),
    }));
  }

  /** A block's points: step, time, y for each point in turn. */
  data(experimentId: number, name: string, blockNo: number): Float64Array {
    return toFloats(this.#data.get(experimentId, name, blockNo) as Buffer);
  }

  deleteOfExperiment(experimentId: number): void {
    this.#deleteSeries.run(experimentId);
    this.#deleteBlocks.run(experimentId);
    this.#deleteSummaries.run(experimentId);
  }
}

function fill(data: Float64Array, at: number, points: SeriesPoints, from: number, count: number): void {
  for (let index = 0; index < count; index += 1) {
    const to = (at + index) * 3;
    data[to] = points.step[from + index];
    data[to + 1] = points.time[from + index];
    data[to + 2] = points.y[from + index];
  }
}

export function summarize(data: Float64Array): Float64Array {
  const summary = new Float64Array(SUMMARY_LENGTH);
  const count = data.length / 3;
  summary[SUMMARY.count] = count;
  summary[SUMMARY.stepFirst] = data[0];
  summary[SUMMARY.timeFirst] = data[1];
  summary[SUMMARY.yFirst] = data[2];
  summary[SUMMARY.stepLast] = data[(count - 1) * 3];
  summary[SUMMARY.timeLast] = data[(count - 1) * 3 + 1];
  summary[SUMMARY.yLast] = data[(count - 1) * 3 + 2];
  let minAt = -1;
  let maxAt = -1;
  let stepSorted = 1;
  let timeSorted = 1;
  for (let index = 0; index < count; index += 1) {
    const y = data[index * 3 + 2];
    if (index > 0) {
      if (data[index * 3] < data[(index - 1) * 3]) stepSorted = 0;
      if (data[index * 3 + 1] < data[(index - 1) * 3 + 1]) timeSorted = 0;
    }
    if (Number.isNaN(y)) continue;
    if (minAt < 0 || y < data[minAt * 3 + 2]) minAt = index;
    if (maxAt < 0 || y > data[maxAt * 3 + 2]) maxAt = index;
  }
  summary[SUMMARY.minAt] = minAt;
  summary[SUMMARY.maxAt] = maxAt;
  if (minAt >= 0) {
    summary[SUMMARY.yMin] = data[minAt * 3 + 2];
    summary[SUMMARY.stepAtMin] = data[minAt * 3];
    summary[SUMMARY.timeAtMin] = data[minAt * 3 + 1];
    summary[SUMMARY.yMax] = data[maxAt * 3 + 2];
    summary[SUMMARY.stepAtMax] = data[maxAt * 3];
    summary[SUMMARY.timeAtMax] = data[maxAt * 3 + 1];
  }
  summary[SUMMARY.stepSorted] = stepSorted;
  summary[SUMMARY.timeSorted] = timeSorted;
  return summary;
}

function toBytes(floats: Float64Array): Buffer {
  return Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength);
}

/** A view when the bytes are 8-byte aligned, else a copy (a Float64Array needs the alignment). */
function toFloats(bytes: Buffer): Float64Array {
  if (bytes.byteOffset % 8 === 0) return new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8);
  return new Float64Array(new Uint8Array(bytes).buffer);
}
