import { readFile } from 'node:fs/promises';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { chart, paintedPixels, pixelsOfColor, quickExperiment, startServe, type ServeProcess } from './dashboard-helpers';

/**
 * Dashboard parts 3 (compare), 4 (reading a series), 8 (state in the URL) and 9 (export), through
 * a real `serve` with runs logged by the library.
 */

// More points than a chart asks for (2000), so the first view is downsampled and a zoom is not.
const ALPHA_POINTS = 3000;
const BETA_POINTS = 1500;
// The first two palette colours (src/dashboard/ui/colors.ts), taken in selection order.
const FIRST_COLOR: [number, number, number] = [0x4e, 0x79, 0xa7];
const SECOND_COLOR: [number, number, number] = [0xf2, 0x8e, 0x2b];

let serve: ServeProcess;
const ids = { alpha: 0, beta: 0 };

test.beforeAll(async () => {
  serve = await startServe();
  await serve.project('cmp');
  for (const [name, points, scale] of [['alpha', ALPHA_POINTS, 1], ['beta', BETA_POINTS, 2]] as const) {
    const experiment = await quickExperiment(serve, 'cmp', { name });
    for (let step = 0; step < points; step += 1) {
      experiment.logMetrics({
        step,
        'train/loss': scale * (1 + Math.sin(step / 40) * 0.3) * Math.exp(-step / 1000),
        'train/acc': Math.min(1, step / points),
        ...(step % 10 === 0 ? { 'val/loss': scale * Math.exp(-step / 1200) } : {}),
      });
    }
    experiment.succeeded();
    await experiment.close({ timeoutMs: 60_000 });
    ids[name] = experiment.id as number;
  }
});

test.afterAll(() => serve?.close());

/** Opens the compare view of both runs and waits until the loss chart holds both (it is built once per set of runs). */
async function openCompare(page: Page, extra = ''): Promise<void> {
  await page.goto(`${serve.url}/?project=local/cmp&tab=compare&runs=${ids.alpha},${ids.beta}${extra}#token=${serve.token}`);
  await expect(chart(page, 'train/loss')).toHaveAttribute('data-lines', '2');
  await expect(chart(page, 'train/loss')).toHaveAttribute('data-points', /^[1-9]\d*$/);
}

const loss = (page: Page) => chart(page, 'train/loss');
const lossCanvas = (page: Page) => loss(page).locator('canvas');

test('selected runs share each chart in their own colours, charts grouped by name prefix', async ({ page }) => {
  await openCompare(page);
  await expect(page.locator('.group-title')).toHaveText(['train/', 'val/']);
  await expect(page.locator('figure.chart')).toHaveCount(3);
  await expect(page.locator('.legend-name')).toHaveText(['alpha', 'beta']);
  for (const metric of ['train/loss', 'train/acc', 'val/loss']) {
    await expect.poll(() => paintedPixels(chart(page, metric).locator('canvas')), { message: metric }).toBeGreaterThan(2000);
  }
  await expect.poll(() => pixelsOfColor(lossCanvas(page), FIRST_COLOR)).toBeGreaterThan(100);
  await expect.poll(() => pixelsOfColor(lossCanvas(page), SECOND_COLOR)).toBeGreaterThan(100);
  // The same colours mark the runs in the legend.
  await expect(page.locator('.legend-item .swatch').first()).toHaveCSS('background-color', 'rgb(78, 121, 167)');
  // 3000 points of alpha are drawn from a downsampled series (min and max kept), beta's whole.
  const drawn = Number(await loss(page).getAttribute('data-points'));
  expect(drawn).toBeLessThan(ALPHA_POINTS + BETA_POINTS);
  expect(drawn).toBeGreaterThan(2000);
});

test('the legend hides a run from the charts and highlights one on hover', async ({ page }) => {
  await openCompare(page);
  await expect.poll(() => pixelsOfColor(lossCanvas(page), SECOND_COLOR)).toBeGreaterThan(100);
  const full = await pixelsOfColor(lossCanvas(page), SECOND_COLOR);
  await page.locator('.legend-item', { hasText: 'alpha' }).hover();
  // The other run fades: far fewer pixels keep its full colour.
  await expect.poll(() => pixelsOfColor(lossCanvas(page), SECOND_COLOR)).toBeLessThan(full / 2);
  await page.locator('.legend-item', { hasText: 'beta' }).getByRole('button').click();
  await expect(page.locator('.legend-item', { hasText: 'beta' })).toHaveClass(/off/);
  await expect.poll(() => new URL(page.url()).searchParams.get('hide')).toBe(String(ids.beta));
  await page.mouse.move(0, 0);
  await expect.poll(() => pixelsOfColor(lossCanvas(page), SECOND_COLOR)).toBe(0);
  await expect.poll(() => pixelsOfColor(lossCanvas(page), FIRST_COLOR)).toBeGreaterThan(100);
});

