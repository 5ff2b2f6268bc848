/**
 * Where a saved model goes: its files in the TF.js layout, the folder store, and the browser path
 * (IndexedDB when the upload fails, uploaded later by uploadStoredOutputs), with a loopback server.
 */
import 'fake-indexeddb/auto';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createStore, get, keys } from 'idb-keyval';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { installedEnvironment, installEnvironment } from '../../src/runtime/installed';
import { ValidationError } from '../../src/runtime/errors';
import { folderOutputsStore, modelFiles, uploadStoredOutputs, type ModelSaveResult, type StoredOutput } from '../../src/integrations/tfjs';
import { artifactsInfo } from '../../src/integrations/model-files';
import { closeExperiments, ensureProject, experimentOn } from '../fixtures/experiment-setup';
import { clientFor, startLocalServer, startRecordingProxy, tempFolder, TEST_TOKEN, type LocalServer } from '../helpers/local-server';

const weightSpecs = [
  { name: 'dense/kernel', shape: [2, 1], dtype: 'float32' },
  { name: 'dense/bias', shape: [1], dtype: 'float32' },
];
const artifacts = {
  modelTopology: { class_name: 'Sequential', config: { name: 'tiny' } },
  weightSpecs,
  weightData: new Float32Array([0.5, -1.5, 0.25]).buffer,
  format: 'layers-model',
  generatedBy: 'TensorFlow.js tfjs-layers v4.22.0',
  convertedBy: null,
};
const decode = (bytes: Uint8Array | ArrayBuffer) => new TextDecoder().decode(bytes);

describe('modelFiles: the standard TF.js web layout', () => {
  it('writes the weights first, then the JSON whose manifest names them relative to its folder', () => {
    const files = modelFiles({ ...artifacts, userDefinedMetadata: { note: 'kept' }, trainingConfig: { loss: 'mse' } }, 'checkpoints/epoch-3');
    expect(files.map((file) => [file.path, file.contentType])).toEqual([
      ['checkpoints/epoch-3.weights.bin', 'application/octet-stream'],
      ['checkpoints/epoch-3.json', 'application/json'],
    ]);
    expect(Array.from(new Float32Array(files[0].bytes.slice().buffer))).toEqual([0.5, -1.5, 0.25]);
    expect(JSON.parse(decode(files[1].bytes))).toEqual({
      modelTopology: artifacts.modelTopology,
      format: 'layers-model',
      generatedBy: 'TensorFlow.js tfjs-layers v4.22.0',
      convertedBy: null,
      weightsManifest: [{ paths: ['epoch-3.weights.bin'], weights: weightSpecs }],
      userDefinedMetadata: { note: 'kept' },
      trainingConfig: { loss: 'mse' },
    });
  });

  it('joins weights handed as several buffers (tfjs ≥ 4.10) into one file, and counts them', () => {
    const parts = [new Float32Array([1, 2]).buffer, new Float32Array([3]).buffer];
    const [weights] = modelFiles({ ...artifacts, weightData: parts }, 'model');
    expect(Array.from(new Float32Array(weights.bytes.slice().buffer))).toEqual([1, 2, 3]);
    expect(artifactsInfo({ ...artifacts, weightData: parts })).toMatchObject({ modelTopologyType: 'JSON', weightDataBytes: 12 });
  });

  it('a model without weights gets an empty weights file; a binary (GraphDef) topology is refused', () => {
    const [weights] = modelFiles({ modelTopology: {} }, 'model');
    expect(weights.bytes.length).toBe(0);
    expect(() => modelFiles({ modelTopology: new ArrayBuffer(4) }, 'model')).toThrow(ValidationError);
  });
});

