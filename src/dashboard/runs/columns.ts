import type { Run } from '../api/runs';
import { formatDate, formatDuration, formatValue } from '../ui/format';

/** A table column: fixed ones, then one per metric (last value) and per param, keyed `metric:NAME`, `param:NAME`. */
export interface Column {
  key: string;
  label: string;
  kind: 'fixed' | 'metric' | 'param';
  widthPx: number;
  numeric: boolean;
  value(run: Run): string | number | null;
  text(run: Run): string;
}

const durationSeconds = (run: Run, nowMs: number): number | null =>
  run.startedMs === null ? null : ((run.finishedMs ?? nowMs) - run.startedMs) / 1000;

export function fixedColumns(nowMs: number): Column[] {
  return [
    { key: 'id', label: 'id', kind: 'fixed', widthPx: 56, numeric: true, value: (run) => run.id, text: (run) => String(run.id) },
    { key: 'name', label: 'name', kind: 'fixed', widthPx: 200, numeric: false, value: (run) => run.name, text: (run) => run.name },
    { key: 'status', label: 'status', kind: 'fixed', widthPx: 92, numeric: false, value: (run) => run.status, text: (run) => run.status },
    { key: 'tags', label: 'tags', kind: 'fixed', widthPx: 140, numeric: false, value: (run) => run.tags.join(', ') || null, text: (run) => run.tags.join(', ') },
    { key: 'started', label: 'started', kind: 'fixed', widthPx: 104, numeric: true, value: (run) => run.startedMs ?? run.createdMs, text: (run) => formatDate(run.startedMs ?? run.createdMs, true) },
    {
      key: 'duration', label: 'duration', kind: 'fixed', widthPx: 76, numeric: true,
      value: (run) => durationSeconds(run, nowMs), text: (run) => formatDuration(durationSeconds(run, nowMs)),
    },
  ];
}

export function metricColumn(name: string): Column {
  return {
    key: `metric:${name}`, label: name, kind: 'metric', widthPx: 96, numeric: true,
    value: (run) => run.metrics.get(name) ?? null,
    text: (run) => formatValue(run.metrics.get(name)),
  };
}

export function paramColumn(name: string): Column {
  return {
    key: `param:${name}`, label: name, kind: 'param', widthPx: 96, numeric: false,
    value: (run) => {
      const value = run.params.get(name);
      return typeof value === 'number' || typeof value === 'string' ? value : value === undefined || value === null ? null : JSON.stringify(value);
    },
    text: (run) => formatValue(run.params.get(name)),
  };
}

/** Metric (but not `step`) and param names found in any run, in name order. */
export function namesIn(runs: readonly Run[]): { metrics: string[]; params: string[] } {
  const metrics = new Set<string>();
  const params = new Set<string>();
  for (const run of runs) {
    for (const name of run.metrics.keys()) metrics.add(name);
    for (const name of run.params.keys()) params.add(name);
  }
  metrics.delete('step');
  const order = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return { metrics: [...metrics].sort(order), params: [...params].sort(order) };
}

const DEFAULT_METRIC_COLUMNS = 8;
const DEFAULT_PARAM_COLUMNS = 6;

/** The optional columns shown: the chosen keys, or by default the first metrics and params. */
export function visibleColumns(runs: readonly Run[], chosen: string[] | null, nowMs: number): { shown: Column[]; available: Column[] } {
  const { metrics, params } = namesIn(runs);
  const available = [...metrics.map(metricColumn), ...params.map(paramColumn)];
  const optional = chosen === null
    ? [...metrics.slice(0, DEFAULT_METRIC_COLUMNS).map(metricColumn), ...params.slice(0, DEFAULT_PARAM_COLUMNS).map(paramColumn)]
    : available.filter((column) => chosen.includes(column.key));
  return { shown: [...fixedColumns(nowMs), ...optional], available };
}

/**
 * Runs ordered by `sort` (a column key, `-` for descending), missing values last either way.
 * Keys are read once per run, so 10,000 runs sort in a few milliseconds.
 */
export function sortRuns(runs: readonly Run[], sort: string, columns: readonly Column[]): Run[] {
  const descending = sort.startsWith('-');
  const key = descending ? sort.slice(1) : sort;
  const column = columns.find((candidate) => candidate.key === key) ?? columns[0];
  const keyed = runs.map((run) => ({ run, value: column.value(run) }));
  const direction = descending ? -1 : 1;
  keyed.sort((a, b) => {
    if (a.value === null || b.value === null) return a.value === b.value ? b.run.id - a.run.id : a.value === null ? 1 : -1;
    if (typeof a.value === 'number' && typeof b.value === 'number') return (a.value - b.value) * direction || b.run.id - a.run.id;
    const left = String(a.value);
    const right = String(b.value);
    return (left < right ? -1 : left > right ? 1 : 0) * direction || b.run.id - a.run.id;
  });
  return keyed.map((entry) => entry.run);
}
