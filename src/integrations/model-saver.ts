import type { TrackedExperiment } from './tracked-experiment';
import { DEFAULT_TARGET_TIMEOUT_MS, outputTarget } from './output-target';
import { artifactsInfo, modelFiles } from './model-files';
import { checkOutputName, saveOutput, type OutputsOptions, type OutputsSaved } from './outputs';
import type { TfLoadHandler, TfModelArtifacts, TfModelArtifactsInfo, TfWithHttpIO } from './tfjs-types';

export interface ModelSaverOptions extends OutputsOptions {
  /** Output name: the files are `<name>.json` and `<name>.weights.bin`; may hold folders (`checkpoints/epoch-3`). Default: `model`. */
  name?: string;
}

/** tfjs-core's `SaveResult`, plus where the model went. */
export interface ModelSaveResult {
  modelArtifactsInfo: TfModelArtifactsInfo;
  /** Undefined for a no-op experiment (POLYAXON_NO_OP), which saves nothing. */
  outputs?: OutputsSaved;
}

/** A TF.js IO handler for `model.save(handler)`. */
export interface ModelSaver {
  save(artifacts: TfModelArtifacts): Promise<ModelSaveResult>;
}

/**
 * `model.save(modelSaver(experiment))` stores the model as an output of the run, in the standard
 * TF.js layout (see modelFiles): uploaded to the server's `experiments/{id}/outputs/`, or, where
 * that is not possible, kept locally (see saveOutput for the order). The result's `outputs` tells
 * which happened. The name is checked at once, before any training time is spent.
 */
export function modelSaver(experiment: TrackedExperiment, options: ModelSaverOptions = {}): ModelSaver {
  const name = checkOutputName(options.name ?? 'model');
  return {
    async save(artifacts) {
      const modelArtifactsInfo = artifactsInfo(artifacts);
      if (experiment.client.settings.noOp) return { modelArtifactsInfo };
      return { modelArtifactsInfo, outputs: await saveOutput(experiment, name, modelFiles(artifacts, name), options) };
    },
  };
}

export interface ModelLoaderOptions {
  /** Output name given to the saver. Default: `model`. */
  name?: string;
  /** How long loading waits for the experiment's server id. Default: 5_000 ms. */
  targetTimeoutMs?: number;
}

/**
 * `tf.loadLayersModel(modelLoader(experiment, tf))` loads a model the saver uploaded, straight
 * from the server with the client's token, through `tf.io.http` (weights are fetched from beside
 * the JSON). Equivalent by hand: `tf.io.http(client.outputs.url(user, project, id, 'model.json'),
 * { requestInit: { headers: client.outputs.headers() } })`.
 */
export function modelLoader<A>(experiment: TrackedExperiment, tf: TfWithHttpIO<A>, options: ModelLoaderOptions = {}): TfLoadHandler<A> {
  const name = checkOutputName(options.name ?? 'model');
  return {
    async load() {
      const target = await outputTarget(experiment, options.targetTimeoutMs ?? DEFAULT_TARGET_TIMEOUT_MS);
      const outputs = experiment.client.outputs;
      const url = outputs.url(target.user, target.project, target.id, `${name}.json`);
      const handler = tf.io.http(url, { requestInit: { headers: outputs.headers() } });
      if (!handler.load) throw new Error('tf.io.http gave a handler that cannot load');
      return handler.load();
    },
  };
}
