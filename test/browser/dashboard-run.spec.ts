import { readFile } from 'node:fs/promises';
import { expect, test } from './fixtures';
import { chart, openDashboard, paintedPixels, quickExperiment, startServe, type ServeProcess } from './dashboard-helpers';

/** Dashboard parts 6 (run page) and 7 (live), through a real `serve` with runs logged by the library. */

const COMMIT = '3f9c2a1b7e04d5c6a8f9e0d1c2b3a4f5e6d7c8b9';
const TRACEBACK = 'Traceback (most recent call last):\n  File "train.py", line 88, in <module>\nFloatingPointError: loss is NaN';

let serve: ServeProcess;
let failedId = 0;

test.beforeAll(async () => {
  serve = await startServe();
  await serve.project('pages');
  const experiment = await quickExperiment(serve, 'pages', { name: 'trainer', tags: ['mnist', 'gpu'], description: 'Dense network on MNIST.' });
  experiment.logParams({ lr: 0.01, optimizer: 'adam' });
  await experiment.logDataRef({ data: 'train-images', dataName: 'mnist_train' });
  await experiment.logCodeRef({ commit: COMMIT, head: COMMIT, branch: 'main', git_url: 'git@github.com:example/mnist.git', is_dirty: true });
  for (let step = 0; step < 50; step += 1) experiment.logMetrics({ step, loss: 1 / (step + 1) });
  experiment.sendLogs(['epoch 1: loss 0.5', 'epoch 2: loss 0.25', 'saving model']);
  await experiment.flush();
  await serve.client.outputs.upload('local', 'pages', experiment.id as number, 'model/model.json', '{"format":"layers-model"}');
  experiment.failed('Loss became NaN', TRACEBACK);
  await experiment.close();
  failedId = experiment.id as number;
});

test.afterAll(() => serve?.close());

test('the run page shows statuses, the failure, params, tags, code, environment, data refs, logs and outputs', async ({ page }) => {
  await openDashboard(page, serve);
  await page.getByRole('link', { name: 'trainer' }).click();
  const run = page.locator('.run-page');
  await expect(run.locator('h1')).toHaveText('trainer');
  await expect(run.locator('.run-head')).toContainText('failed');
  await expect(run.locator('.run-head .tag')).toHaveText(['mnist', 'gpu']);
  await expect(run.locator('.description')).toHaveText('Dense network on MNIST.');
  const panel = (title: string) => run.locator('.panel', { has: page.getByRole('heading', { name: title, exact: true }) });
  await expect(panel('Statuses').locator('.status')).toHaveText(['created', 'running', 'failed']);
  await expect(panel('Statuses')).toContainText(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d · Loss became NaN/);
  await expect(run.locator('.failure h2')).toHaveText('failed: Loss became NaN');
  await expect(run.locator('.failure pre')).toHaveText(TRACEBACK);
  await expect(panel('Params')).toContainText('lr0.01');
  await expect(panel('Params')).toContainText('optimizeradam');
  await expect(panel('Code')).toContainText(COMMIT);
  await expect(panel('Code')).toContainText('yes (uncommitted changes)');
  await expect(panel('Code').getByRole('link', { name: 'open the commit on github.com' })).toHaveAttribute('href', `https://github.com/example/mnist/commit/${COMMIT}`);
  await expect(panel('Run environment')).toContainText('node_version');
  await expect(panel('Data refs')).toContainText(/mnist_train[0-9a-f]{12}/);
  await expect.poll(() => paintedPixels(chart(page, 'loss').locator('canvas'))).toBeGreaterThan(1000);

  const logs = run.locator('.log-lines');
  // Each line as the library sent it: a timestamp and level, then the text.
  await expect(logs).toHaveText(/^.+ INFO -- epoch 1: loss 0\.5\n.+ INFO -- epoch 2: loss 0\.25\n.+ INFO -- saving model$/);
  await expect(panel('Logs')).toContainText('3 lines');
  await page.getByRole('searchbox', { name: 'search logs' }).fill('EPOCH');
  await expect(logs).toHaveText(/^.+ -- epoch 1: loss 0\.5\n.+ -- epoch 2: loss 0\.25$/);
  await expect(panel('Logs')).toContainText('2 of 3 lines');

  const [download] = await Promise.all([page.waitForEvent('download'), panel('Outputs').getByRole('button', { name: 'model/model.json' }).click()]);
  expect(download.suggestedFilename()).toBe('model.json');
  expect(await readFile((await download.path()) as string, 'utf8')).toBe('{"format":"layers-model"}');
  expect(new URL(page.url()).searchParams.get('run')).toBe(String(failedId));
});

test('live: a point, a status, a new run and log lines logged in Node appear in the open page without a reload', async ({ page }) => {
  const experiment = await quickExperiment(serve, 'pages', { name: 'live-run' });
  for (let step = 0; step < 10; step += 1) experiment.logMetrics({ step, loss: 1 / (step + 1) });
  await experiment.flush();
  const id = experiment.id as number;
  await page.goto(`${serve.url}/?project=local/pages&tab=compare&runs=${id}#token=${serve.token}`);
  await expect(chart(page, 'loss')).toHaveAttribute('data-x-max', '9');
  await expect(page.locator('.live')).toHaveText('live');
  let loads = 0;
  page.on('load', () => (loads += 1));

  experiment.logMetrics({ step: 100, loss: 0.001 });
  await expect(chart(page, 'loss')).toHaveAttribute('data-x-max', '100', { timeout: 15_000 });
  await expect(page.locator('.legend-last')).toHaveText('step 100');

  await page.getByRole('tab', { name: 'Runs' }).click();
  const later = await quickExperiment(serve, 'pages', { name: 'appears-live' });
  await expect(page.getByRole('link', { name: 'appears-live' })).toBeVisible({ timeout: 15_000 });
  later.succeeded();
  await later.close();
  await expect(page.locator('.rt-row', { hasText: 'appears-live' })).toContainText('succeeded', { timeout: 15_000 });

  await page.getByRole('link', { name: 'live-run' }).click();
  await expect(page.locator('.log-lines')).toHaveText('');
  experiment.sendLogs('a line written after the page opened');
  await expect(page.locator('.log-lines')).toHaveText(/ -- a line written after the page opened$/, { timeout: 15_000 });
  experiment.succeeded();
  await experiment.close();
  await expect(page.locator('.run-head')).toContainText('succeeded', { timeout: 15_000 });
  expect(loads).toBe(0);
});
