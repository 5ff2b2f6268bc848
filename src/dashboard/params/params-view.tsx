import { useMemo, useState } from 'preact/hooks';
import type { Run } from '../api/runs';
import { namesIn } from '../runs/columns';
import { updateView } from '../state/view-store';
import type { ViewState } from '../state/url-state';
import { colorOf } from '../ui/colors';
import { formatValue } from '../ui/format';
import { buildAxes } from './axes';
import { diffParams } from './diff';
import { ParallelCoords, inBrushes, type Brushes } from './parallel-coords';

export interface ParamsViewProps {
  view: ViewState;
  /** The selected runs (diff table). */
  selected: Run[];
  /** Every run the table's filter lets through (parallel coordinates). */
  filtered: Run[];
  themeVersion: number;
  onOpen(id: number): void;
}

const MAX_SELECT_FROM_BRUSH = 20;

export function ParamsView({ view, selected, filtered, themeVersion, onOpen }: ParamsViewProps) {
  const [showAll, setShowAll] = useState(false);
  const [brushes, setBrushes] = useState<Brushes>(new Map());
  const metrics = useMemo(() => namesIn(filtered).metrics, [filtered]);
  const metric = metrics.includes(view.metric) ? view.metric : defaultMetric(metrics);
  const axes = useMemo(() => buildAxes(filtered, metric), [filtered, metric]);
  const brushed = useMemo(() => filtered.filter((run) => inBrushes(run, axes, brushes)), [filtered, axes, brushes]);
  const names = diffParams(selected, showAll);

  return (
    <div class="params-view">
      <section class="panel">
        <header class="panel-head">
          <h2>Params of the selected runs</h2>
          <label><input type="checkbox" checked={showAll} onChange={() => setShowAll(!showAll)} /> all params (not only those that differ)</label>
        </header>
        {selected.length === 0 ? (
          <p class="empty">Select runs in the table to compare their params.</p>
        ) : names.length === 0 ? (
          <p class="empty">The selected runs have the same params.</p>
        ) : (
          <div class="table-scroll">
            <table class="diff-table">
              <thead>
                <tr>
                  <th>param</th>
                  {selected.map((run) => (
                    <th key={run.id}>
                      <i class="swatch" style={{ background: colorOf(run.id) }} />
                      <a href={`?run=${run.id}`} onClick={(event) => { event.preventDefault(); onOpen(run.id); }}>{run.name}</a>
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {names.map((name) => (
                  <tr key={name}>
                    <th scope="row">{name}</th>
                    {selected.map((run) => <td key={run.id}>{run.params.has(name) ? formatValue(run.params.get(name)) : '—'}</td>)}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section class="panel">
        <header class="panel-head">
          <h2>Parallel coordinates</h2>
          <label>
            metric{' '}
            <select value={metric} onChange={(event) => updateView({ metric: (event.currentTarget as HTMLSelectElement).value })}>
              {metrics.map((name) => <option key={name} value={name}>{name}</option>)}
            </select>
          </label>
          <span class="hint">
            {brushes.size > 0 ? `${brushed.length} of ${filtered.length} runs in the brushed ranges` : `${filtered.length} runs · drag along an axis to brush, click it to clear`}
          </span>
          {brushes.size > 0 ? (
            <>
              <button type="button" onClick={() => updateView({ selected: brushed.slice(0, MAX_SELECT_FROM_BRUSH).map((run) => run.id), hidden: [] })}>
                select {Math.min(brushed.length, MAX_SELECT_FROM_BRUSH)} brushed runs
              </button>
              <button type="button" class="link" onClick={() => setBrushes(new Map())}>clear brushes</button>
            </>
          ) : null}
        </header>
        {axes.length < 2 ? (
          <p class="empty">Parallel coordinates need runs whose params differ.</p>
        ) : (
          <ParallelCoords
            runs={filtered}
            axes={axes}
            brushes={brushes}
            themeVersion={themeVersion}
            onBrush={(key, range) => {
              const next = new Map(brushes);
              if (range) next.set(key, range);
              else next.delete(key);
              setBrushes(next);
            }}
          />
        )}
      </section>
    </div>
  );
}

/** A validation loss or accuracy when there is one: what a sweep is usually judged by. */
function defaultMetric(metrics: string[]): string {
  const preferred = [/val.*loss/i, /val.*acc/i, /loss/i, /acc/i];
  for (const pattern of preferred) {
    const found = metrics.find((name) => pattern.test(name));
    if (found) return found;
  }
  return metrics[0] ?? '';
}
