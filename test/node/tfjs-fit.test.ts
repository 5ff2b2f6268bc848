/**
 * TF.js training tracked against the local server: a real `model.fit` (cpu backend) with the
 * callback beside `tf.callbacks.earlyStopping`, batch metrics, and `trackFit` for the outcome.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { delivered, experimentOn, serverView } from '../fixtures/experiment-setup';
import { mnistServerPerTest } from '../helpers/mnist-server-per-test';
import { type LocalServer } from '../helpers/local-server';
import { points, smallModel, tf, useCpuBackend } from '../helpers/tfjs-model';
import type { Experiment } from '../../src/index.node';

let local: LocalServer;

beforeAll(async () => {
  await useCpuBackend();
});
mnistServerPerTest((started) => (local = started));

async function held(experiment: Experiment) {
  await delivered(experiment);
  const view = await serverView(local.client, local.user, 'mnist', experiment.id!);
  const metrics = [];
  for (let page = 1; ; page += 1) {
    const answer = await local.client.experiment.getMetrics(local.user, 'mnist', experiment.id!, { page });
    metrics.push(...answer.results.map((metric) => metric.values));
    if (!answer.next || page > 20) break;
  }
  return { ...view, metrics };
}

describe('tfjsCallback and trackFit against the local server', () => {
  it('logs every epoch with step = epoch, the fit params, and running then succeeded', async () => {
    const experiment = await experimentOn(local).create({ name: 'tfjs-fit' });
    const model = smallModel(0.01);
    const { xs, ys } = points(256);
    const history = await experiment.trackFit(
      model.fit(xs, ys, {
        epochs: 4,
        batchSize: 32,
        validationSplit: 0.25,
        callbacks: [experiment.tfjsCallback(tf), tf.callbacks.earlyStopping({ monitor: 'loss', patience: 2 })],
      }),
    );
    expect(history.epoch).toEqual([0, 1, 2, 3]);

    const { experiment: view, statuses, metrics } = await held(experiment);
    expect(metrics).toHaveLength(4);
    metrics.forEach((values, epoch) => {
      expect(values).toEqual({
        step: epoch,
        loss: history.history.loss[epoch],
        mae: history.history.mae[epoch],
        val_loss: history.history.val_loss[epoch],
        val_mae: history.history.val_mae[epoch],
      });
    });
    expect(view.params).toEqual({
      epochs: 4,
      batch_size: 32,
      samples: 192,
      validation: true,
      optimizer: 'Adam',
      learning_rate: 0.01,
      loss: 'meanSquaredError',
      layer_count: 2,
      layers: ['hidden (Dense)', 'out (Dense)'],
      trainable_params: 49,
      total_params: 49,
    });
    expect(statuses.slice(-2)).toEqual(['running', 'succeeded']);
    expect(statuses.filter((status) => status === 'running')).toHaveLength(1);
    expect(view.last_status).toBe('succeeded');
  });

  it('early stopping in the same callbacks array ends the fit, and the server holds exactly the epochs run', async () => {
    const experiment = await experimentOn(local).create();
    const { xs, ys } = points(128);
    const history = await experiment.trackFit(
      smallModel().fit(xs, ys, {
        epochs: 10,
        batchSize: 32,
        // No epoch can improve the loss by 1e9, so the fit stops after patience + 1 epochs.
        callbacks: [tf.callbacks.earlyStopping({ monitor: 'loss', patience: 1, minDelta: 1e9 }), experiment.tfjsCallback(tf)],
      }),
    );
    expect(history.epoch).toEqual([0, 1]);
    const { metrics, statuses } = await held(experiment);
    expect(metrics.map((values) => values.step)).toEqual([0, 1]);
    expect(statuses.at(-1)).toBe('succeeded');
  });

  it('batch metrics every N batches: steps are global batch indices 0, N, 2N, ... under a batch_ prefix', async () => {
    const experiment = await experimentOn(local).create();
    const { xs, ys } = points(200);
    await smallModel().fit(xs, ys, {
      epochs: 3,
      batchSize: 20,
      callbacks: [experiment.tfjsCallback(tf, { batchMetrics: true, everyNBatches: 4, logParams: false })],
    });
    const { metrics, experiment: view } = await held(experiment);
    const batches = metrics.filter((values) => 'batch_loss' in values);
    const epochs = metrics.filter((values) => 'loss' in values);
    // 200 / 20 = 10 batches an epoch, 30 in all: one in four is 0, 4, ..., 28.
    expect(batches.map((values) => values.step)).toEqual([0, 4, 8, 12, 16, 20, 24, 28]);
    for (const values of batches) {
      expect(Object.keys(values).sort()).toEqual(['batch_loss', 'batch_mae', 'step']);
      expect(Number.isFinite(values.batch_loss)).toBe(true);
    }
    expect(epochs.map((values) => values.step)).toEqual([0, 1, 2]);
    expect(view.params ?? {}).toEqual({});
  });

  it('every batch when everyNBatches is not given; only the metrics asked for', async () => {
    const experiment = await experimentOn(local).create();
    const { xs, ys } = points(64);
    await smallModel().fit(xs, ys, {
      epochs: 2,
      batchSize: 16,
      callbacks: [experiment.tfjsCallback(tf, { batchMetrics: true, metrics: ['loss'] })],
    });
    const { metrics } = await held(experiment);
    expect(metrics.filter((values) => 'batch_loss' in values).map((values) => values.step)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(metrics.every((values) => !('mae' in values) && !('batch_mae' in values))).toBe(true);
    expect(metrics.filter((values) => 'loss' in values)).toHaveLength(2);
  });

  it('fitDataset: epoch and batch metrics, params without a batch size, beside early stopping', async () => {
    const experiment = await experimentOn(local).create();
    const { xs, ys } = points(96);
    const dataset = tf.data.zip({ xs: tf.data.array(xs.arraySync()), ys: tf.data.array(ys.arraySync()) }).batch(32);
    const callbacks = [experiment.tfjsCallback(tf, { batchMetrics: true }), tf.callbacks.earlyStopping({ monitor: 'loss', patience: 3 })];
    const history = await experiment.trackFit(smallModel().fitDataset(dataset as never, { epochs: 2, callbacks }));
    const { metrics, experiment: view, statuses } = await held(experiment);
    // 96 points in batches of 32: three batches an epoch.
    expect(metrics.filter((values) => 'batch_loss' in values).map((values) => values.step)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(metrics.filter((values) => 'loss' in values).map((values) => [values.step, values.loss])).toEqual(
      history.epoch.map((epoch) => [epoch, history.history.loss[epoch]]),
    );
    expect(view.params).toMatchObject({ epochs: 2, optimizer: 'Adam', layer_count: 2 });
    // The dataset decides the batch size, so tfjs hands callbacks none.
    expect(view.params).not.toHaveProperty('batch_size');
    expect(statuses.at(-1)).toBe('succeeded');
  });

  it('trackFit with a fit that throws (bad input shape): status failed with the message and stack, error rethrown', async () => {
    const experiment = await experimentOn(local).create();
    const model = smallModel();
    const wrongShape = tf.zeros([16, 3]);
    const error = await experiment
      .trackFit(model.fit(wrongShape, tf.zeros([16, 1]), { epochs: 1, callbacks: [experiment.tfjsCallback(tf)] }))
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/expected dense_?\w*input to have shape|hidden_input|shape/i);

    const { statusRows, experiment: view } = await held(experiment);
    const failed = statusRows.at(-1)!;
    expect(failed.status).toBe('failed');
    expect(failed.message).toBe((error as Error).message);
    expect(failed.traceback).toContain((error as Error).message);
    expect(view.last_status).toBe('failed');
    expect(experiment.isRunning).toBe(false);
  });

  it('trackFit takes a function too, so a synchronous throw is caught; endOnSuccess: false leaves the run going', async () => {
    const experiment = await experimentOn(local).create();
    const thrown = await experiment
      .trackFit(() => {
        throw new TypeError('model was never compiled');
      })
      .catch((caught: unknown) => caught);
    expect(thrown).toBeInstanceOf(TypeError);
    expect(experiment.lastStatus).toBe('failed');

    const second = await experimentOn(local).create();
    const { xs, ys } = points(32);
    await second.trackFit(smallModel().fit(xs, ys, { epochs: 1 }), { endOnSuccess: false });
    expect(second.isRunning).toBe(true);
    second.succeeded();
    const { statuses } = await held(second);
    expect(statuses.at(-1)).toBe('succeeded');
  });
});
