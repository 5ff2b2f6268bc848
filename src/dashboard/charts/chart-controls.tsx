import type { XAxis } from '../api/types';
import { formatNumber } from '../ui/format';
import { formatX } from './tooltip';

export interface ChartControlsProps {
  x: XAxis;
  smoothing: number;
  logY: boolean;
  zoom: [number, number] | null;
  onChange(change: { x?: XAxis; smoothing?: number; logY?: boolean; zoom?: [number, number] | null }): void;
}

/** x axis, smoothing slider, log scale and the zoom in force (with its reset). */
export function ChartControls({ x, smoothing, logY, zoom, onChange }: ChartControlsProps) {
  return (
    <div class="chart-controls">
      <label>
        x axis{' '}
        <select value={x} onChange={(event) => onChange({ x: (event.currentTarget as HTMLSelectElement).value as XAxis, zoom: null })}>
          <option value="step">step</option>
          <option value="time">wall time</option>
          <option value="relative">relative time</option>
        </select>
      </label>
      <label class="smoothing">
        smoothing{' '}
        <input
          type="range" min="0" max="0.999" step="0.001" value={smoothing} aria-label="smoothing"
          onInput={(event) => onChange({ smoothing: Number((event.currentTarget as HTMLInputElement).value) })}
        />
        <output>{smoothing.toFixed(3)}</output>
      </label>
      <label>
        <input type="checkbox" checked={logY} onChange={(event) => onChange({ logY: (event.currentTarget as HTMLInputElement).checked })} /> log y
      </label>
      {zoom ? (
        <span class="zoom">
          {formatX(x, zoom[0])} – {x === 'step' ? formatNumber(zoom[1]) : formatX(x, zoom[1])}
          <button type="button" class="link" onClick={() => onChange({ zoom: null })}>reset zoom</button>
        </span>
      ) : (
        <span class="hint">drag to zoom · double-click resets</span>
      )}
    </div>
  );
}
