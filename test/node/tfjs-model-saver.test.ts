/**
 * `model.save(experiment.modelSaver())` against the local server, loaded back with
 * `tf.loadLayersModel` through `tf.io.http` and the token header; and where a model goes when the
 * server cannot take it.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Experiment, PolyaxonError, ValidationError } from '../../src/index.node';
import { experimentOn } from '../fixtures/experiment-setup';
import { mnistServerPerTest } from '../helpers/mnist-server-per-test';
import { clientFor, startRecordingProxy, tempFolder, type LocalServer } from '../helpers/local-server';
import { points, smallModel, tf, useCpuBackend } from '../helpers/tfjs-model';

let local: LocalServer;

beforeAll(async () => {
  await useCpuBackend();
});
mnistServerPerTest((started) => (local = started));

async function trained() {
  const model = smallModel();
  const { xs, ys } = points(128);
  await model.fit(xs, ys, { epochs: 2, batchSize: 32 });
  return { model, probe: tf.randomNormal([8, 4], 0, 1, 'float32', 7) };
}

function predictions(model: { predict(x: unknown): unknown }, probe: unknown): number[] {
  return Array.from((model.predict(probe) as { dataSync(): Float32Array }).dataSync());
}

function outputUrl(experiment: Experiment, path: string): string {
  return local.client.outputs.url(local.user, 'mnist', experiment.id!, path);
}

describe('modelSaver: the model as an output of the experiment', () => {
  it('saves model.json and model.weights.bin on the server; tf.loadLayersModel with the token header predicts the same', async () => {
    const experiment = await experimentOn(local).create();
    const { model, probe } = await trained();
    const result = await model.save(experiment.modelSaver());
    expect((result as { outputs?: unknown }).outputs).toEqual({
      kind: 'uploaded',
      target: { user: local.user, project: 'mnist', id: experiment.id },
      paths: ['model.weights.bin', 'model.json'],
    });
    expect(result.modelArtifactsInfo.modelTopologyType).toBe('JSON');
    expect(result.modelArtifactsInfo.weightDataBytes).toBe(49 * 4);

    const listed = await local.client.outputs.list(local.user, 'mnist', experiment.id!);
    expect(listed.results.map((file) => [file.path, file.size])).toEqual([
      ['model.json', expect.any(Number)],
      ['model.weights.bin', 49 * 4],
    ]);
    const modelJson = JSON.parse(new TextDecoder().decode(await local.client.outputs.download(local.user, 'mnist', experiment.id!, 'model.json')));
    expect(modelJson.weightsManifest).toEqual([{ paths: ['model.weights.bin'], weights: expect.any(Array) }]);
    expect(modelJson.weightsManifest[0].weights.map((spec: { name: string }) => spec.name)).toEqual([
      'hidden/kernel', 'hidden/bias', 'out/kernel', 'out/bias',
    ]);
    expect(modelJson.format).toBe('layers-model');

    const headers = { Authorization: `Token ${local.token}` };
    const loaded = await tf.loadLayersModel(tf.io.http(outputUrl(experiment, 'model.json'), { requestInit: { headers } }));
    expect(predictions(loaded, probe)).toEqual(predictions(model, probe));
  });

  it('experiment.modelLoader(tf) loads it too; without the token the server refuses', async () => {
    const experiment = await experimentOn(local).create();
    const { model, probe } = await trained();
    await model.save(experiment.modelSaver({ name: 'checkpoints/epoch-2' }));
    const loaded = await tf.loadLayersModel(experiment.modelLoader(tf, { name: 'checkpoints/epoch-2' }));
    expect(predictions(loaded, probe)).toEqual(predictions(model, probe));

    const listed = await local.client.outputs.list(local.user, 'mnist', experiment.id!);
    expect(listed.results.map((file) => file.path)).toEqual(['checkpoints/epoch-2.json', 'checkpoints/epoch-2.weights.bin']);
    await expect(tf.loadLayersModel(tf.io.http(outputUrl(experiment, 'checkpoints/epoch-2.json')))).rejects.toThrow(/401/);
  });

  it('a bad name is refused when the saver is made, before anything is trained or sent', async () => {
    const experiment = await experimentOn(local).create();
    for (const name of ['../escape', '.hidden', 'a//b', '']) {
      expect(() => experiment.modelSaver({ name }), name).toThrow(ValidationError);
    }
  });

  it('a server without the outputs endpoint (a real Polyaxon answers 404): kept in outputsDir, loadable from there', async () => {
    // A proxy that answers outputs requests as Polyaxon 0.6 would and forwards everything else.
    const proxy = await startRecordingProxy(local.port, (request) =>
      request.path.includes('/outputs/') ? { status: 404, body: { detail: 'Not found.' } } : undefined,
    );
    const folder = await tempFolder('pxt-outputs-');
    try {
      const experiment = await experimentOn({ ...local, client: clientFor(proxy.port, local.token) }).create();
      const { model, probe } = await trained();

      await expect(model.save(experiment.modelSaver())).rejects.toBeInstanceOf(PolyaxonError);

      const result = await model.save(experiment.modelSaver({ outputsDir: folder }));
      expect((result as { outputs?: unknown }).outputs).toMatchObject({ kind: 'stored', store: 'folder', where: join(folder, 'model.json') });
      expect((result as unknown as { outputs: { reason: string } }).outputs.reason).toContain('404');
      const modelJson = JSON.parse(await readFile(join(folder, 'model.json'), 'utf8'));
      const weights = await readFile(join(folder, 'model.weights.bin'));
      const loaded = await tf.loadLayersModel(
        tf.io.fromMemory({ ...modelJson, weightSpecs: modelJson.weightsManifest[0].weights, weightData: new Uint8Array(weights).buffer }),
      );
      expect(predictions(loaded, probe)).toEqual(predictions(model, probe));
    } finally {
      await proxy.close();
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('in the cluster the model goes to POLYAXON_RUN_OUTPUTS_PATH, where Polyaxon keeps outputs, and nothing is uploaded', async () => {
    const id = (await local.client.project.createExperiment(local.user, 'mnist', { name: 'scheduled' })).id!;
    const folder = await tempFolder('pxt-run-outputs-');
    const saved = { ...process.env };
    Object.assign(process.env, {
      POLYAXON_IS_MANAGED: 'true',
      POLYAXON_EXPERIMENT_INFO: JSON.stringify({ project_name: `${local.user}.mnist`, experiment_name: `${local.user}.mnist.${id}` }),
      POLYAXON_RUN_OUTPUTS_PATH: `${folder}/outputs`,
    });
    try {
      const experiment = experimentOn(local, { project: undefined });
      expect(experiment.isManaged).toBe(true);
      const { model } = await trained();
      const result = await model.save(experiment.modelSaver());
      expect((result as unknown as { outputs: unknown }).outputs).toMatchObject({ kind: 'stored', store: 'folder', where: join(folder, 'outputs', 'model.json') });
      expect(JSON.parse(await readFile(join(folder, 'outputs', 'model.json'), 'utf8')).weightsManifest[0].paths).toEqual(['model.weights.bin']);
      expect((await readFile(join(folder, 'outputs', 'model.weights.bin'))).length).toBe(49 * 4);
      expect((await local.client.outputs.list(local.user, 'mnist', id)).count).toBe(0);
    } finally {
      for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
      Object.assign(process.env, saved);
      await rm(folder, { recursive: true, force: true });
    }
  });
});