test('x axis, smoothing and log scale redraw the charts and go into the URL', async ({ page }) => {
  await openCompare(page);
  const query = () => new URL(page.url()).searchParams;
  await page.getByRole('combobox', { name: 'x axis' }).selectOption('relative');
  await expect.poll(() => query().get('x')).toBe('relative');
  await expect(loss(page)).toHaveAttribute('data-x-max', /^\d+(\.\d+)?$/);
  await page.getByRole('combobox', { name: 'x axis' }).selectOption('time');
  // Wall time: Unix seconds of now-ish.
  await expect.poll(async () => Number(await loss(page).getAttribute('data-x-max'))).toBeGreaterThan(1.7e9);
  await page.getByRole('combobox', { name: 'x axis' }).selectOption('step');
  await expect.poll(async () => Number(await loss(page).getAttribute('data-x-max'))).toBe(ALPHA_POINTS - 1);
  await expect(loss(page)).toHaveAttribute('data-lines', '2');

  const before = await lossCanvas(page).screenshot();
  await page.getByRole('slider', { name: 'smoothing' }).fill('0.95');
  await expect(page.locator('.smoothing output')).toHaveText('0.950');
  await expect.poll(() => query().get('smooth')).toBe('0.95');
  await expect.poll(async () => (await lossCanvas(page).screenshot()).equals(before)).toBe(false);
  await page.getByRole('checkbox', { name: 'log y' }).check();
  await expect.poll(() => query().get('logy')).toBe('1');
  await expect.poll(() => paintedPixels(lossCanvas(page))).toBeGreaterThan(2000);
});

test('hovering a chart shows the value of every shown run at that x', async ({ page }) => {
  await openCompare(page);
  const box = (await loss(page).locator('.u-over').boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
  const tip = loss(page).locator('.chart-tip');
  await expect(tip).toBeVisible();
  await expect(tip.locator('.tip-head')).toHaveText(/^step \d+$/);
  await expect.poll(async () => (await tip.locator('.tip-name').allTextContents()).sort()).toEqual(['alpha', 'beta']);
  for (const value of await tip.locator('.tip-value').allTextContents()) expect(Number(value)).not.toBeNaN();
});

test('dragging zooms every chart and fetches that range in full; a double-click resets', async ({ page }) => {
  await openCompare(page);
  const over = loss(page).locator('.u-over');
  const box = (await over.boundingBox())!;
  const ranged = page.waitForRequest((request) => request.url().includes('/metrics/series/') && request.url().includes('x_min='));
  await page.mouse.move(box.x + box.width * 0.2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  await ranged;
  await expect.poll(() => new URL(page.url()).searchParams.get('zoom')).toMatch(/^[\d.]+\.\.[\d.]+$/);
  const [low, high] = (new URL(page.url()).searchParams.get('zoom') as string).split('..').map(Number);
  expect(high - low).toBeGreaterThan(100);
  // Both runs, every point in the range: no downsampling at this zoom.
  const inRange = Math.floor(high) - Math.ceil(low) + 1;
  const betaInRange = Math.max(0, Math.min(Math.floor(high), BETA_POINTS - 1) - Math.ceil(low) + 1);
  await expect.poll(async () => Number(await loss(page).getAttribute('data-points'))).toBe(inRange + betaInRange);
  // Every chart follows the zoom.
  await expect.poll(async () => Number(await chart(page, 'train/acc').getAttribute('data-x-max'))).toBeLessThanOrEqual(high);
  await expect(page.locator('.chart-controls .zoom')).toContainText('reset zoom');
  await over.dblclick();
  await expect.poll(() => new URL(page.url()).searchParams.get('zoom')).toBeNull();
  await expect.poll(async () => Number(await loss(page).getAttribute('data-x-max'))).toBe(ALPHA_POINTS - 1);
});

test('a copied link opens the same view: project, runs, axis, smoothing, zoom and filters', async ({ page, context }) => {
  await openCompare(page, '&x=relative&smooth=0.6&zoom=0..100000&q=alp&status=succeeded');
  await page.locator('.legend-item', { hasText: 'beta' }).getByRole('button').click();
  const link = page.url();
  const second = await context.newPage();
  await second.goto(`${link}#token=${serve.token}`);
  expect(new URL(link).searchParams.get('hide')).toBe(String(ids.beta));
  await expect(second.locator('.legend-name')).toHaveText(['alpha', 'beta']);
  await expect(second.locator('.legend-item', { hasText: 'beta' })).toHaveClass(/off/);
  await expect(second.getByRole('combobox', { name: 'x axis' })).toHaveValue('relative');
  await expect(second.locator('.smoothing output')).toHaveText('0.600');
  await expect(second.locator('.chart-controls .zoom')).toContainText('reset zoom');
  await second.getByRole('tab', { name: 'Runs' }).click();
  await expect(second.getByRole('searchbox', { name: 'filter runs' })).toHaveValue('alp');
  await expect(second.getByRole('combobox', { name: 'status' })).toHaveValue('succeeded');
  await expect(second.locator('.rt-row .run-link')).toHaveText(['alpha']);
  // Back returns to the compare view with the same state.
  await second.goBack();
  await expect(second.getByRole('combobox', { name: 'x axis' })).toHaveValue('relative');
});

test('exports the shown runs of a chart as CSV of every raw point, and the chart as PNG', async ({ page }) => {
  await openCompare(page);
  const [csv] = await Promise.all([page.waitForEvent('download'), loss(page).getByRole('button', { name: 'CSV' }).click()]);
  expect(csv.suggestedFilename()).toBe('train_loss.csv');
  const rows = (await readFile((await csv.path()) as string, 'utf8')).trimEnd().split('\n');
  expect(rows[0]).toBe('run,name,step,train/loss');
  expect(rows.length - 1).toBe(ALPHA_POINTS + BETA_POINTS);
  expect(rows.filter((line) => line.startsWith(`${ids.alpha},alpha,`)).map((line) => Number(line.split(',')[2]))).toEqual(
    Array.from({ length: ALPHA_POINTS }, (_, step) => step),
  );
  const [png] = await Promise.all([page.waitForEvent('download'), loss(page).getByRole('button', { name: 'PNG' }).click()]);
  expect(png.suggestedFilename()).toBe('train_loss.png');
  const bytes = await readFile((await png.path()) as string);
  expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  expect(bytes.length).toBeGreaterThan(5000);
});
