// The public API, identical for every runtime; each entry point installs its environment first.
export { PolyaxonError, ValidationError } from '../runtime/errors';
export type { PolyaxonErrorKind } from '../runtime/errors';
export type { ClientOptions, ClientSettings, EnvLookup } from '../runtime/settings';
export type { CodeRef, RunEnv, Environment } from '../runtime/environment';
export { setLogLevel } from '../runtime/logger';
export type { LogLevel } from '../runtime/logger';
export { PolyaxonClient } from '../client/client';
export { Experiment } from './experiment';
// TensorFlow.js (each takes your `tf` or the model's artifacts; the library never imports tfjs) and experiment outputs.
export { tfjsCallback, trackFit, modelSaver, modelLoader, uploadStoredOutputs, folderOutputsStore, indexedDbOutputsStore } from '../integrations/tfjs';
export type {
  TfjsCallbackOptions,
  TrackFitOptions,
  ModelSaver,
  ModelSaverOptions,
  ModelSaveResult,
  ModelLoaderOptions,
  OutputsStore,
  OutputsSaved,
  OutputTarget,
  StoredOutput,
  StoredOutputsUpload,
} from '../integrations/tfjs';
export type { OutputFile, OutputWritten } from '../client/outputs-api';
