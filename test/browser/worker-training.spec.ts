import { expect, test } from './fixtures';
import { injectedEnv, serverData } from './server-data';
import { expectEpochsMatch, type TrainingResult } from './training-result';

test.describe('a dedicated Web Worker trains a TF.js model with tracking', () => {
  test('importScripts of tf.min.js and the script-tag build: epoch and batch metrics on the server, run succeeded', async ({ page, polyaxonServer }) => {
    const server = serverData(polyaxonServer);
    await server.createProject('worker-training');
    await page.goto('/pages/blank.html');
    const result = (await page.evaluate(
      (message) => (window as any).runWorker('/pages/training-worker.js', message, 50_000),
      { env: injectedEnv(polyaxonServer), project: 'worker-training', name: 'worker-fit', epochs: 4 },
    )) as TrainingResult;
    expect(result.error).toBeUndefined();
    expect(result).toMatchObject({ delivered: true, backend: 'cpu', usedTfjsCallback: true });

    const detail = await server.experiment('worker-training', result.id);
    expect(detail).toMatchObject({ name: 'worker-fit', last_status: 'succeeded', framework: 'tensorflow' });
    expect(detail.run_env).toMatchObject({ runtime: 'browser', context: 'worker', tfjs_backend: 'cpu' });
    expect(detail.params).toMatchObject({ epochs: 4, batch_size: 32, optimizer: 'SGD', layer_count: 2 });

    const metrics = await server.metrics('worker-training', result.id);
    const epochPoints = metrics.filter((point) => 'loss' in point.values);
    const batchPoints = metrics.filter((point) => 'batch_loss' in point.values);
    expect(epochPoints.length + batchPoints.length).toBe(metrics.length);
    expectEpochsMatch(epochPoints, result.history);
    // 128 samples in batches of 32: 4 batches an epoch, 16 in all; every second one is logged.
    expect(batchPoints.map((point) => point.values.step)).toEqual([0, 2, 4, 6, 8, 10, 12, 14]);
  });
});
