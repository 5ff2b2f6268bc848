/**
 * TF.js training overhead in Chromium (issue 5): bench/pages/tfjs.html loads tf.min.js and the
 * script-tag build as a notebook page does, and runs the same `fit` of an MNIST-shaped model
 * (bench/lib/tfjs-workload.mjs, cpu backend) with per-batch tracking and without, in interleaved
 * pairs driven from here. Target: median overhead <= 2% wall time (timed inside the page). The
 * queue (IndexedDB) is flushed after every fit, untimed, and every fit is followed by the same pause
 * (lib/overhead.mjs). Beside wall time: the renderer process's CPU time (CDP Performance.getMetrics
 * ProcessTime), and the share of the library's code in a CPU profile of one more tracked fit.
 */
import { devtools, rendererCpuClock, withBenchPage } from './lib/chromium.mjs';
import { REPO_ROOT } from './lib/child.mjs';
import { metricCount, PROJECT } from './lib/local-server.mjs';
import { now, progress, result, sleepUntil } from './lib/measure.mjs';
import { overheadReport, PAUSE_AFTER_FIT_MS } from './lib/overhead.mjs';
import { profileWith } from './lib/profile.mjs';
import { trackingShare } from './lib/tracking-profile.mjs';
import { join } from 'node:path';
import { BATCHES_PER_FIT, interleavedFits, WORKLOAD } from './lib/tfjs-workload.mjs';

const PAIRS = 8;
const IIFE_URL_SUFFIX = '/dist/polyaxon-tracking.iife.min.js';
const FLUSH_TIMEOUT_MS = 30_000;
const FIT_TIMEOUT_MS = 120_000;

export const tfjsChromiumBench = {
  name: 'tfjs-chromium',
  summary: 'TF.js fit in Chromium (cpu backend, script-tag build) with per-batch tracking vs without, interleaved pairs',
  target: 'tracking overhead <= 2% wall time',
  async run() {
    return withBenchPage('tfjs.html', { timeoutMs: FIT_TIMEOUT_MS }, async ({ local, chromium, page }) => {
      const started = await page.evaluate((options) => window.bench.start(options), { project: PROJECT, name: 'bench-tfjs-chromium' });
      if (started.id === undefined) throw new Error('the page could not create its experiment on the local server');
      const send = await devtools(page);
      const cpuClock = await rendererCpuClock(send);
      progress(`tfjs-chromium: Chromium ${chromium.version}, warm-up pair + ${PAIRS} interleaved pairs of fits (${started.workload})`);

      let fits = 0;
      const fit = async (tracked) => {
        const cpuStart = await cpuClock();
        const { ms } = await page.evaluate((withTracking) => window.bench.fit(withTracking), tracked);
        const cpuMs = (await cpuClock()) - cpuStart;
        fits += 1;
        const flushStart = now();
        const flush = await page.evaluate((timeoutMs) => window.bench.flush(timeoutMs), FLUSH_TIMEOUT_MS);
        if (!flush.delivered) throw new Error(`tfjs-chromium: the page's queue was not delivered within ${FLUSH_TIMEOUT_MS} ms after a fit`);
        await sleepUntil(flushStart, PAUSE_AFTER_FIT_MS);
        return tracked ? { ms, cpuMs, flushMs: flush.ms } : { ms, cpuMs };
      };
      const pairs = await interleavedFits({
        pairs: PAIRS,
        fit,
        onPair: (i, pair) => progress(`tfjs-chromium: pair ${i + 1}/${PAIRS}: untracked ${pair.plain.ms.toFixed(0)} ms, tracked ${pair.tracked.ms.toFixed(0)} ms`),
      });
      progress('tfjs-chromium: one more tracked fit under the CPU profiler (CDP Profiler)');
      const cpuProfile = await profileWith(send, () => page.evaluate(() => window.bench.fit(true)));
      await page.evaluate((timeoutMs) => window.bench.flush(timeoutMs), FLUSH_TIMEOUT_MS);
      const profiled = await trackingShare(cpuProfile, {
        isTrackingUrl: (url) => url.endsWith(IIFE_URL_SUFFIX),
        bundleMap: { urlSuffix: IIFE_URL_SUFFIX, mapPath: join(REPO_ROOT, 'dist/polyaxon-tracking.iife.min.js.map') },
        title: 'Tracked fit in Chromium',
      });
      const trackedFits = pairs.length + 2;
      const expectedPoints = trackedFits * (BATCHES_PER_FIT + WORKLOAD.epochs);
      const stats = await page.evaluate(() => window.bench.stats());
      const closed = await page.evaluate((timeoutMs) => window.bench.finish(timeoutMs), FLUSH_TIMEOUT_MS);
      const held = await metricCount(local, started.id);
      if (!closed || held !== expectedPoints) throw new Error(`tfjs-chromium: the server holds ${held} of the ${expectedPoints} points the tracked fits logged`);

      const report = overheadReport(pairs, {
        workload: `${started.workload}; Chromium ${chromium.version}`,
        cpuClock: 'renderer process CPU time (CDP ProcessTime; IndexedDB and network run in other processes)',
        profiled,
      });
      report.rows.push(
        result('points on the server', held, 'points', {
          note: `every batch and epoch point of the ${trackedFits} tracked fits (${fits + 1} fits in all, the profiled one included); queue storage: ${stats.outbox.storage}`,
        }),
      );
      return { rows: report.rows, details: report.details, data: { ...report.data, chromium: chromium.version, userAgent: started.userAgent, storage: stats.outbox.storage } };
    });
  },
};
