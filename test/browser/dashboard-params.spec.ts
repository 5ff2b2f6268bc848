import { expect, test } from './fixtures';
import { paintedPixels, quickExperiment, startServe, type ServeProcess } from './dashboard-helpers';

/** Dashboard part 5: params diff and parallel coordinates with brushing, through a real `serve`. */

const SWEEP = [
  { lr: 0.1, optimizer: 'sgd', loss: 0.9 },
  { lr: 0.03, optimizer: 'sgd', loss: 0.5 },
  { lr: 0.01, optimizer: 'adam', loss: 0.2 },
  { lr: 0.003, optimizer: 'adam', loss: 0.3 },
  { lr: 0.001, optimizer: 'adam', loss: 0.6 },
];

let serve: ServeProcess;
const ids: number[] = [];

test.beforeAll(async () => {
  serve = await startServe();
  await serve.project('sweep');
  for (const [index, run] of SWEEP.entries()) {
    const experiment = await quickExperiment(serve, 'sweep', { name: `run-${index}` });
    experiment.logParams({ lr: run.lr, optimizer: run.optimizer, epochs: 10 });
    experiment.logMetrics({ step: 0, 'val/loss': run.loss });
    experiment.succeeded();
    await experiment.close();
    ids.push(experiment.id as number);
  }
});

test.afterAll(() => serve?.close());

test('the diff table shows only the params that differ between the selected runs, or all of them', async ({ page }) => {
  await page.goto(`${serve.url}/?project=local/sweep&tab=params&runs=${ids[0]},${ids[2]}#token=${serve.token}`);
  const table = page.locator('.diff-table');
  await expect(table.locator('thead th')).toHaveText(['param', 'run-0', 'run-2']);
  await expect(table.locator('tbody th')).toHaveText(['lr', 'optimizer']);
  await expect(table.locator('tbody tr').first().locator('td')).toHaveText(['0.1', '0.01']);
  await page.getByRole('checkbox', { name: /all params/ }).check();
  await expect(table.locator('tbody th')).toHaveText(['epochs', 'lr', 'optimizer']);
  await expect(table.locator('tbody tr').first().locator('td')).toHaveText(['10', '10']);
});

test('parallel coordinates draw every run over the varying params and a metric; a brush filters them', async ({ page }) => {
  await page.goto(`${serve.url}/?project=local/sweep&tab=params#token=${serve.token}`);
  const plot = page.locator('.parallel');
  // lr and optimizer vary, epochs does not; the metric axis comes last.
  await expect(plot).toHaveAttribute('data-axes', '3');
  await expect(plot).toHaveAttribute('data-lines', '5');
  await expect(page.getByRole('combobox', { name: 'metric' })).toHaveValue('val/loss');
  const canvas = plot.locator('canvas');
  await expect.poll(() => paintedPixels(canvas)).toBeGreaterThan(1500);
  await expect(canvas).toHaveAttribute('aria-label', /5 runs over lr \(log\), optimizer, val\/loss/);

  // Brush the lower half of the metric axis (the right-most one): the runs with the smaller losses.
  const box = (await canvas.boundingBox())!;
  const axisX = box.x + box.width - 60;
  await page.mouse.move(axisX, box.y + 34 + (330 - 56) * 0.55);
  await page.mouse.down();
  await page.mouse.move(axisX, box.y + 330 - 22 + 4, { steps: 4 });
  await page.mouse.up();
  await expect(page.locator('.params-view .hint')).toHaveText('3 of 5 runs in the brushed ranges');
  await page.getByRole('button', { name: 'select 3 brushed runs' }).click();
  await expect(page.getByRole('tab', { name: 'Compare (3)' })).toBeVisible();
  await expect(page.locator('.diff-table thead th')).toHaveText(['param', 'run-3', 'run-2', 'run-1']);
  await page.getByRole('button', { name: 'clear brushes' }).click();
  await expect(page.locator('.params-view .hint')).toContainText('5 runs');
});
