import { useState } from 'preact/hooks';
import type { ProjectRef, Run } from '../api/runs';
import { updateView } from '../state/view-store';
import type { ViewState } from '../state/url-state';
import { colorOf } from '../ui/colors';
import { formatNumber } from '../ui/format';
import { StatusBadge } from '../ui/status-badge';
import { ChartControls } from './chart-controls';
import { ChartGrid } from './chart-grid';

export interface CompareViewProps {
  project: ProjectRef;
  view: ViewState;
  /** The selected runs, in selection order. */
  runs: Run[];
  themeVersion: number;
  versions: ReadonlyMap<number, number>;
  onOpen(id: number): void;
}

/** Selected runs on shared charts, with a legend that hides a run (click) or highlights it (hover). */
export function CompareView({ project, view, runs, themeVersion, versions, onOpen }: CompareViewProps) {
  const [highlight, setHighlight] = useState<number | null>(null);
  const hidden = new Set(view.hidden);
  const shown = runs.filter((run) => !hidden.has(run.id));
  const toggleHidden = (id: number) =>
    updateView({ hidden: hidden.has(id) ? view.hidden.filter((other) => other !== id) : [...view.hidden, id] });
  return (
    <div class="compare">
      <aside class="legend" aria-label="legend">
        <div class="legend-head">
          <span>{runs.length} selected</span>
          {runs.length > 0 ? <button type="button" class="link" onClick={() => updateView({ selected: [], hidden: [] })}>clear</button> : null}
        </div>
        <ul>
          {runs.map((run) => (
            <li
              key={run.id}
              class={`legend-item ${hidden.has(run.id) ? 'off' : ''}`}
              data-run={run.id}
              onMouseEnter={() => setHighlight(run.id)}
              onMouseLeave={() => setHighlight(null)}
            >
              <button type="button" class="legend-toggle" title={hidden.has(run.id) ? 'show on the charts' : 'hide from the charts'} onClick={() => toggleHidden(run.id)} aria-pressed={!hidden.has(run.id)}>
                <i class="swatch" style={{ background: colorOf(run.id) }} />
              </button>
              <a href={`?run=${run.id}`} class="legend-name" title={run.name} onClick={(event) => { event.preventDefault(); onOpen(run.id); }}>{run.name}</a>
              <StatusBadge status={run.status} />
              <span class="legend-id">#{run.id}</span>
              <span class="legend-last">{lastValues(run)}</span>
            </li>
          ))}
        </ul>
      </aside>
      <div class="compare-main">
        <ChartControls x={view.x} smoothing={view.smoothing} logY={view.logY} zoom={view.zoom} onChange={updateView} />
        <ChartGrid
          project={project} runs={shown} x={view.x} smoothing={view.smoothing} logY={view.logY} zoom={view.zoom}
          onZoom={(zoom) => updateView({ zoom })} highlight={highlight} themeVersion={themeVersion} versions={versions}
        />
      </div>
    </div>
  );
}

function lastValues(run: Run): string {
  const step = run.metrics.get('step');
  return step === undefined ? '' : `step ${formatNumber(step)}`;
}
