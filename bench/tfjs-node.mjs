/**
 * TF.js training overhead in Node (issue 5): the same `fit` of an MNIST-shaped model
 * (bench/lib/tfjs-workload.mjs) with per-batch tracking (`experiment.tfjsCallback(tf, {
 * batchMetrics: true })`, every batch logged) and without, on the cpu backend of
 * `@tensorflow/tfjs` (pure JS), in interleaved pairs. Target: median overhead <= 2% wall time.
 * One model and one experiment serve every fit, so the fits differ only by the callback; the queue
 * is flushed after every fit, untimed, so no fit carries an earlier one's delivery, and every fit
 * is followed by the same pause (lib/overhead.mjs). One more tracked fit runs under the CPU
 * profiler: the share of its samples in the library's code is a ratio inside one run. The server runs
 * in its own process, so its request handling is not on the training thread.
 */
import { finish, runningExperiment } from './lib/experiment.mjs';
import { startLocalServerProcess } from './lib/local-server.mjs';
import { now, progress, sleepUntil } from './lib/measure.mjs';
import { overheadReport, PAUSE_AFTER_FIT_MS } from './lib/overhead.mjs';
import { profile } from './lib/profile.mjs';
import { trackingShare } from './lib/tracking-profile.mjs';
import { BATCHES_PER_FIT, buildWorkload, describeWorkload, interleavedFits, timedFit } from './lib/tfjs-workload.mjs';

const PAIRS = 8;
const FLUSH_TIMEOUT_MS = 30_000;

/** The library's code on the training thread: its bundle and the HTTP stack it sends with. */
const isTrackingUrl = (url) => /\/dist\/index\.node\.mjs$|\/node_modules\/(ofetch|destr|ufo)\/|node:internal\/deps\/undici/.test(url);

const cpuMs = () => {
  const used = process.cpuUsage();
  return (used.user + used.system) / 1000;
};

export const tfjsNodeBench = {
  name: 'tfjs-node',
  summary: 'TF.js fit in Node (cpu backend) with per-batch tracking vs without, interleaved pairs',
  target: 'tracking overhead <= 2% wall time',
  async run() {
    // Imported here: loading tfjs takes a while and prints a banner, for this bench only.
    const tf = await import('@tensorflow/tfjs');
    await tf.setBackend('cpu');
    await tf.ready();
    const local = await startLocalServerProcess();
    const workload = buildWorkload(tf);
    try {
      const experiment = await runningExperiment(local, { name: 'bench-tfjs-node' });
      progress(`tfjs-node: warm-up pair + ${PAIRS} interleaved pairs of fits, ${BATCHES_PER_FIT} batches each (${describeWorkload(tf)})`);
      const fit = async (tracked) => {
        const cpuStart = cpuMs();
        const ms = await timedFit(workload, tracked ? [experiment.tfjsCallback(tf, { batchMetrics: true })] : []);
        const cpu = cpuMs() - cpuStart;
        const flushStart = now();
        if (!(await experiment.flush({ timeoutMs: FLUSH_TIMEOUT_MS }))) throw new Error(`tfjs-node: the queue was not delivered within ${FLUSH_TIMEOUT_MS} ms after a fit`);
        const flushMs = now() - flushStart;
        await sleepUntil(flushStart, PAUSE_AFTER_FIT_MS);
        return tracked ? { ms, cpuMs: cpu, flushMs } : { ms, cpuMs: cpu };
      };
      const pairs = await interleavedFits({
        pairs: PAIRS,
        fit,
        onPair: (i, pair) => progress(`tfjs-node: pair ${i + 1}/${PAIRS}: untracked ${pair.plain.ms.toFixed(0)} ms, tracked ${pair.tracked.ms.toFixed(0)} ms`),
      });
      progress('tfjs-node: one more tracked fit under the CPU profiler');
      const cpuProfile = await profile(() => timedFit(workload, [experiment.tfjsCallback(tf, { batchMetrics: true })]));
      const profiled = await trackingShare(cpuProfile, { isTrackingUrl, title: 'Tracked fit in Node' });
      await finish(experiment);
      const report = overheadReport(pairs, {
        workload: describeWorkload(tf),
        cpuClock: 'process CPU time (process.cpuUsage, the server is in another process)',
        profiled,
      });
      return { rows: report.rows, details: report.details, data: report.data };
    } finally {
      workload.dispose();
      await local.close();
    }
  },
};
