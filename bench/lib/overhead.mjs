/**
 * The report of a TF.js tracking overhead bench (Node or Chromium): pairs of untracked and tracked
 * fits measured side by side (bench/lib/tfjs-workload.mjs), summarised as medians.
 */
import { median, result } from './measure.mjs';
import { BATCHES_PER_FIT, WORKLOAD } from './tfjs-workload.mjs';

export const TARGET_OVERHEAD = 0.02;

/**
 * Every fit, tracked or not, is followed by the same pause (the flush of what a tracked fit queued
 * happens inside it): on a loaded machine a process that just slept is scheduled differently,
 * and only one side would otherwise sleep. The queue groups points for up to 1 s (flushIntervalMs).
 */
export const PAUSE_AFTER_FIT_MS = 1_200;

const percents = (values) => values.map((ratio) => `${(ratio * 100).toFixed(1)}%`).join(', ');
const percent = (ratio) => `${(ratio * 100).toFixed(1)}%`;

/** The value at fraction `q` of the sorted values (nearest rank). */
function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))];
}

/**
 * `pairs`: [{ plain: { ms, cpuMs? }, tracked: { ms, cpuMs?, flushMs? } }]. `cpuClock` names the
 * CPU time measured (rows with it only when every fit has `cpuMs`). `profiled`: the result of
 * lib/tracking-profile.mjs for one more tracked fit, or undefined.
 */
export function overheadReport(pairs, { workload, cpuClock, profiled }) {
  const ratios = pairs.map((pair) => pair.tracked.ms / pair.plain.ms - 1);
  const overhead = median(ratios);
  const plainMs = median(pairs.map((pair) => pair.plain.ms));
  const trackedMs = median(pairs.map((pair) => pair.tracked.ms));
  const costPerBatchUs = median(pairs.map((pair) => ((pair.tracked.ms - pair.plain.ms) * 1000) / BATCHES_PER_FIT));
  const rows = [
    result('batch time, untracked', plainMs / BATCHES_PER_FIT, 'ms', { note: workload }),
    result('fit, untracked', plainMs, 'ms', { note: `median over ${pairs.length} fits` }),
    result('fit, per-batch tracking', trackedMs, 'ms', { note: `tfjsCallback(tf, { batchMetrics: true }): ${BATCHES_PER_FIT} batch + ${WORKLOAD.epochs} epoch logMetrics per fit` }),
    result('tracking overhead (wall)', overhead * 100, '%', {
      target: `<= ${TARGET_OVERHEAD * 100}`,
      pass: overhead <= TARGET_OVERHEAD,
      note: `tracked / untracked - 1, median over ${pairs.length} interleaved pairs after a warm-up pair; quartiles ${percent(quantile(ratios, 0.25))} .. ${percent(quantile(ratios, 0.75))}; all: ${percents(ratios)}`,
    }),
    result('fastest tracked / fastest untracked fit', (Math.min(...pairs.map((pair) => pair.tracked.ms)) / Math.min(...pairs.map((pair) => pair.plain.ms)) - 1) * 100, '%', {
      note: 'other load only ever adds time, so the fastest fit of each side is the least disturbed one',
    }),
    result('tracking cost per batch (wall)', costPerBatchUs, 'us', { note: 'median over pairs of (tracked - untracked) / batches; noise of the pair included' }),
  ];
  if (pairs.every((pair) => Number.isFinite(pair.plain.cpuMs) && Number.isFinite(pair.tracked.cpuMs))) {
    const cpuRatios = pairs.map((pair) => pair.tracked.cpuMs / pair.plain.cpuMs - 1);
    rows.push(result('tracking overhead (CPU)', median(cpuRatios) * 100, '%', { note: `${cpuClock}, same fits (${percents(cpuRatios)})` }));
  }
  const flushes = pairs.map((pair) => pair.tracked.flushMs).filter((ms) => ms !== undefined);
  if (flushes.length > 0) {
    rows.push(
      result('flush after a tracked fit', median(flushes), 'ms', {
        note: 'untimed in the overhead: what the fit left to deliver (the send waits up to flushIntervalMs, 1 s, to group points)',
      }),
    );
  }
  if (profiled) {
    rows.push(
      result('library share of a tracked fit (CPU profile)', profiled.share * 100, '%', {
        note: `one more tracked fit under the V8 sampling profiler: ${profiled.trackingMs.toFixed(0)} of ${profiled.sampledMs.toFixed(0)} ms sampled have a library frame on the stack (functions below the table)`,
      }),
    );
  }
  const profile = profiled && { sampledMs: profiled.sampledMs, trackingMs: profiled.trackingMs, share: profiled.share, functions: profiled.functions };
  return { rows, overhead, details: profiled?.text, data: { overhead, ratios, batchesPerFit: BATCHES_PER_FIT, workload, pairs, profile } };
}
