import { useMemo } from 'preact/hooks';
import type { ProjectRef, Run } from '../api/runs';
import type { XAxis } from '../api/types';
import { colorOf } from '../ui/colors';
import type { ChartLine } from './align';
import { ChartPanel, type ChartLook } from './chart-panel';
import { saveCsv } from './export';
import { chartNames, useRunSeries } from './use-series';

export interface ChartGridProps extends ChartLook {
  project: ProjectRef;
  runs: Run[];
  x: XAxis;
  versions: ReadonlyMap<number, number>;
  /** One wide chart per row (the run page); otherwise a grid. */
  wide?: boolean;
}

/** `train/loss` → `train`; a name without `/` goes to the first group. */
const groupOf = (name: string): string => (name.includes('/') ? name.slice(0, name.lastIndexOf('/')) : '');

/** Metric names of `runs`, grouped by prefix (`train/`, `val/`), groups and names in order. */
export function groupMetrics(runs: readonly Run[]): Array<[string, string[]]> {
  const groups = new Map<string, Set<string>>();
  for (const run of runs) {
    for (const name of chartNames(run)) {
      const group = groupOf(name);
      if (!groups.has(group)) groups.set(group, new Set());
      groups.get(group)?.add(name);
    }
  }
  const order = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...groups.entries()].sort(([a], [b]) => order(a, b)).map(([group, names]) => [group, [...names].sort(order)]);
}

/** Every metric of the shown runs, one chart each, grouped by name prefix. */
export function ChartGrid(props: ChartGridProps) {
  const { project, runs, x, zoom } = props;
  const { data, error, complete } = useRunSeries(project, runs, x, zoom, props.versions);
  const runsKey = runs.map((run) => `${run.id}:${run.name}:${colorOf(run.id)}`).join('|');
  const groups = useMemo(() => groupMetrics(runs), [runsKey, runs.map((run) => chartNames(run).join('\n')).join('|')]);
  // Built once per answer, so a re-render (a hover highlight) hands every chart the same arrays.
  const linesByName = useMemo(() => {
    const byName = new Map<string, ChartLine[]>();
    for (const [, names] of groups) {
      for (const name of names) {
        const lines: ChartLine[] = [];
        // Until every run answered, no lines: a chart is built once with all of them, not once per answer.
        for (const run of complete ? runs : []) {
          const series = data.get(run.id)?.get(name);
          if (series) lines.push({ run: run.id, label: run.name, color: colorOf(run.id) ?? '#4e79a7', x: series.x, y: series.y });
        }
        byName.set(name, lines);
      }
    }
    return byName;
  }, [data, groups, runsKey, complete]);
  if (runs.length === 0) return <p class="empty">Select runs in the table to compare them here.</p>;
  if (groups.length === 0) return <p class="empty">These runs have no metrics yet.</p>;
  return (
    <div class="chart-groups">
      {error ? <p class="error">{error}</p> : null}
      {groups.map(([group, names]) => (
        <section class="chart-group" key={group}>
          {group ? <h3 class="group-title">{group}/</h3> : null}
          <div class={props.wide ? 'chart-list' : 'chart-grid'}>
            {names.map((name) => {
              const lines = linesByName.get(name) ?? [];
              return (
                <ChartPanel
                  key={name}
                  title={name}
                  lines={lines}
                  xAxis={x}
                  smoothing={props.smoothing}
                  logY={props.logY}
                  zoom={zoom}
                  onZoom={props.onZoom}
                  highlight={props.highlight}
                  themeVersion={props.themeVersion}
                  heightPx={props.wide ? 180 : undefined}
                  onCsv={() => void saveCsv(project, name, runs.filter((run) => run.metrics.has(name)), x, zoom)}
                />
              );
            })}
          </div>
        </section>
      ))}
    </div>
  );
}
