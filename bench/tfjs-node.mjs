/**
 * TF.js training overhead in Node (issue 5): the same `fit` with per-batch tracking
 * (`experiment.tfjsCallback(tf, { batchMetrics: true })`, every batch logged) and without, in one
 * run, on the cpu backend of `@tensorflow/tfjs` (pure JS). Pairs of fits alternate their order;
 * the overhead is the median over pairs of tracked / untracked wall time, minus one. Target: <= 2%.
 * One model and one experiment serve every fit, so the fits differ only by the callback; the
 * server runs in its own process, so its request handling is not counted as overhead.
 */
import { finish, runningExperiment } from './lib/experiment.mjs';
import { startLocalServerProcess } from './lib/local-server.mjs';
import { median, now, progress, result } from './lib/measure.mjs';
import { Experiment } from '../dist/index.node.mjs';

const SAMPLES = 1_024;
const FEATURES = 16;
const BATCH_SIZE = 32;
const EPOCHS = 1;
const PAIRS = 8;
const TARGET_OVERHEAD = 0.02;

/** False when the built package has no TF.js integration yet (the suite then lists this bench as not measured). */
export function tfjsIntegrationBuilt() {
  return typeof Experiment.prototype.tfjsCallback === 'function';
}

function buildModel(tf) {
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: 64, activation: 'relu', inputShape: [FEATURES] }));
  model.add(tf.layers.dense({ units: 32, activation: 'relu' }));
  model.add(tf.layers.dense({ units: 1 }));
  model.compile({ optimizer: 'adam', loss: 'meanSquaredError', metrics: ['mse'] });
  return model;
}

/** Wall time and process CPU time of one fit, in ms. */
async function timedFit(model, xs, ys, callbacks) {
  const cpu = process.cpuUsage();
  const start = now();
  await model.fit(xs, ys, { batchSize: BATCH_SIZE, epochs: EPOCHS, shuffle: false, verbose: 0, callbacks });
  const used = process.cpuUsage(cpu);
  return { ms: now() - start, cpuMs: (used.user + used.system) / 1000 };
}

export const tfjsNodeBench = {
  name: 'tfjs',
  summary: 'TF.js fit in Node (cpu backend) with per-batch tracking vs without',
  async run() {
    // Imported here: loading tfjs takes a while and prints a banner, for this bench only.
    const tf = await import('@tensorflow/tfjs');
    await tf.setBackend('cpu');
    await tf.ready();
    const local = await startLocalServerProcess();
    const xs = tf.randomNormal([SAMPLES, FEATURES], 0, 1, 'float32', 1);
    const ys = tf.randomNormal([SAMPLES, 1], 0, 1, 'float32', 2);
    const model = buildModel(tf);
    try {
      const experiment = await runningExperiment(local, { name: 'bench-tfjs' });
      const trackedCallbacks = () => [experiment.tfjsCallback(tf, { batchMetrics: true })];
      const batchesPerFit = Math.ceil(SAMPLES / BATCH_SIZE) * EPOCHS;
      progress(`tfjs: ${PAIRS} pairs of fits (${batchesPerFit} batches each, cpu backend), tracked and untracked in alternating order, after a warm-up pair`);
      await timedFit(model, xs, ys, []);
      await timedFit(model, xs, ys, trackedCallbacks());
      const pairs = [];
      for (let i = 0; i < PAIRS; i++) {
        let plain;
        let tracked;
        if (i % 2 === 0) {
          plain = await timedFit(model, xs, ys, []);
          tracked = await timedFit(model, xs, ys, trackedCallbacks());
        } else {
          tracked = await timedFit(model, xs, ys, trackedCallbacks());
          plain = await timedFit(model, xs, ys, []);
        }
        pairs.push({ plain, tracked });
      }
      const ratios = pairs.map((pair) => pair.tracked.ms / pair.plain.ms - 1);
      const overhead = median(ratios);
      const cpuRatios = pairs.map((pair) => pair.tracked.cpuMs / pair.plain.cpuMs - 1);
      const percents = (values) => values.map((ratio) => `${(ratio * 100).toFixed(1)}%`).join(', ');
      await finish(experiment);
      return {
        rows: [
          result('fit, untracked', median(pairs.map((pair) => pair.plain.ms)), 'ms', { note: `${batchesPerFit} batches of ${BATCH_SIZE}, 3 dense layers, @tensorflow/tfjs ${tf.version.tfjs} cpu backend` }),
          result('fit, per-batch tracking', median(pairs.map((pair) => pair.tracked.ms)), 'ms', { note: `tfjsCallback({ batchMetrics: true }): ${batchesPerFit} logMetrics per fit` }),
          result('tracking overhead', overhead * 100, '%', {
            target: `<= ${TARGET_OVERHEAD * 100}`,
            pass: overhead <= TARGET_OVERHEAD,
            note: `wall time, median over ${PAIRS} pairs (${percents(ratios)}); on a loaded 2-core machine pairs vary by more than the target`,
          }),
          result('tracking overhead (process CPU)', median(cpuRatios) * 100, '%', {
            note: `process CPU time of the same fits, median over pairs (${percents(cpuRatios)}): less sensitive to other load`,
          }),
        ],
      };
    } finally {
      tf.dispose([xs, ys]);
      model.dispose();
      await local.close();
    }
  },
};
