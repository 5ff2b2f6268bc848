// The demo's model and data, shared by the Node script and the browser page: the same code trains
// in both, tracked by the same Experiment API. `tf` is passed in, so this file imports nothing.

/** Two interleaved spirals: a small classification task that a tiny MLP learns in seconds. */
export function spirals(tf, points = 600, noise = 0.15) {
  const xs = [];
  const ys = [];
  for (let i = 0; i < points; i++) {
    const label = i % 2;
    // Points in random order along the spirals, so validationSplit's last 20% is a fair sample.
    const t = Math.sqrt(Math.random()) * 3 * Math.PI;
    const sign = label ? -1 : 1;
    xs.push([sign * t * Math.cos(t) / 10 + gaussian() * noise, sign * t * Math.sin(t) / 10 + gaussian() * noise]);
    ys.push([label]);
  }
  return { xs: tf.tensor2d(xs), ys: tf.tensor2d(ys) };
}

function gaussian() {
  return Math.sqrt(-2 * Math.log(1 - Math.random())) * Math.cos(2 * Math.PI * Math.random());
}

export function buildModel(tf, { hidden = 32, learningRate = 0.02 } = {}) {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [2], units: hidden, activation: 'relu' }));
  model.add(tf.layers.dense({ units: hidden, activation: 'relu' }));
  model.add(tf.layers.dense({ units: 1, activation: 'sigmoid' }));
  model.compile({ optimizer: tf.train.adam(learningRate), loss: 'binaryCrossentropy', metrics: ['acc'] });
  return model;
}

/**
 * Trains with tracking: epoch metrics (and every 4th batch), the fit's params, status running then
 * succeeded (or failed if fit throws), and the trained model saved as an output of the run.
 */
export async function train(tf, experiment, { epochs = 20, batchSize = 32, onEpochEnd } = {}) {
  const { xs, ys } = spirals(tf);
  const model = buildModel(tf);
  const callbacks = [
    experiment.tfjsCallback(tf, { batchMetrics: true, everyNBatches: 4 }),
    tf.callbacks.earlyStopping({ monitor: 'val_loss', patience: 8 }),
  ];
  if (onEpochEnd) callbacks.push(new tf.CustomCallback({ onEpochEnd }));
  const history = await experiment.trackFit(
    model.fit(xs, ys, { epochs, batchSize, validationSplit: 0.2, shuffle: true, callbacks }),
    { endOnSuccess: false },
  );
  await model.save(experiment.modelSaver({ name: 'spirals' }));
  experiment.succeeded();
  xs.dispose();
  ys.dispose();
  return history;
}
