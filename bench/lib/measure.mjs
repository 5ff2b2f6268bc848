/**
 * Timing helpers shared by the benches. The machine is shared and small (2 cores), so every
 * figure is a median over several rounds after a warm-up, and speed goals are ratios of things
 * measured side by side in the same run.
 */
import { performance } from 'node:perf_hooks';

export const now = () => performance.now();

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Lets queued microtasks, timers and I/O callbacks run (the library's group commit, the sender). */
export const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sleeps until `ms` have passed since `startedAt` (a `now()` value); at once when they have. */
export const sleepUntil = (startedAt, ms) => sleep(Math.max(0, ms - (now() - startedAt)));

/** Milliseconds `work()` takes, awaited. */
export async function timeAsync(work) {
  const start = now();
  await work();
  return now() - start;
}

/** Progress goes to stderr so `--json` keeps stdout a single JSON document. */
export function progress(message) {
  process.stderr.write(`  ${message}\n`);
}

/** One row of the report. `pass` is null for figures without a target. */
export function result(name, value, unit, { target = '', pass = null, note = '' } = {}) {
  return { name, value, unit, target, pass, note };
}
