import type { TfFitParams, TfModel } from './tfjs-types';

/**
 * The params a fit is worth remembering by, snake_case as Polyaxon users read them:
 * `epochs`, `initial_epoch`, `batch_size`, `steps_per_epoch`, `samples`, `validation`,
 * `optimizer` (class name), `learning_rate`, `loss`, and a layer summary: `layer_count`,
 * `layers` (`"name (Class)"` each), `trainable_params`, `total_params`. Whatever the model does
 * not expose is left out rather than guessed; reading it never throws.
 */
export function fitParams(params: TfFitParams | undefined, model: TfModel | undefined): Record<string, unknown> {
  const found: Record<string, unknown> = {
    epochs: numberOrUndefined(params?.epochs),
    initial_epoch: params?.initialEpoch ? numberOrUndefined(params.initialEpoch) : undefined,
    batch_size: numberOrUndefined(params?.batchSize),
    steps_per_epoch: numberOrUndefined(params?.steps),
    samples: numberOrUndefined(params?.samples),
    validation: typeof params?.doValidation === 'boolean' ? params.doValidation : undefined,
    optimizer: attempt(() => model?.optimizer?.getClassName()),
    learning_rate: numberOrUndefined(attempt(() => model?.optimizer?.learningRate)),
    loss: lossName(model?.loss),
    ...layerSummary(model),
  };
  for (const key of Object.keys(found)) if (found[key] === undefined) delete found[key];
  return found;
}

function layerSummary(model: TfModel | undefined): Record<string, unknown> {
  if (!Array.isArray(model?.layers)) return {};
  // A Sequential fits through its inner functional model, whose first layer is the InputLayer
  // that the user's `model.layers` (and Keras' summary) leave out.
  const layers = model.layers.filter((layer) => attempt(() => layer.getClassName()) !== 'InputLayer');
  const trainable = attempt(() =>
    (model?.trainableWeights ?? []).reduce((sum, weight) => sum + weight.shape.reduce((size, dim) => size * dim, 1), 0),
  );
  return {
    layer_count: layers.length,
    layers: layers.map((layer) => `${layer.name} (${attempt(() => layer.getClassName()) ?? 'Layer'})`),
    trainable_params: numberOrUndefined(trainable),
    total_params: numberOrUndefined(attempt(() => model?.countParams?.())),
  };
}

/** A loss given by name (or names, one per output); a custom loss function by its name. */
function lossName(loss: unknown): string | string[] | undefined {
  if (typeof loss === 'string') return loss;
  if (typeof loss === 'function') return loss.name || undefined;
  if (Array.isArray(loss) && loss.every((item) => typeof item === 'string')) return loss as string[];
  return undefined;
}

function numberOrUndefined(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** Model internals differ between tfjs versions and custom models: a getter that throws gives undefined. */
function attempt<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}
