/**
 * The progress bar of the commands that move data (`sync`, `push`), redrawn in place on a terminal:
 *
 *   sync [##########..............] 50,000/100,002 records  24,310 records/s  2.06 s
 *   push [######..................] 2/5 experiments  45,000/120,000 points  12,300 points/s  3.40 s
 *
 * The last count fills the bar and gives the rate. Anything but a terminal (a pipe, a CI log) gets
 * nothing from here: redraws would only fill the log, so the command prints its summary line
 * instead. The line is cut to the terminal's width, because a line that wraps is no longer redrawn
 * in place (each redraw would leave a new line behind).
 */
import type { DropReason } from '../outbox/outbox';

/** `done` of `total` things called `unit` (plural: `records`, `experiments`, `points`). */
export interface Count {
  done: number;
  total: number;
  unit: string;
}

export interface Progress {
  /** The counts now; `note` is a short word on what the command waits for (a retry), or undefined. */
  update(counts: readonly Count[], note?: string): void;
  /** Draws the last state and ends the line, so what follows starts on its own line; nothing if never updated. */
  finish(): void;
}

export interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

const BAR_WIDTH = 24;
/** Terminals are redrawn at most this often; a faster redraw costs CPU and shows nothing more. */
const REDRAW_INTERVAL_MS = 100;

export function progressFor(label: string, output: Output, now: () => number = () => performance.now()): Progress {
  if (!output.isTTY) return { update() {}, finish() {} };
  const startedAt = now();
  let drawnAt = -Infinity;
  let last: { counts: readonly Count[]; note?: string } | undefined;
  const draw = () => {
    if (!last) return;
    drawnAt = now();
    const line = progressLine(label, last.counts, (drawnAt - startedAt) / 1000, last.note);
    output.write(`\r${fitTo(line, output.columns)}\x1b[K`);
  };
  return {
    update(counts, note) {
      last = { counts, note };
      if (now() - drawnAt >= REDRAW_INTERVAL_MS) draw();
    },
    finish() {
      if (!last) return;
      draw();
      output.write('\n');
    },
  };
}

export function progressLine(label: string, counts: readonly Count[], seconds: number, note?: string): string {
  const main = counts[counts.length - 1] ?? { done: 0, total: 0, unit: 'items' };
  const fraction = main.total > 0 ? Math.min(1, main.done / main.total) : 1;
  const filled = Math.round(fraction * BAR_WIDTH);
  const bar = '#'.repeat(filled) + '.'.repeat(BAR_WIDTH - filled);
  const parts = counts.map((count) => `${formatCount(count.done)}/${formatCount(count.total)} ${count.unit}`);
  if (seconds > 0) parts.push(`${formatCount(Math.round(main.done / seconds))} ${main.unit}/s`);
  parts.push(`${formatSeconds(seconds)} s`);
  if (note) parts.push(note);
  return `${label} [${bar}] ${parts.join('  ')}`;
}

/** One column is left free: writing the last one makes some terminals wrap at once. */
function fitTo(line: string, columns: number | undefined): string {
  if (!columns || columns < 2 || line.length < columns) return line;
  return line.slice(0, columns - 1);
}

export function formatCount(count: number): string {
  return count.toLocaleString('en-US');
}

export function formatSeconds(seconds: number): string {
  return seconds < 10 ? seconds.toFixed(2) : seconds.toFixed(1);
}

/** `none`, or `3 rejected, 2 unknown_run` (reasons with a count only). */
export function formatDrops(dropped: Partial<Record<DropReason, number>>): string {
  const parts = Object.entries(dropped)
    .filter(([, count]) => (count ?? 0) > 0)
    .map(([reason, count]) => `${formatCount(count!)} ${reason}`);
  return parts.length === 0 ? 'none' : parts.join(', ');
}
