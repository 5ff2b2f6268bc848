import uPlot from 'uplot';
import { smooth } from './smoothing';

/** One run's line on one chart. */
export interface ChartLine {
  run: number;
  label: string;
  color: string;
  x: number[];
  y: Array<number | null>;
}

/**
 * uPlot's data for `lines`: one shared x array and, per run, the raw series then the smoothed one
 * (the raw one is drawn faint behind). Runs with different x values are joined; a run without a
 * point at some x gets `undefined` there, which uPlot bridges rather than breaking the line.
 */
export function alignLines(lines: readonly ChartLine[], smoothing: number, logY: boolean): uPlot.AlignedData {
  const tables = lines.map((line) => {
    const y = logY ? line.y.map((value) => (value !== null && value > 0 ? value : null)) : line.y;
    return [line.x, y, smooth(y, smoothing)] as uPlot.AlignedData;
  });
  if (tables.length === 0) return [[]];
  if (tables.length === 1) return tables[0];
  return uPlot.join(tables as uPlot.AlignedData[]);
}

/** Index of the point of `xs` (ascending) nearest to `x`, or -1 when empty. */
export function nearestIndex(xs: ArrayLike<number>, x: number): number {
  if (xs.length === 0) return -1;
  let low = 0;
  let high = xs.length - 1;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (xs[middle] < x) low = middle + 1;
    else high = middle;
  }
  if (low > 0 && Math.abs(xs[low - 1] - x) <= Math.abs(xs[low] - x)) return low - 1;
  return low;
}
