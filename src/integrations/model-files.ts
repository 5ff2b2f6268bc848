import { ValidationError } from '../runtime/errors';
import type { OutputFileBody } from './output-types';
import type { TfModelArtifacts, TfModelArtifactsInfo } from './tfjs-types';

/**
 * A model in the standard TF.js web layout, as `tf.io.http` and `tf.loadLayersModel` read it:
 * `<name>.json` (the topology and a `weightsManifest` naming `<base>.weights.bin`, relative to the
 * JSON's folder) and `<name>.weights.bin` (all weights in one binary, in manifest order).
 * The weights come first, so whoever sees the JSON finds its weights.
 */
export function modelFiles(artifacts: TfModelArtifacts, name: string): OutputFileBody[] {
  if (artifacts.modelTopology instanceof ArrayBuffer) {
    throw new ValidationError('modelTopology', 'must be JSON: a binary (GraphDef) topology cannot be saved as model.json');
  }
  const base = name.slice(name.lastIndexOf('/') + 1);
  const modelJson: Record<string, unknown> = {
    modelTopology: artifacts.modelTopology,
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
    weightsManifest: [{ paths: [`${base}.weights.bin`], weights: artifacts.weightSpecs ?? [] }],
  };
  // The optional fields tfjs-core's getModelJSONForModelArtifacts writes, in its order.
  for (const field of ['signature', 'userDefinedMetadata', 'modelInitializer', 'initializerSignature', 'trainingConfig'] as const) {
    if (artifacts[field] != null) modelJson[field] = artifacts[field];
  }
  return [
    { path: `${name}.weights.bin`, contentType: 'application/octet-stream', bytes: concatenated(artifacts.weightData) },
    { path: `${name}.json`, contentType: 'application/json', bytes: new TextEncoder().encode(JSON.stringify(modelJson)) },
  ];
}

/** What `model.save` reports back (tfjs-core's getModelArtifactsInfoForJSON). */
export function artifactsInfo(artifacts: TfModelArtifacts): TfModelArtifactsInfo {
  const jsonBytes = (value: unknown) => (value == null ? 0 : new TextEncoder().encode(JSON.stringify(value)).length);
  return {
    dateSaved: new Date(),
    modelTopologyType: 'JSON',
    modelTopologyBytes: jsonBytes(artifacts.modelTopology),
    weightSpecsBytes: jsonBytes(artifacts.weightSpecs),
    weightDataBytes: concatenatedLength(artifacts.weightData),
  };
}

/** tfjs ≥ 4.10 may hand the weights as several buffers (models over 2 GB); the file is one. */
function concatenated(weightData: ArrayBuffer | ArrayBuffer[] | undefined): Uint8Array {
  if (weightData === undefined) return new Uint8Array(0);
  if (!Array.isArray(weightData)) return new Uint8Array(weightData);
  const bytes = new Uint8Array(concatenatedLength(weightData));
  let offset = 0;
  for (const buffer of weightData) {
    bytes.set(new Uint8Array(buffer), offset);
    offset += buffer.byteLength;
  }
  return bytes;
}

function concatenatedLength(weightData: ArrayBuffer | ArrayBuffer[] | undefined): number {
  if (weightData === undefined) return 0;
  return Array.isArray(weightData) ? weightData.reduce((sum, buffer) => sum + buffer.byteLength, 0) : weightData.byteLength;
}
