import { expect, test } from './fixtures';
import { injectSettings } from './outbox-page';
import { serverData } from './server-data';
import { expectEpochsMatch, type TrainingResult } from './training-result';

test.describe('a notebook-like page trains a TF.js model with tracking', () => {
  test('one script tag, a cell that fits a model on the cpu backend: every epoch on the local server, run succeeded', async ({
    context,
    page,
    polyaxonServer,
  }) => {
    const server = serverData(polyaxonServer);
    await server.createProject('tfjs-notebook');
    await injectSettings(context, polyaxonServer);
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));

    await page.goto('/pages/notebook.html');
    const cell = (await page.evaluate(() => (window as any).cell)) as TrainingResult;
    expect(cell.error).toBeUndefined();
    expect(cell).toMatchObject({ delivered: true, backend: 'cpu' });
    expect(cell.usedTfjsCallback).toBe(true);
    expect(pageErrors).toEqual([]);

    const [experiment, ...others] = await server.experiments('tfjs-notebook');
    expect(others).toEqual([]);
    expect(experiment.id).toBe(cell.id);
    const detail = await server.experiment('tfjs-notebook', cell.id);
    expect(detail).toMatchObject({ name: 'notebook-cell', last_status: 'succeeded', framework: 'tensorflow', tags: ['tfjs'] });
    expect(detail.run_env).toMatchObject({ runtime: 'browser', is_notebook: true, notebook_kind: 'jupyter', tfjs_backend: 'cpu' });
    expect((detail.run_env as Record<string, unknown>).tfjs_version).toMatch(/^\d+\.\d+\.\d+/);
    expect(detail.params).toMatchObject({ epochs: 6, batch_size: 32, validation: true, optimizer: 'Adam', loss: 'meanSquaredError', layer_count: 2 });

    const metrics = await server.metrics('tfjs-notebook', cell.id);
    expect(Object.keys(cell.history).sort()).toEqual(['loss', 'mae', 'val_loss', 'val_mae']);
    expectEpochsMatch(metrics, cell.history);
    const statuses = (await server.statuses('tfjs-notebook', cell.id)).map((status) => status.status);
    expect(statuses.slice(-2)).toEqual(['running', 'succeeded']);
  });
});