describe('folderOutputsStore', () => {
  it('writes each file under the folder, creating subfolders, and answers the last path', async () => {
    const folder = await tempFolder('pxt-folder-store-');
    try {
      const output: StoredOutput = { run: 'r1', name: 'nested/model', files: modelFiles(artifacts, 'nested/model') };
      expect(await folderOutputsStore(`${folder}/`).put(output)).toBe(join(folder, 'nested/model.json'));
      expect(JSON.parse(await readFile(join(folder, 'nested/model.json'), 'utf8')).weightsManifest[0].paths).toEqual(['model.weights.bin']);
      expect((await readFile(join(folder, 'nested/model.weights.bin'))).length).toBe(12);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});

describe('browsers: a model that cannot be uploaded is kept in IndexedDB', () => {
  const keptOutputs = createStore('polyaxon-outputs', 'outputs');
  const nodeEnvironment = installedEnvironment();
  let local: LocalServer;
  let dataDir: string;

  beforeAll(() => {
    // The browser default store is chosen by the environment's kind, as the browser entry sets it.
    installEnvironment({ ...nodeEnvironment, kind: 'browser' });
    return () => installEnvironment(nodeEnvironment);
  });
  beforeEach(async () => {
    dataDir = await tempFolder('pxt-idb-outputs-');
    local = await startLocalServer({ dataDir });
    await ensureProject(local.client, 'mnist');
  });
  afterEach(async () => {
    await closeExperiments();
    await local.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('kept under polyaxon-outputs/<run>/<name> when the server fails, uploaded by uploadStoredOutputs once it answers', async () => {
    let failOutputs = true;
    const proxy = await startRecordingProxy(local.port, (request) =>
      failOutputs && request.path.includes('/outputs/') ? { status: 503, body: { detail: 'Service unavailable.' } } : undefined,
    );
    try {
      const experiment = await experimentOn({ ...local, client: clientFor(proxy.port, TEST_TOKEN) }).create();
      const result = (await experiment.modelSaver().save(artifacts)) as ModelSaveResult;
      const key = `polyaxon-outputs/${experiment.run}/model`;
      expect(result.outputs).toMatchObject({ kind: 'stored', store: 'indexeddb', where: key });
      const kept = await get<StoredOutput>(key, keptOutputs);
      expect(kept?.target).toEqual({ user: local.user, project: 'mnist', id: experiment.id });
      expect(kept?.files.map((file) => file.path)).toEqual(['model.weights.bin', 'model.json']);

      expect(await uploadStoredOutputs(experiment)).toEqual({ uploaded: [], left: [key] });
      failOutputs = false;
      expect(await uploadStoredOutputs(experiment)).toEqual({ uploaded: [key], left: [] });
      expect(await keys(keptOutputs)).not.toContain(key);
      const json = await local.client.outputs.download(local.user, 'mnist', experiment.id!, 'model.json');
      expect(decode(json)).toBe(decode(modelFiles(artifacts, 'model')[1].bytes));
      const weights = await local.client.outputs.download(local.user, 'mnist', experiment.id!, 'model.weights.bin');
      expect(Array.from(new Float32Array(weights))).toEqual([0.5, -1.5, 0.25]);
    } finally {
      await proxy.close();
    }
  });

  it('kept without a target while the create is pending; sent to the experiment once the server has created it', async () => {
    const port = local.port;
    await local.close();
    const experiment = await experimentOn({ client: clientFor(port, TEST_TOKEN), outboxDir: local.outboxDir }, { createTimeoutMs: 100 }).create();
    expect(experiment.id).toBeUndefined();
    const result = (await experiment.modelSaver({ name: 'offline', targetTimeoutMs: 50 }).save(artifacts)) as ModelSaveResult;
    const key = `polyaxon-outputs/${experiment.run}/offline`;
    expect(result.outputs).toMatchObject({ kind: 'stored', store: 'indexeddb', where: key });
    expect((await get<StoredOutput>(key, keptOutputs))?.target).toBeUndefined();

    local = await startLocalServer({ dataDir, port });
    const id = await Promise.race([experiment.whenCreated, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('create not delivered in 15 s')), 15_000))]);
    expect(await uploadStoredOutputs(experiment)).toEqual({ uploaded: [key], left: [] });
    const listed = await local.client.outputs.list(local.user, 'mnist', id);
    expect(listed.results.map((file) => file.path)).toEqual(['offline.json', 'offline.weights.bin']);
  }, 30_000);
});
