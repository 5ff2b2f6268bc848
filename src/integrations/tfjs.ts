/**
 * TensorFlow.js integration, without importing tfjs: every function takes the `tf` namespace (or
 * the model's artifacts) from the caller. See the files it gathers for each part.
 */
export { tfjsCallback, type TfjsCallbackOptions } from './tfjs-callback';
export { trackFit, type TrackFitOptions } from './track-fit';
export { modelSaver, modelLoader, type ModelSaver, type ModelSaverOptions, type ModelSaveResult, type ModelLoaderOptions } from './model-saver';
export { modelFiles } from './model-files';
export { saveOutput, type OutputsStore, type OutputsSaved, type OutputsOptions, type OutputFileBody, type StoredOutput } from './outputs';
export { outputTarget, type OutputTarget } from './output-target';
export { folderOutputsStore } from './outputs-folder';
export { indexedDbOutputsStore, uploadStoredOutputs, type StoredOutputsUpload } from './outputs-idb';
export type * from './tfjs-types';
