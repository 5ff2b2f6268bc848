/**
 * The TF.js callback with a recording stand-in for the experiment: what it logs, when, and that
 * tracking trouble never stops a training run.
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { ValidationError } from '../../src/runtime/errors';
import { logger } from '../../src/runtime/logger';
import type { Experiment } from '../../src/api/experiment';
import { tfjsCallback } from '../../src/integrations/tfjs-callback';
import { fitParams } from '../../src/integrations/tfjs-params';
import { points, smallModel, tf, useCpuBackend } from '../helpers/tfjs-model';

interface Recorded {
  metrics: Array<Record<string, number | null>>;
  adjusted: string[];
  params: Array<Record<string, unknown>>;
  statuses: string[];
}

/** Records the calls the callback makes; `refuse` makes every logging call throw, as a strict refusal would. */
function recordingExperiment(lastStatus: string | undefined, refuse = false) {
  const recorded: Recorded = { metrics: [], adjusted: [], params: [], statuses: [] };
  const maybeRefuse = () => {
    if (refuse) throw new ValidationError('metrics', 'refused for the test');
  };
  const experiment = {
    lastStatus,
    logMetrics: (values: Record<string, number>) => (maybeRefuse(), recorded.metrics.push(values)),
    logParams: (params: Record<string, unknown>) => (maybeRefuse(), recorded.params.push(params)),
    logStatus: (status: string) => (maybeRefuse(), recorded.statuses.push(status)),
    noteAdjusted: (reason: string) => recorded.adjusted.push(reason),
  };
  return { experiment: experiment as unknown as Experiment, recorded };
}

beforeAll(async () => {
  await useCpuBackend();
});

describe('tfjsCallback', () => {
  it('is a real tf.CustomCallback', () => {
    const { experiment } = recordingExperiment('running');
    expect(tfjsCallback(experiment, tf)).toBeInstanceOf(tf.CustomCallback);
  });

  it('sets running at train begin only when the run is neither running nor ended', async () => {
    const { xs, ys } = points(32);
    for (const [lastStatus, expected] of [['created', ['running']], [undefined, ['running']], ['running', []], ['succeeded', []], ['failed', []]] as const) {
      const { experiment, recorded } = recordingExperiment(lastStatus);
      await smallModel().fit(xs, ys, { epochs: 1, callbacks: [tfjsCallback(experiment, tf)] });
      expect(recorded.statuses, String(lastStatus)).toEqual(expected);
    }
  });

  it('a refused record never stops the fit: one warning, training goes on', async () => {
    const { experiment, recorded } = recordingExperiment('created', true);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const { xs, ys } = points(32);
      const history = await smallModel().fit(xs, ys, { epochs: 3, batchSize: 8, callbacks: [tfjsCallback(experiment, tf, { batchMetrics: true })] });
      expect(history.epoch).toEqual([0, 1, 2]);
      expect(recorded.metrics).toEqual([]);
    } finally {
      warn.mockRestore();
    }
  });

  it('F35 a non-finite loss is sent as null, counted under non_finite_as_null and warned once; no epoch is dropped', async () => {
    const { experiment, recorded } = recordingExperiment('running');
    const callback = tfjsCallback(experiment, tf) as unknown as { onEpochEnd(epoch: number, logs: Record<string, number>): Promise<void> };
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    logger.resetWarnings();
    try {
      await callback.onEpochEnd(3, { loss: Number.NaN, acc: 0.5, val_loss: Number.POSITIVE_INFINITY });
      await callback.onEpochEnd(4, { loss: Number.NaN });
      expect(warn.mock.calls.filter((call) => String(call[0]).includes('sent as null'))).toHaveLength(1);
    } finally {
      warn.mockRestore();
    }
    expect(recorded.metrics).toEqual([
      { loss: null, acc: 0.5, val_loss: null, step: 3 },
      { loss: null, step: 4 },
    ]);
    expect(recorded.adjusted).toEqual(['non_finite_as_null', 'non_finite_as_null', 'non_finite_as_null']);
  });

  it('batch logs holding Scalars are read back, and only on the batches that are logged', async () => {
    const { experiment, recorded } = recordingExperiment('running');
    const callback = tfjsCallback(experiment, tf, { batchMetrics: true, everyNBatches: 2 }) as unknown as {
      onBatchEnd(batch: number, logs: Record<string, unknown>): Promise<void>;
    };
    const reads: number[] = [];
    const scalar = (value: number, batch: number) => ({
      dataSync: () => (reads.push(batch), [value]),
    });
    for (let batch = 0; batch < 5; batch += 1) {
      await callback.onBatchEnd(batch, { batch, size: 8, loss: scalar(batch / 10, batch), acc: batch });
    }
    expect(recorded.metrics).toEqual([
      { batch_loss: 0, batch_acc: 0, step: 0 },
      { batch_loss: 0.2, batch_acc: 2, step: 2 },
      { batch_loss: 0.4, batch_acc: 4, step: 4 },
    ]);
    expect(reads).toEqual([0, 2, 4]);
  });

  it('refuses an everyNBatches that is not a positive integer', () => {
    const { experiment } = recordingExperiment('running');
    for (const everyNBatches of [0, -1, 1.5, Number.NaN]) {
      expect(() => tfjsCallback(experiment, tf, { batchMetrics: true, everyNBatches }), String(everyNBatches)).toThrow(ValidationError);
    }
  });
});

describe('fitParams', () => {
  it('reads SGD, a custom loss function and a functional model', () => {
    const input = tf.input({ shape: [3] });
    const output = tf.layers.dense({ units: 2, name: 'head' }).apply(input) as ReturnType<typeof tf.input>;
    const model = tf.model({ inputs: input, outputs: output });
    model.compile({ optimizer: tf.train.sgd(0.5), loss: function squaredGap(a: unknown, b: unknown) { return tf.losses.meanSquaredError(a as never, b as never); } });
    expect(fitParams({ epochs: 2, batchSize: 4, initialEpoch: 1, steps: 10 }, model as never)).toEqual({
      epochs: 2,
      initial_epoch: 1,
      batch_size: 4,
      steps_per_epoch: 10,
      optimizer: 'SGD',
      learning_rate: 0.5,
      loss: 'squaredGap',
      layer_count: 1,
      layers: ['head (Dense)'],
      trainable_params: 8,
      total_params: 8,
    });
  });

  it('leaves out what a model does not expose, and survives getters that throw', () => {
    const hostile = {
      get optimizer(): never {
        throw new Error('not compiled');
      },
      layers: [{ name: 'odd', getClassName: () => { throw new Error('no class'); }, countParams: () => 0 }],
      countParams: () => {
        throw new Error('not built');
      },
    };
    expect(fitParams(undefined, hostile as never)).toEqual({ layer_count: 1, layers: ['odd (Layer)'], trainable_params: 0 });
    expect(fitParams({ epochs: Number.NaN }, undefined)).toEqual({});
  });
});
