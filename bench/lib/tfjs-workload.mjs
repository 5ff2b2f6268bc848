/**
 * The TF.js training workload of the overhead benches, shared by Node (bench/tfjs-node.mjs) and
 * Chromium (bench/pages/tfjs.html imports this file): it only uses the `tf` namespace it is given
 * and `performance.now()`, so the same code runs in both.
 *
 * The model is MNIST-shaped (784 -> 128 relu -> 10 softmax, adam, categorical cross-entropy) on
 * synthetic data, so a batch costs what a small real model's batch costs (milliseconds), not the
 * fraction of a millisecond of a toy net that would make any per-batch work look large. A fit is
 * kept short (32 batches, about 2 s) so that many interleaved pairs fit in the bench's time: on a
 * shared machine, load changes within seconds, and short neighbours see the same load.
 */

export const WORKLOAD = Object.freeze({
  samples: 1_024,
  features: 784,
  hidden: 128,
  classes: 10,
  batchSize: 64,
  epochs: 2,
});

export const BATCHES_PER_FIT = Math.ceil(WORKLOAD.samples / WORKLOAD.batchSize) * WORKLOAD.epochs;

export function describeWorkload(tf) {
  const { samples, features, hidden, classes, batchSize, epochs } = WORKLOAD;
  return `dense ${features} -> ${hidden} relu -> ${classes} softmax, ${samples.toLocaleString('en-US')} synthetic samples, batch ${batchSize}, ${epochs} epochs (${BATCHES_PER_FIT} batches per fit), @tensorflow/tfjs ${tf.version.tfjs} ${tf.getBackend()} backend`;
}

/** The model and its data; `dispose()` frees both. Seeded, so every run trains on the same data. */
export function buildWorkload(tf) {
  const { samples, features, hidden, classes } = WORKLOAD;
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: hidden, activation: 'relu', inputShape: [features] }));
  model.add(tf.layers.dense({ units: classes, activation: 'softmax' }));
  model.compile({ optimizer: tf.train.adam(0.001), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const xs = tf.randomUniform([samples, features], 0, 1, 'float32', 1);
  const labels = tf.randomUniform([samples], 0, classes, 'int32', 2);
  const ys = tf.oneHot(labels, classes).toFloat();
  labels.dispose();
  return {
    model,
    xs,
    ys,
    dispose() {
      tf.dispose([xs, ys]);
      model.dispose();
    },
  };
}

/** Wall time of one fit of `workload` with `callbacks`, in ms. */
export async function timedFit(workload, callbacks) {
  const start = performance.now();
  await workload.model.fit(workload.xs, workload.ys, {
    batchSize: WORKLOAD.batchSize,
    epochs: WORKLOAD.epochs,
    shuffle: false,
    verbose: 0,
    callbacks,
  });
  return performance.now() - start;
}

/**
 * Interleaved rounds: a warm-up pair, then `pairs` pairs of one untracked and one tracked fit,
 * the order alternating (A/B, B/A, ...) so drift in machine load hits both sides alike.
 * `fit(tracked)` runs one fit and resolves with its figures (at least `ms`); `onPair` sees each
 * measured pair. Resolves with every pair; the caller takes medians.
 */
export async function interleavedFits({ pairs, fit, onPair = () => {} }) {
  await fit(false);
  await fit(true);
  const measured = [];
  for (let i = 0; i < pairs; i++) {
    const pair = {};
    if (i % 2 === 0) {
      pair.plain = await fit(false);
      pair.tracked = await fit(true);
    } else {
      pair.tracked = await fit(true);
      pair.plain = await fit(false);
    }
    measured.push(pair);
    onPair(i, pair);
  }
  return measured;
}
