/**
 * The sync progress bar, redrawn in place on a terminal:
 *
 *   sync [##########..........] 50,000/100,002 records  24,310 rec/s  2.1 s
 *
 * Anything but a terminal (a pipe, a CI log) gets nothing from here: redraws would only fill the
 * log, so `sync` prints its one-line summary instead.
 */
import type { DropReason } from '../outbox/outbox';

export interface Progress {
  /** Records settled (delivered or dropped) out of `total`. */
  update(settled: number, total: number): void;
  /** Draws the last state and ends the line, so what follows starts on its own line. */
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

export function progressFor(output: Output, now: () => number = () => performance.now()): Progress {
  if (!output.isTTY) return { update() {}, finish() {} };
  const startedAt = now();
  let drawnAt = -Infinity;
  let last = { settled: 0, total: 0 };
  let drawn = false;
  const draw = () => {
    drawnAt = now();
    drawn = true;
    output.write(`\r${progressLine(last.settled, last.total, (drawnAt - startedAt) / 1000)}\x1b[K`);
  };
  return {
    update(settled, total) {
      last = { settled, total };
      if (now() - drawnAt >= REDRAW_INTERVAL_MS) draw();
    },
    finish() {
      draw();
      if (drawn) output.write('\n');
    },
  };
}

export function progressLine(settled: number, total: number, seconds: number): string {
  const fraction = total > 0 ? Math.min(1, settled / total) : 1;
  const filled = Math.round(fraction * BAR_WIDTH);
  const bar = '#'.repeat(filled) + '.'.repeat(BAR_WIDTH - filled);
  const rate = seconds > 0 ? `  ${formatCount(Math.round(settled / seconds))} rec/s` : '';
  return `sync [${bar}] ${formatCount(settled)}/${formatCount(total)} records${rate}  ${formatSeconds(seconds)} s`;
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
