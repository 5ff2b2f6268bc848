/**
 * The parts of TensorFlow.js the integration touches, as structural types: the library never
 * imports `@tensorflow/tfjs` (not even its types), so users bring their own copy and version, and
 * the browser bundle carries none of it. Names and shapes follow tfjs 4.x
 * (tfjs-layers `base_callbacks.ts`, tfjs-core `io/types.ts`).
 */

/** Epoch and batch logs. tfjs resolves epoch logs to numbers; batch logs may still hold Scalars. */
export type TfLogs = Record<string, number | TfScalar | undefined>;

export interface TfScalar {
  dataSync(): ArrayLike<number>;
  data?(): Promise<ArrayLike<number>>;
}

export type TfYieldEvery = 'auto' | 'batch' | 'epoch' | 'never' | number;

/** `tf.CustomCallbackArgs`: tfjs awaits each hook's promise before the training step goes on. */
export interface TfCallbackHooks {
  onTrainBegin?: (logs?: Record<string, number>) => void | Promise<void>;
  onTrainEnd?: (logs?: Record<string, number>) => void | Promise<void>;
  onEpochBegin?: (epoch: number, logs?: Record<string, number>) => void | Promise<void>;
  onEpochEnd?: (epoch: number, logs?: Record<string, number>) => void | Promise<void>;
  onBatchBegin?: (batch: number, logs?: Record<string, number>) => void | Promise<void>;
  onBatchEnd?: (batch: number, logs?: Record<string, number>) => void | Promise<void>;
}

/** What a fit hands its callbacks (`callback.params`, `callback.model`) before onTrainBegin. */
export interface TfFitParams {
  epochs?: number;
  initialEpoch?: number;
  samples?: number;
  steps?: number | null;
  batchSize?: number;
  doValidation?: boolean;
  metrics?: string[];
}

export interface TfLayer {
  name: string;
  getClassName(): string;
  countParams(): number;
  trainable?: boolean;
}

export interface TfOptimizer {
  getClassName(): string;
  learningRate?: unknown;
}

export interface TfModel {
  name?: string;
  layers?: TfLayer[];
  optimizer?: TfOptimizer;
  loss?: unknown;
  trainableWeights?: Array<{ shape: number[] }>;
  countParams?(): number;
}

/** The slice of the `tf` namespace the callback needs: `tf.CustomCallback`. */
export interface TfWithCustomCallback<C> {
  CustomCallback: new (args: TfCallbackHooks, yieldEvery?: TfYieldEvery) => C;
}

/** tfjs-core `WeightsManifestEntry`: written back into the manifest as it came. */
export interface TfWeightSpec {
  name: string;
  shape: number[];
  dtype: string;
}

/** tfjs-core `ModelArtifacts`: what `model.save(handler)` hands the handler. */
export interface TfModelArtifacts {
  // `object` rather than records: tfjs declares these as interfaces, which have no index signature.
  modelTopology?: object | ArrayBuffer;
  weightSpecs?: TfWeightSpec[];
  /** One buffer, or (tfjs ≥ 4.10, large models) a list of buffers to be read as one. */
  weightData?: ArrayBuffer | ArrayBuffer[];
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  trainingConfig?: object;
  signature?: object;
  userDefinedMetadata?: object;
  modelInitializer?: object;
  initializerSignature?: object;
}

/** tfjs-core `ModelArtifactsInfo`. */
export interface TfModelArtifactsInfo {
  dateSaved: Date;
  modelTopologyType: 'JSON' | 'GraphDef';
  modelTopologyBytes?: number;
  weightSpecsBytes?: number;
  weightDataBytes?: number;
}

/** tfjs-core `IOHandler` for loading (`A` is its ModelArtifacts): what `tf.loadLayersModel(handler)` accepts. */
export interface TfLoadHandler<A = unknown> {
  load(): Promise<A>;
}

/** The slice of the `tf` namespace the loader needs: `tf.io.http`, whose handler declares `load` optional. */
export interface TfWithHttpIO<A = unknown> {
  io: { http(path: string, options?: { requestInit?: RequestInit }): { load?: () => Promise<A> } };
}
