import { useEffect, useRef, useState } from 'preact/hooks';
import type { Run } from '../api/runs';
import { readTheme } from '../charts/theme';
import { colorOf } from '../ui/colors';
import type { Axis } from './axes';

export type Brushes = ReadonlyMap<string, readonly [number, number]>;

export interface ParallelCoordsProps {
  runs: Run[];
  axes: Axis[];
  brushes: Brushes;
  onBrush(key: string, range: [number, number] | null): void;
  themeVersion: number;
}

const HEIGHT_PX = 330;
const PAD = { top: 34, bottom: 22, left: 40, right: 60 };
const GRAB_PX = 14;

/** Whether `run` lies inside every brush. */
export function inBrushes(run: Run, axes: readonly Axis[], brushes: Brushes): boolean {
  for (const axis of axes) {
    const range = brushes.get(axis.key);
    if (!range) continue;
    const at = axis.position(run);
    if (at === null || at < range[0] || at > range[1]) return false;
  }
  return true;
}

/** Blue → green → yellow by the last axis (the metric), so good and bad runs read apart. */
function metricColor(at: number | null, alpha: number): string {
  if (at === null) return `rgba(140, 140, 140, ${alpha})`;
  const stops = [[68, 1, 84], [33, 145, 140], [253, 231, 37]];
  const scaled = Math.min(1, Math.max(0, at)) * (stops.length - 1);
  const index = Math.min(stops.length - 2, Math.floor(scaled));
  const t = scaled - index;
  const mix = (k: number) => Math.round(stops[index][k] + (stops[index + 1][k] - stops[index][k]) * t);
  return `rgba(${mix(0)}, ${mix(1)}, ${mix(2)}, ${alpha})`;
}

/**
 * Parallel coordinates on one canvas: a vertical axis per varying param and one for the metric,
 * a line per run. Drag along an axis to brush a range (runs outside fade); click an axis to clear
 * its brush. Selected runs are drawn on top in their own colours.
 */
export function ParallelCoords({ runs, axes, brushes, onBrush, themeVersion }: ParallelCoordsProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [widthPx, setWidthPx] = useState(900);
  const [dragging, setDragging] = useState<{ key: string; from: number; to: number } | null>(null);

  useEffect(() => {
    const element = canvas.current?.parentElement;
    if (!element) return;
    const observer = new ResizeObserver(() => setWidthPx(element.clientWidth));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  const xOf = (index: number) => PAD.left + (axes.length <= 1 ? 0 : (index * (widthPx - PAD.left - PAD.right)) / (axes.length - 1));
  const yOf = (at: number) => PAD.top + (1 - at) * (HEIGHT_PX - PAD.top - PAD.bottom);
  const atOf = (y: number) => Math.min(1, Math.max(0, 1 - (y - PAD.top) / (HEIGHT_PX - PAD.top - PAD.bottom)));

  useEffect(() => {
    const element = canvas.current;
    const context = element?.getContext('2d');
    if (!element || !context) return;
    const ratio = devicePixelRatio || 1;
    element.width = widthPx * ratio;
    element.height = HEIGHT_PX * ratio;
    element.style.width = `${widthPx}px`;
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    const theme = readTheme();
    context.clearRect(0, 0, widthPx, HEIGHT_PX);
    const live = new Map(brushes);
    if (dragging) live.set(dragging.key, [Math.min(dragging.from, dragging.to), Math.max(dragging.from, dragging.to)]);
    const metricAxis = axes[axes.length - 1];
    const drawRun = (run: Run, stroke: string, width: number) => {
      context.strokeStyle = stroke;
      context.lineWidth = width;
      context.beginPath();
      let open = false;
      axes.forEach((axis, index) => {
        const at = axis.position(run);
        if (at === null) {
          open = false;
          return;
        }
        if (open) context.lineTo(xOf(index), yOf(at));
        else context.moveTo(xOf(index), yOf(at));
        open = true;
      });
      context.stroke();
    };
    const chosen: Run[] = [];
    for (const run of runs) {
      if (colorOf(run.id)) chosen.push(run);
      else if (inBrushes(run, axes, live)) drawRun(run, metricColor(metricAxis?.position(run) ?? null, 0.55), 1);
      else drawRun(run, 'rgba(128, 128, 128, 0.12)', 1);
    }
    for (const run of chosen) drawRun(run, colorOf(run.id) as string, 2.4);
    context.font = '11px system-ui, sans-serif';
    axes.forEach((axis, index) => {
      const x = xOf(index);
      context.strokeStyle = theme.axis;
      context.lineWidth = 1;
      context.beginPath();
      context.moveTo(x, yOf(0));
      context.lineTo(x, yOf(1));
      context.stroke();
      const range = live.get(axis.key);
      if (range) {
        context.fillStyle = 'rgba(59, 91, 219, 0.22)';
        context.fillRect(x - 7, yOf(range[1]), 14, yOf(range[0]) - yOf(range[1]));
      }
      context.fillStyle = theme.text;
      context.textAlign = index === 0 ? 'left' : index === axes.length - 1 ? 'right' : 'center';
      const room = axes.length > 1 ? (widthPx - PAD.left - PAD.right) / (axes.length - 1) - 6 : 200;
      context.fillText(clip(context, axis.label, Math.max(40, room)), index === 0 ? x - 8 : x, PAD.top - 14);
      context.fillStyle = theme.axis;
      context.textAlign = 'left';
      for (const tick of axis.ticks) context.fillText(clip(context, tick.text, 80), x + 5, yOf(tick.at) + 4);
    });
  }, [runs, axes, brushes, dragging, widthPx, themeVersion]);

  const axisAt = (x: number) => axes.findIndex((_, index) => Math.abs(xOf(index) - x) <= GRAB_PX);
  const local = (event: MouseEvent) => {
    const box = (event.currentTarget as HTMLCanvasElement).getBoundingClientRect();
    return { x: event.clientX - box.left, y: event.clientY - box.top };
  };

  return (
    <div class="parallel" data-axes={axes.length} data-lines={runs.length}>
      <canvas
        ref={canvas}
        height={HEIGHT_PX}
        role="img"
        aria-label={`parallel coordinates of ${runs.length} runs over ${axes.map((axis) => axis.label).join(', ')}`}
        onMouseDown={(event) => {
          const point = local(event);
          const index = axisAt(point.x);
          if (index < 0) return;
          setDragging({ key: axes[index].key, from: atOf(point.y), to: atOf(point.y) });
        }}
        onMouseMove={(event) => {
          const point = local(event);
          (event.currentTarget as HTMLCanvasElement).style.cursor = axisAt(point.x) >= 0 ? 'ns-resize' : 'default';
          if (dragging) setDragging({ ...dragging, to: atOf(point.y) });
        }}
        onMouseUp={() => {
          if (!dragging) return;
          const low = Math.min(dragging.from, dragging.to);
          const high = Math.max(dragging.from, dragging.to);
          onBrush(dragging.key, high - low < 0.01 ? null : [low, high]);
          setDragging(null);
        }}
        onMouseLeave={() => setDragging(null)}
      />
    </div>
  );
}

function clip(context: CanvasRenderingContext2D, text: string, maxPx: number): string {
  if (context.measureText(text).width <= maxPx) return text;
  let end = text.length;
  while (end > 1 && context.measureText(`${text.slice(0, end)}…`).width > maxPx) end -= 1;
  return `${text.slice(0, end)}…`;
}
