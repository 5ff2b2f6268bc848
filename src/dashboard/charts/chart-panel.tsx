import { useEffect, useLayoutEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import type { XAxis } from '../api/types';
import { withAlpha } from '../ui/colors';
import { formatDuration, formatNumber } from '../ui/format';
import { alignLines, type ChartLine } from './align';
import { savePng } from './export';
import { readTheme } from './theme';
import { showTooltip } from './tooltip';

/** How every chart of a view draws: the choices of the chart controls, zoom and legend. */
export interface ChartLook {
  smoothing: number;
  logY: boolean;
  /** Zoomed x range shared by the charts of a view, or null. */
  zoom: [number, number] | null;
  onZoom(range: [number, number] | null): void;
  /** Run drawn in front, the others faded (legend hover). */
  highlight: number | null;
  /** Changes with the system's light/dark setting: charts read their colours again. */
  themeVersion: number;
}

export interface ChartPanelProps extends ChartLook {
  title: string;
  lines: ChartLine[];
  xAxis: XAxis;
  onCsv(): void;
  heightPx?: number;
}

const CHART_HEIGHT_PX = 200;

export function xLabel(xAxis: XAxis): string {
  return xAxis === 'step' ? 'step' : xAxis === 'time' ? 'wall time' : 'relative time';
}

/**
 * One metric of every shown run on one uPlot chart: raw line faint, smoothed line on top, hover
 * values of every run at the cursor's x, drag to zoom (all charts follow), double-click to reset.
 * The chart is built again only when its runs, colours, axis kind or theme change; new points,
 * smoothing and zoom only replace its data.
 */
export function ChartPanel(props: ChartPanelProps) {
  const host = useRef<HTMLDivElement>(null);
  const tip = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const latest = useRef(props);
  latest.current = props;
  const { lines, xAxis, logY, themeVersion, smoothing, zoom, highlight } = props;
  const structure = `${lines.map((line) => `${line.run}:${line.color}:${line.label}`).join('|')}#${xAxis}#${logY}#${themeVersion}#${props.heightPx}`;

  useEffect(() => {
    const element = host.current;
    if (!element) return;
    const theme = readTheme();
    const axis = { stroke: theme.axis, grid: { stroke: theme.grid, width: 1 }, ticks: { stroke: theme.grid, width: 1 }, font: '11px system-ui, sans-serif' };
    const series: uPlot.Series[] = [{ label: xLabel(xAxis) }];
    for (const line of lines) {
      series.push({ label: `${line.label} (raw)`, stroke: withAlpha(line.color, 0.28), width: 1, spanGaps: true, points: { show: false } });
      series.push({ label: line.label, stroke: line.color, width: 1.6, spanGaps: true, points: { show: false } });
    }
    const options: uPlot.Options = {
      width: Math.max(200, element.clientWidth),
      height: props.heightPx ?? CHART_HEIGHT_PX,
      series,
      legend: { show: false },
      scales: { x: { time: xAxis === 'time' }, y: { distr: logY ? 3 : 1 } },
      axes: [
        { ...axis, values: xAxis === 'relative' ? (_u, splits) => splits.map((value) => formatDuration(value)) : xAxis === 'step' ? (_u, splits) => splits.map(formatNumber) : undefined },
        { ...axis, size: 56, values: (_u, splits) => splits.map(formatNumber) },
      ],
      focus: { alpha: 0.25 },
      cursor: {
        sync: { key: 'charts' },
        drag: { x: true, y: false, setScale: false },
        focus: { prox: 24 },
        points: { show: false },
        bind: {
          dblclick: () => () => {
            latest.current.onZoom(null);
            return null;
          },
        },
      },
      hooks: {
        setSelect: [
          (u) => {
            if (u.select.width > 3) {
              const low = u.posToVal(u.select.left, 'x');
              const high = u.posToVal(u.select.left + u.select.width, 'x');
              if (high > low) latest.current.onZoom([low, high]);
            }
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
          },
        ],
        // Synced charts move their cursors too; only the chart under the mouse shows values.
        setCursor: [(u) => showTooltip(u, u.over.matches(':hover') ? tip.current : null, latest.current)],
        // When the chart last drew (performance.now()): what the benchmark waits for.
        draw: [(u) => (u.root.parentElement as HTMLElement).setAttribute('data-drawn-at', String(performance.now()))],
      },
    };
    const created = new uPlot(options, alignLines(lines, smoothing, logY), element);
    plot.current = created;
    if (zoom) created.setScale('x', { min: zoom[0], max: zoom[1] });
    created.over.addEventListener('mouseleave', () => tip.current?.setAttribute('hidden', ''));
    const resize = new ResizeObserver(() => created.setSize({ width: Math.max(200, element.clientWidth), height: props.heightPx ?? CHART_HEIGHT_PX }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      created.destroy();
      plot.current = null;
    };
    // Built again only when the structure changes; data changes go through setData below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [structure]);

  // A layout effect: the new data is drawn in the same task as the render (a smoothing drag
  // redraws at once instead of a frame later).
  useLayoutEffect(() => {
    const current = plot.current;
    if (!current) return;
    current.setData(alignLines(lines, smoothing, logY), zoom === null);
    if (zoom) current.setScale('x', { min: zoom[0], max: zoom[1] });
  }, [lines, smoothing, zoom]);

  useEffect(() => {
    const current = plot.current;
    if (!current) return;
    const index = lines.findIndex((line) => line.run === highlight);
    current.setSeries(index < 0 ? null : 2 + index * 2, { focus: true });
  }, [highlight, structure]);

  const xMax = lines.reduce((max, line) => (line.x.length > 0 ? Math.max(max, line.x[line.x.length - 1]) : max), -Infinity);
  const points = lines.reduce((sum, line) => sum + line.x.length, 0);
  return (
    <figure class="chart" data-metric={props.title} data-lines={lines.length} data-points={points} data-x-max={Number.isFinite(xMax) ? xMax : ''}>
      <figcaption>
        <span class="chart-title" title={props.title}>{props.title}</span>
        <span class="chart-actions">
          <button type="button" class="link" title="every point of the shown runs, as CSV" onClick={props.onCsv}>CSV</button>
          <button type="button" class="link" title="this chart as a PNG image" onClick={() => plot.current && savePng(plot.current, props.title, lines)}>PNG</button>
        </span>
      </figcaption>
      <div class="chart-plot">
        <div ref={host} />
        <div class="chart-tip" ref={tip} hidden />
      </div>
      {points === 0 ? <p class="chart-empty">No points{zoom ? ' in this range' : ''}.</p> : null}
    </figure>
  );
}
