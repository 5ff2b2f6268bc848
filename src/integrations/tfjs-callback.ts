import { ValidationError } from '../runtime/errors';
import { logger } from '../runtime/logger';
import { isDoneStatus } from '../wire/validation';
import type { TrackedExperiment } from './tracked-experiment';
import { fitParams } from './tfjs-params';
import type { TfCallbackHooks, TfFitParams, TfLogs, TfModel, TfWithCustomCallback } from './tfjs-types';

export interface TfjsCallbackOptions {
  /** Also log batch metrics, with `step` = the global batch index (see below). Default: false. */
  batchMetrics?: boolean;
  /** With `batchMetrics`, log one batch in N: global batches 0, N, 2N, ... Default: 1 (every batch). */
  everyNBatches?: number;
  /**
   * Prefix of batch metric names, so a batch `loss` (step = batch) never mixes with the epoch
   * `loss` series (step = epoch). Default: `batch_`.
   */
  batchPrefix?: string;
  /** Only these metrics, named as tfjs reports them (`loss`, `acc`, `val_loss`, ...). Default: all. */
  metrics?: string[];
  /** Log the fit's params and a layer summary at train begin. Default: true. */
  logParams?: boolean;
}

/** Keys of batch logs that are bookkeeping, not metrics. */
const BATCH_BOOKKEEPING = new Set(['batch', 'size']);

/**
 * A real `tf.CustomCallback` (built with the `tf` you pass, so it sits beside
 * `tf.callbacks.earlyStopping()` in one `callbacks` array) that tracks a `fit`/`fitDataset` run:
 * - train begin: status `running` unless the run already is (or has ended), and the fit params;
 * - epoch end: the epoch logs with `step` = the epoch index exactly as tfjs gives it (0-based,
 *   counted from `initialEpoch`), as Polyaxon's Keras callback does (`step=epoch`);
 * - batch end (with `batchMetrics`): the batch logs with `step` = the global batch index, i.e. the
 *   number of batches this callback saw before it (0-based, across epochs and fits).
 * Hooks only queue records (logMetrics returns without I/O) and never throw into the training
 * loop: a refused value is skipped with one warning.
 */
export function tfjsCallback<C>(experiment: TrackedExperiment, tf: TfWithCustomCallback<C>, options: TfjsCallbackOptions = {}): C {
  const everyNBatches = options.everyNBatches ?? 1;
  if (!Number.isInteger(everyNBatches) || everyNBatches < 1) throw new ValidationError('everyNBatches', 'must be a positive integer');
  const only = options.metrics ? new Set(options.metrics) : undefined;
  const batchPrefix = options.batchPrefix ?? 'batch_';
  let batchesSeen = 0;

  const hooks: TfCallbackHooks = {
    onTrainBegin: () => {
      const { params, model } = callback as unknown as { params?: TfFitParams; model?: TfModel };
      safely('tfjs-train-begin', () => {
        const status = experiment.lastStatus;
        if (status !== 'running' && !(status !== undefined && isDoneStatus(status))) experiment.logStatus('running');
        if (options.logParams !== false) experiment.logParams(fitParams(params, model));
      });
    },
    onEpochEnd: (epoch, logs) => {
      const values = metricValues(experiment, logs, only, '', new Set());
      if (values) safely('tfjs-epoch-metrics', () => experiment.logMetrics({ ...values, step: epoch }));
    },
  };
  // 'never': this callback adds no waits of its own to the loop (tfjs' fit has its own yieldEvery).
  const callback = new tf.CustomCallback(hooks, 'never');
  // fit hands every callback the model through setModel, but CustomCallback (a BaseCallback, not
  // a tf.Callback) drops it; keep it, as tf.Callback does, for the optimizer and layer summary.
  (callback as unknown as { setModel(model: TfModel): void }).setModel = (model) => {
    (callback as unknown as { model?: TfModel }).model = model;
  };
  if (options.batchMetrics) {
    // Set on the instance instead of passing `onBatchEnd`: CustomCallback would read every batch's
    // Scalars back from the backend (a GPU sync on WebGL) even for the batches that are skipped.
    (callback as unknown as { onBatchEnd(batch: number, logs?: TfLogs): Promise<void> }).onBatchEnd = async (_batch, logs) => {
      const step = batchesSeen;
      batchesSeen += 1;
      if (step % everyNBatches !== 0) return;
      const values = metricValues(experiment, await resolved(logs), only, batchPrefix, BATCH_BOOKKEEPING);
      if (values) safely('tfjs-batch-metrics', () => experiment.logMetrics({ ...values, step }));
    };
  }
  return callback;
}

/**
 * The numbers of `logs`, filtered and prefixed; undefined when none is left. A non-finite value (a
 * NaN loss when training diverges) is sent as `null`, as Polyaxon stores it, so the epoch keeps its
 * point and the chart its gap; each one is counted in `stats().adjusted.non_finite_as_null`.
 */
function metricValues(
  experiment: TrackedExperiment,
  logs: Record<string, unknown> | undefined,
  only: Set<string> | undefined,
  prefix: string,
  skip: Set<string>,
) {
  const values: Record<string, number | null> = {};
  let count = 0;
  for (const [key, value] of Object.entries(logs ?? {})) {
    if (skip.has(key) || (only && !only.has(key)) || typeof value !== 'number') continue;
    if (Number.isFinite(value)) values[prefix + key] = value;
    else {
      values[prefix + key] = null;
      experiment.noteAdjusted('non_finite_as_null');
      logger.warnOnce('tfjs-not-finite', `metric ${key} is ${value}: sent as null (Polyaxon metrics are finite numbers or null)`);
    }
    count += 1;
  }
  return count > 0 ? values : undefined;
}

/** Batch logs still hold Scalars (tfjs resolves them only for hooks passed as CustomCallbackArgs). */
async function resolved(logs: TfLogs | undefined): Promise<Record<string, unknown>> {
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(logs ?? {})) {
    if (typeof value === 'number' || value === undefined) values[key] = value;
    else values[key] = (value.data ? await value.data() : value.dataSync())[0];
  }
  return values;
}

/** Tracking must never stop a training run: a failure here is one warning, then training goes on. */
function safely(kind: string, track: () => void): void {
  try {
    track();
  } catch (error) {
    logger.warnOnce(kind, `TF.js tracking skipped a record: ${(error as Error)?.message ?? String(error)}`);
  }
}
