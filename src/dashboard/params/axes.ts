import type { Run } from '../api/runs';
import { formatNumber, formatValue } from '../ui/format';

/** One vertical axis of the parallel-coordinates plot: where each run sits on it, 0 (bottom) to 1 (top). */
export interface Axis {
  key: string;
  label: string;
  /** Position of a run on the axis, or null when it has no value there. */
  position(run: Run): number | null;
  /** Labels at positions, drawn beside the axis. */
  ticks: Array<{ at: number; text: string }>;
}

const LOG_SPAN = 100;

function numericAxis(key: string, label: string, read: (run: Run) => unknown, runs: readonly Run[]): Axis {
  const values = runs.map(read).filter((value): value is number => typeof value === 'number' && Number.isFinite(value));
  let low = Math.min(...values);
  let high = Math.max(...values);
  // Learning rates and the like span decades: a log axis spreads them evenly.
  const log = low > 0 && high / low >= LOG_SPAN;
  const map = (value: number) => (log ? Math.log10(value) : value);
  if (low === high) {
    low -= 1;
    high += 1;
  }
  const [from, to] = [map(low), map(high)];
  return {
    key, label: log ? `${label} (log)` : label,
    position: (run) => {
      const value = read(run);
      return typeof value === 'number' && Number.isFinite(value) ? (map(value) - from) / (to - from) : null;
    },
    // Three significant digits are enough to read an axis by.
    ticks: [0, 0.5, 1].map((at) => ({ at, text: formatNumber(Number((log ? 10 ** (from + at * (to - from)) : from + at * (to - from)).toPrecision(3))) })),
  };
}

function categoricalAxis(key: string, label: string, read: (run: Run) => unknown, runs: readonly Run[]): Axis {
  const categories = [...new Set(runs.map((run) => read(run)).filter((value) => value !== undefined && value !== null).map(formatValue))].sort();
  const slot = new Map(categories.map((category, index) => [category, categories.length === 1 ? 0.5 : index / (categories.length - 1)]));
  const every = Math.max(1, Math.ceil(categories.length / 12));
  return {
    key, label,
    position: (run) => {
      const value = read(run);
      return value === undefined || value === null ? null : (slot.get(formatValue(value)) ?? null);
    },
    ticks: categories.filter((_, index) => index % every === 0).map((category) => ({ at: slot.get(category) ?? 0, text: category })),
  };
}

function axisFor(key: string, label: string, read: (run: Run) => unknown, runs: readonly Run[]): Axis {
  const present = runs.map(read).filter((value) => value !== undefined && value !== null);
  return present.length > 0 && present.every((value) => typeof value === 'number')
    ? numericAxis(key, label, read, runs)
    : categoricalAxis(key, label, read, runs);
}

const MAX_PARAM_AXES = 12;

/** Params that take more than one value among `runs` (at most 12), then the chosen metric's last value. */
export function buildAxes(runs: readonly Run[], metric: string): Axis[] {
  const names = new Set<string>();
  for (const run of runs) for (const name of run.params.keys()) names.add(name);
  const varying = [...names].sort().filter((name) => new Set(runs.map((run) => formatValue(run.params.get(name)))).size > 1);
  const axes = varying.slice(0, MAX_PARAM_AXES).map((name) => axisFor(`param:${name}`, name, (run) => run.params.get(name), runs));
  if (metric) axes.push(axisFor(`metric:${metric}`, metric, (run) => run.metrics.get(metric), runs));
  return axes;
}
