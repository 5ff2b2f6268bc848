// A dedicated classic Worker that trains a small TF.js model (cpu backend) with tracking: the
// script-tag build and TF.js both come in through importScripts; settings arrive by postMessage.
importScripts('/node_modules/@tensorflow/tfjs/dist/tf.min.js', '/dist/polyaxon-tracking.iife.min.js');

self.onmessage = async (event) => {
  const { env, project, name, epochs } = event.data;
  self.POLYAXON_ENV = env;
  try {
    await tf.setBackend('cpu');
    const { Experiment } = self.PolyaxonTracking;
    const experiment = new Experiment({ project });
    await experiment.create({ name, framework: 'tensorflow' });

    const model = tf.sequential();
    model.add(tf.layers.dense({ units: 8, inputShape: [4], activation: 'relu' }));
    model.add(tf.layers.dense({ units: 1 }));
    model.compile({ optimizer: tf.train.sgd(0.05), loss: 'meanSquaredError', metrics: ['mae'] });
    const xs = tf.randomNormal([128, 4], 0, 1, 'float32', 3);
    const ys = xs.sum(1, true);

    const usedTfjsCallback = typeof experiment.tfjsCallback === 'function';
    const callbacks = usedTfjsCallback
      ? [experiment.tfjsCallback(tf, { batchMetrics: true, everyNBatches: 2 })]
      : [{ onEpochEnd: (epoch, logs) => experiment.logMetrics({ ...logs, step: epoch }) }];
    const fit = () => model.fit(xs, ys, { epochs, batchSize: 32, callbacks, verbose: 0 });
    const history = typeof experiment.trackFit === 'function' ? await experiment.trackFit(fit) : await fit().then((h) => (experiment.succeeded(), h));
    const delivered = await experiment.close({ timeoutMs: 20000 });
    self.postMessage({ id: experiment.id, delivered, usedTfjsCallback, backend: tf.getBackend(), history: history.history });
  } catch (error) {
    self.postMessage({ error: String(error && error.stack ? error.stack : error) });
  }
};
