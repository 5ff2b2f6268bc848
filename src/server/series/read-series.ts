import { SERIES_BLOCK_POINTS, SUMMARY, type SeriesBlockSummary } from '../store/series-blocks';
import { Buckets } from './buckets';

export type SeriesAxis = 'step' | 'time' | 'relative';

export interface SeriesQuery {
  axis: SeriesAxis;
  /** Most points answered; more in range are downsampled to at most this many. */
  maxPoints: number;
  /** Inclusive x range; the whole series when absent. */
  xMin?: number;
  xMax?: number;
  /** Subtracted from time to give `relative` x (the run's first point's time). */
  origin: number;
}

export interface SeriesAnswer {
  /** Points in range before downsampling. */
  total: number;
  downsampled: boolean;
  x: number[];
  y: Array<number | null>;
}

/** Where a series' blocks come from (the store's SeriesBlocks for one experiment and name). */
export interface SeriesSource {
  summaries(): SeriesBlockSummary[];
  data(blockNo: number): Float64Array;
}

/**
 * One metric's points for a chart. When x never decreases along the series (the usual case:
 * steps and times grow), blocks lying wholly in one bucket are merged from their summaries and
 * only blocks that straddle a bucket edge or the range's ends are read point by point: a
 * 1,000,000-point series at 2,000 points reads its few thousand summaries and at most one block
 * per bucket edge. Otherwise
 * every point in range is read and sorted by x first.
 */
export function readSeries(source: SeriesSource, query: SeriesQuery): SeriesAnswer {
  const blocks = source.summaries();
  if (blocks.length === 0) return { total: 0, downsampled: false, x: [], y: [] };
  const axis = axisOf(query);
  return isSorted(blocks, axis) ? readSorted(source, blocks, axis, query) : readUnsorted(source, blocks, axis, query);
}

interface Axis {
  /** Offset of x within a point's (step, time, y). */
  column: 0 | 1;
  first: number;
  last: number;
  atMin: number;
  atMax: number;
  sorted: number;
  shift: number;
}

function axisOf(query: SeriesQuery): Axis {
  const shift = query.axis === 'relative' ? query.origin : 0;
  return query.axis === 'step'
    ? { column: 0, first: SUMMARY.stepFirst, last: SUMMARY.stepLast, atMin: SUMMARY.stepAtMin, atMax: SUMMARY.stepAtMax, sorted: SUMMARY.stepSorted, shift }
    : { column: 1, first: SUMMARY.timeFirst, last: SUMMARY.timeLast, atMin: SUMMARY.timeAtMin, atMax: SUMMARY.timeAtMax, sorted: SUMMARY.timeSorted, shift };
}

function isSorted(blocks: SeriesBlockSummary[], axis: Axis): boolean {
  for (let index = 0; index < blocks.length; index += 1) {
    const { summary } = blocks[index];
    if (summary[axis.sorted] !== 1) return false;
    if (index > 0 && summary[axis.first] < blocks[index - 1].summary[axis.last]) return false;
  }
  return true;
}

function readSorted(source: SeriesSource, blocks: SeriesBlockSummary[], axis: Axis, query: SeriesQuery): SeriesAnswer {
  const firstX = (block: SeriesBlockSummary) => block.summary[axis.first] - axis.shift;
  const lastX = (block: SeriesBlockSummary) => block.summary[axis.last] - axis.shift;
  const low = query.xMin ?? firstX(blocks[0]);
  const high = query.xMax ?? lastX(blocks[blocks.length - 1]);
  const inRange = blocks.filter((block) => lastX(block) >= low && firstX(block) <= high);
  const whole = (block: SeriesBlockSummary) => firstX(block) >= low && lastX(block) <= high;
  const raw = new Map<number, Float64Array>();
  const dataOf = (block: SeriesBlockSummary) => {
    let data = raw.get(block.blockNo);
    if (!data) raw.set(block.blockNo, (data = source.data(block.blockNo)));
    return data;
  };
  /** Calls `each(order, x, y)` for the block's points in range. */
  const eachPoint = (block: SeriesBlockSummary, each: (order: number, x: number, y: number) => void) => {
    const data = dataOf(block);
    for (let index = 0; index < data.length / 3; index += 1) {
      const x = data[index * 3 + axis.column] - axis.shift;
      if (x >= low && x <= high) each(block.blockNo * SERIES_BLOCK_POINTS + index, x, data[index * 3 + 2]);
    }
  };

  let total = 0;
  for (const block of inRange) {
    if (whole(block)) total += block.summary[SUMMARY.count];
    else eachPoint(block, () => (total += 1));
  }
  if (total <= query.maxPoints) {
    const x: number[] = [];
    const y: Array<number | null> = [];
    for (const block of inRange) {
      eachPoint(block, (_order, pointX, pointY) => {
        x.push(pointX);
        y.push(Number.isNaN(pointY) ? null : pointY);
      });
    }
    return { total, downsampled: false, x, y };
  }

  const buckets = new Buckets(low, high, Math.max(1, Math.floor(query.maxPoints / 4)));
  for (const block of inRange) {
    const { summary } = block;
    if (whole(block) && buckets.bucketOf(firstX(block)) === buckets.bucketOf(lastX(block))) {
      const base = block.blockNo * SERIES_BLOCK_POINTS;
      const count = summary[SUMMARY.count];
      const minAt = summary[SUMMARY.minAt];
      const maxAt = summary[SUMMARY.maxAt];
      buckets.addRun(
        [base, firstX(block), summary[SUMMARY.yFirst]],
        [base + count - 1, lastX(block), summary[SUMMARY.yLast]],
        minAt < 0 ? null : [base + minAt, summary[axis.atMin] - axis.shift, summary[SUMMARY.yMin]],
        maxAt < 0 ? null : [base + summary[SUMMARY.maxAt], summary[axis.atMax] - axis.shift, summary[SUMMARY.yMax]],
      );
    } else {
      eachPoint(block, (order, x, y) => buckets.add(order, x, y));
    }
  }
  return { total, downsampled: true, ...buckets.result() };
}

function readUnsorted(source: SeriesSource, blocks: SeriesBlockSummary[], axis: Axis, query: SeriesQuery): SeriesAnswer {
  const xs: number[] = [];
  const ys: number[] = [];
  for (const block of blocks) {
    const data = source.data(block.blockNo);
    for (let index = 0; index < data.length / 3; index += 1) {
      const x = data[index * 3 + axis.column] - axis.shift;
      if ((query.xMin === undefined || x >= query.xMin) && (query.xMax === undefined || x <= query.xMax)) {
        xs.push(x);
        ys.push(data[index * 3 + 2]);
      }
    }
  }
  // Stable: points with the same x stay in the order they arrived.
  const byX = Array.from(xs.keys()).sort((a, b) => xs[a] - xs[b] || a - b);
  const total = byX.length;
  if (total <= query.maxPoints) {
    return { total, downsampled: false, x: byX.map((at) => xs[at]), y: byX.map((at) => (Number.isNaN(ys[at]) ? null : ys[at])) };
  }
  const buckets = new Buckets(query.xMin ?? xs[byX[0]], query.xMax ?? xs[byX[total - 1]], Math.max(1, Math.floor(query.maxPoints / 4)));
  byX.forEach((at, order) => buckets.add(order, xs[at], ys[at]));
  return { total, downsampled: true, ...buckets.result() };
}
