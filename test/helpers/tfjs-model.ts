/**
 * A small TF.js regression problem for the integration tests: Dense layers on a few hundred random
 * points (cpu backend), quick enough to fit a few epochs in well under a second.
 */
import * as tf from '@tensorflow/tfjs';

export { tf };

let backendReady: Promise<boolean> | undefined;

export function useCpuBackend(): Promise<boolean> {
  return (backendReady ??= tf.setBackend('cpu'));
}

/** Dense(8, relu) → Dense(1), Adam at `learningRate`, mean squared error, mae as a metric. */
export function smallModel(learningRate = 0.01): tf.Sequential {
  const model = tf.sequential({ name: 'small' });
  model.add(tf.layers.dense({ units: 8, inputShape: [4], activation: 'relu', name: 'hidden' }));
  model.add(tf.layers.dense({ units: 1, name: 'out' }));
  model.compile({ optimizer: tf.train.adam(learningRate), loss: 'meanSquaredError', metrics: ['mae'] });
  return model;
}

/** `count` points of 4 features; the target is their sum. Seeded, so every run sees the same data. */
export function points(count = 256): { xs: tf.Tensor2D; ys: tf.Tensor2D } {
  const xs = tf.randomNormal([count, 4], 0, 1, 'float32', 42) as tf.Tensor2D;
  const ys = xs.sum(1, true) as tf.Tensor2D;
  return { xs, ys };
}
