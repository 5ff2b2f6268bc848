/**
 * The progress bar `sync` and `push` share: drawn in place on a terminal at most every 100 ms,
 * never wider than the terminal, nothing at all anywhere else (the commands print one summary
 * line there).
 */
import { describe, expect, it } from 'vitest';
import { progressFor, progressLine, type Count } from '../../src/cli/progress';

const records = (done: number, total: number): Count[] => [{ done, total, unit: 'records' }];

function terminal(columns?: number) {
  const written: string[] = [];
  return { written, output: { isTTY: true, columns, write: (text: string) => written.push(text) } };
}

describe('progress bar', () => {
  it('draws on a terminal at most every 100 ms, and ends its line', () => {
    let now = 0;
    const { written, output } = terminal();
    const progress = progressFor('sync', output, () => now);
    now = 1000;
    progress.update(records(10, 100));
    now = 1050;
    progress.update(records(20, 100));
    now = 2000;
    progress.update(records(100, 100));
    progress.finish();
    expect(written).toEqual([
      `\r${progressLine('sync', records(10, 100), 1)}\x1b[K`,
      `\r${progressLine('sync', records(100, 100), 2)}\x1b[K`,
      `\r${progressLine('sync', records(100, 100), 2)}\x1b[K`,
      '\n',
    ]);
  });

  it('shows every count, fills the bar and gives the rate by the last, and adds what it waits for', () => {
    expect(progressLine('sync', records(50_000, 100_000), 2)).toBe('sync [############............] 50,000/100,000 records  25,000 records/s  2.00 s');
    const counts: Count[] = [
      { done: 2, total: 5, unit: 'experiments' },
      { done: 30_000, total: 120_000, unit: 'points' },
    ];
    expect(progressLine('push', counts, 12.5, 'retrying in 1.00 s: 429 throttled')).toBe(
      'push [######..................] 2/5 experiments  30,000/120,000 points  2,400 points/s  12.5 s  retrying in 1.00 s: 429 throttled',
    );
    expect(progressLine('push', [{ done: 0, total: 0, unit: 'points' }], 0)).toBe('push [########################] 0/0 points  0.00 s');
  });

  it('never writes past the terminal width, so a redraw stays on its line', () => {
    const { written, output } = terminal(40);
    const progress = progressFor('sync', output, () => 500);
    progress.update(records(1, 2));
    expect(written[0]).toBe(`\r${progressLine('sync', records(1, 2), 0).slice(0, 39)}\x1b[K`);
  });

  it('writes nothing when never updated, nor anywhere but a terminal', () => {
    const idle = terminal();
    progressFor('sync', idle.output).finish();
    expect(idle.written).toEqual([]);
    const written: string[] = [];
    const piped = progressFor('sync', { isTTY: false, write: (text: string) => written.push(text) });
    piped.update(records(1, 2));
    piped.finish();
    expect(written).toEqual([]);
  });
});
