import type { TrackedExperiment } from './tracked-experiment';

export interface TrackFitOptions {
  /** Mark the run `succeeded` when the fit resolves. Set false to go on logging (evaluation, saving) and end it yourself. Default: true. */
  endOnSuccess?: boolean;
}

/**
 * Ties the run's outcome to a training run: awaits `fit` (a promise such as `model.fit(...)`, or a
 * function returning one, so that a synchronous throw counts too); when it resolves, marks the run
 * `succeeded` (unless `endOnSuccess: false`) and returns its result (the `History`); when it
 * rejects, marks the run `failed` with the error's message and stack and rethrows the error
 * unchanged.
 *
 * A wrapper rather than options on the callback: a fit that fails before its first hook (bad
 * input shape, a model that was never compiled) runs no callback at all, and only the caller sees
 * the rejection. A run that already ended is left as it is (`Experiment.end` is idempotent).
 */
export async function trackFit<T>(experiment: TrackedExperiment, fit: Promise<T> | (() => Promise<T>), options: TrackFitOptions = {}): Promise<T> {
  let result: T;
  try {
    result = await (typeof fit === 'function' ? fit() : fit);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const stack = error instanceof Error ? error.stack : undefined;
    experiment.failed(message || 'fit failed', stack);
    throw error;
  }
  if (options.endOnSuccess !== false) experiment.succeeded();
  return result;
}
