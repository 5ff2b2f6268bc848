/**
 * The public API, the same for every runtime (index.node.ts and index.browser.ts install theirs
 * first). What is exported here is the package's surface; its bundled declarations are kept in
 * test/api-surface/, so a change to it is always a visible diff (test/unit/api-surface.test.ts).
 */

// Tracking experiments: the Python client's Experiment, its options, what it reports.
export { Experiment } from './experiment';
export type { ExperimentStats, MetricValues } from './experiment';
export type { CreateOptions, ExperimentOptions, OutboxSettings } from './options';
export type { ProjectRef } from './project-ref';
export type { FlushOptions, OutboxStats } from '../outbox/outbox';
export type { DropReason } from '../outbox/policy';
export type { PauseReason } from '../outbox/send-gate';
export type { AdjustedReason, ExperimentStatus } from '../wire/validation';
export type { CodeRef, RunEnv } from '../runtime/environment';

// In the cluster: what the static getters of Experiment give, and what they throw outside it.
export { NotManagedError } from '../runtime/in-cluster';
export type { ClusterDef, ExperimentInfo, TaskInfo, TfConfig, TfConfigOptions } from '../runtime/in-cluster';

// The REST client: one request per call, never retried.
export { PolyaxonClient } from '../client/client';
export type { ClientOptions, ClientSettings, EnvLookup } from '../runtime/settings';
export type * from '../client/index';

// Errors and the library's logger.
export { PolyaxonError, ValidationError } from '../runtime/errors';
export type { PolyaxonErrorKind } from '../runtime/errors';
export { setLogLevel } from '../runtime/logger';
export type { LogLevel } from '../runtime/logger';

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
export type { TrackedExperiment } from '../integrations/tracked-experiment';
