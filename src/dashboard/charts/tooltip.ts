import type uPlot from 'uplot';
import type { XAxis } from '../api/types';
import { formatDuration, formatNumber, formatTime } from '../ui/format';
import { nearestIndex, type ChartLine } from './align';
import { smooth } from './smoothing';

interface TooltipSource {
  lines: ChartLine[];
  xAxis: XAxis;
  smoothing: number;
}

export function formatX(xAxis: XAxis, x: number): string {
  if (xAxis === 'time') return formatTime(x * 1000);
  if (xAxis === 'relative') return formatDuration(x);
  return `step ${formatNumber(x)}`;
}

/**
 * The value of every shown run at the cursor's x (each run's nearest point, so runs logged at
 * different steps still answer), smoothed value first and raw after it. Built with text nodes only.
 */
export function showTooltip(u: uPlot, tip: HTMLDivElement | null, source: TooltipSource): void {
  if (!tip) {
    u.root.parentElement?.parentElement?.querySelector('.chart-tip')?.setAttribute('hidden', '');
    return;
  }
  const { left, top } = u.cursor;
  if (left === undefined || top === undefined || left < 0 || source.lines.length === 0) {
    tip.hidden = true;
    return;
  }
  const x = u.posToVal(left, 'x');
  const rows = source.lines
    .map((line) => {
      const index = nearestIndex(line.x, x);
      if (index < 0) return null;
      const raw = line.y[index];
      // Smoothing only up to the point shown: the same value as the drawn line there.
      const smoothed = source.smoothing > 0 ? smooth(line.y.slice(0, index + 1), source.smoothing)[index] : raw;
      return { line, raw, smoothed, atX: line.x[index] };
    })
    .filter((row): row is NonNullable<typeof row> => row !== null)
    .sort((a, b) => (b.smoothed ?? -Infinity) - (a.smoothed ?? -Infinity));
  const head = document.createElement('div');
  head.className = 'tip-head';
  head.textContent = formatX(source.xAxis, rows[0]?.atX ?? x);
  const body = rows.map(({ line, raw, smoothed }) => {
    const row = document.createElement('div');
    row.className = 'tip-row';
    const swatch = document.createElement('i');
    swatch.className = 'swatch';
    swatch.style.background = line.color;
    const name = document.createElement('span');
    name.className = 'tip-name';
    name.textContent = line.label;
    const value = document.createElement('span');
    value.className = 'tip-value';
    value.textContent = source.smoothing > 0 ? `${formatNumber(smoothed)} (${formatNumber(raw)})` : formatNumber(raw);
    row.append(swatch, name, value);
    return row;
  });
  tip.replaceChildren(head, ...body);
  tip.hidden = false;
  const plotLeft = u.over.offsetLeft;
  const flip = left > u.over.clientWidth / 2;
  tip.style.left = flip ? '' : `${plotLeft + left + 14}px`;
  tip.style.right = flip ? `${u.width - plotLeft - left + 14}px` : '';
  tip.style.top = `${Math.max(0, top - 10)}px`;
}
