import { expect, test } from './fixtures';
import { openDashboard, quickExperiment, startServe, type ServeProcess } from './dashboard-helpers';

/**
 * Dashboard parts 2 (runs table), 10 (access) and 11 (looks), through a real `serve` with runs
 * logged by the library.
 */

const HOSTILE_TAG = '<img src=x onerror="window.__xss=1">';
const HOSTILE_METRIC = '<img src=x onerror="window.__xss=2">';
const HOSTILE_PARAM = '<b onmouseover="window.__xss=3">bold</b>';

let serve: ServeProcess;

test.beforeAll(async () => {
  serve = await startServe();
  await serve.project('table');
  const runs = [
    { name: 'baseline', tags: ['sgd', 'baseline'], params: { lr: 0.1, layers: 2 }, loss: 0.5, end: 'succeeded' },
    { name: 'tuned', tags: ['adam'], params: { lr: 0.01, layers: 3 }, loss: 0.2, end: 'succeeded' },
    { name: 'broken', tags: ['adam'], params: { lr: 1, layers: 3 }, loss: 9, end: 'failed' },
  ];
  for (const spec of runs) {
    const experiment = await quickExperiment(serve, 'table', { name: spec.name, tags: spec.tags });
    experiment.logParams(spec.params);
    for (let step = 0; step < 10; step += 1) experiment.logMetrics({ step, loss: spec.loss + (9 - step) * 0.01 });
    if (spec.end === 'failed') experiment.failed('diverged');
    else experiment.succeeded();
    await experiment.close();
  }
  // Names that are object keys or markup elsewhere: every one must show as plain text.
  const hostile = await quickExperiment(serve, 'table', { name: '__proto__', tags: [HOSTILE_TAG, 'constructor'] });
  hostile.logParams(JSON.parse(`{"constructor": ${JSON.stringify(HOSTILE_PARAM)}, "__proto__": "p", "toString": 5}`));
  hostile.logMetrics(JSON.parse(`{"step": 0, "constructor": 7, "toString": 8, "__proto__": 6, ${JSON.stringify(HOSTILE_METRIC)}: 9}`));
  await hostile.close();
});

test.afterAll(() => serve?.close());

const row = (page: import('@playwright/test').Page, name: string) => page.locator('.rt-row', { has: page.locator('.run-link', { hasText: new RegExp(`^${name}$`) }) });

test('the runs table shows every run with status, tags, duration, last values and params', async ({ page }) => {
  await openDashboard(page, serve);
  await expect(page.locator('.rt-row')).toHaveCount(4);
  await expect(page.locator('.count')).toHaveText('4 runs');
  const tuned = row(page, 'tuned');
  await expect(tuned).toContainText('succeeded');
  await expect(tuned).toContainText('adam');
  await expect(tuned).toContainText('0.2');
  await expect(tuned).toContainText('0.01');
  await expect(row(page, 'broken')).toContainText('failed');
  // Duration: a finished run shows how long it ran (`0.1s`, `2m 03s`).
  await expect(tuned.locator('.rt-td').nth(5)).toHaveText(/\d(\.\d)?s$/);
  const headers = await page.locator('.rt-head .rt-label').allTextContents();
  expect(headers).toEqual(expect.arrayContaining(['id', 'name', 'status', 'tags', 'started', 'duration', 'loss', 'lr', 'layers']));
});

test('sorts by any column, both ways, and keeps the order in the URL', async ({ page }) => {
  await openDashboard(page, serve);
  const names = () => page.locator('.rt-row .run-link').allTextContents();
  await page.getByRole('button', { name: 'sort by metric loss' }).click();
  await expect.poll(names).toEqual(['tuned', 'baseline', 'broken', '__proto__']);
  expect(new URL(page.url()).searchParams.get('sort')).toBe('metric:loss');
  await page.getByRole('button', { name: 'sort by metric loss' }).click();
  await expect.poll(names).toEqual(['broken', 'baseline', 'tuned', '__proto__']);
  await page.getByRole('button', { name: 'sort by name' }).click();
  await expect.poll(names).toEqual(['__proto__', 'baseline', 'broken', 'tuned']);
});

test('filters by text, regular expression, tag and status', async ({ page }) => {
  await openDashboard(page, serve);
  const filter = page.getByRole('searchbox', { name: 'filter runs' });
  await filter.fill('tun');
  await expect(page.locator('.rt-row')).toHaveCount(1);
  await expect(page.locator('.count')).toHaveText('1 of 4 runs');
  await filter.fill('/^b(ase|ro)/');
  await expect(page.locator('.rt-row .run-link')).toHaveText(['broken', 'baseline']);
  await filter.fill('/[unclosed/');
  await expect(page.locator('.error')).toContainText('Not a regular expression');
  await filter.fill('');
  await page.getByRole('combobox', { name: 'tag' }).selectOption('adam');
  await expect(page.locator('.rt-row')).toHaveCount(2);
  await page.getByRole('combobox', { name: 'status' }).selectOption('failed');
  await expect(page.locator('.rt-row .run-link')).toHaveText(['broken']);
  const url = new URL(page.url());
  expect([url.searchParams.get('tag'), url.searchParams.get('status')]).toEqual(['adam', 'failed']);
});

test('selects runs with checkboxes and offers to compare them', async ({ page }) => {
  await openDashboard(page, serve);
  await row(page, 'tuned').getByRole('checkbox').check();
  await row(page, 'baseline').getByRole('checkbox').check();
  await expect(page.locator('.count')).toHaveText('4 runs · 2 selected');
  await expect(row(page, 'tuned')).toHaveClass(/selected/);
  await expect(row(page, 'tuned').locator('.swatch')).toBeVisible();
  await page.getByRole('button', { name: 'compare 2' }).click();
  await expect(page.getByRole('tab', { name: 'Compare (2)' })).toHaveAttribute('aria-selected', 'true');
});

test('names, tags, params and metrics from the data are shown as text, never as markup', async ({ page }) => {
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await openDashboard(page, serve);
  const hostile = row(page, '__proto__');
  await expect(hostile).toContainText(HOSTILE_TAG);
  await expect(hostile).toContainText('constructor');
  await page.locator('.columns-picker summary').click();
  for (const name of ['constructor', 'toString', '__proto__', HOSTILE_METRIC]) {
    await page.locator('.columns-menu label', { hasText: name }).first().locator('input').check();
  }
  await expect(page.getByRole('button', { name: `sort by metric ${HOSTILE_METRIC}` })).toBeVisible();
  await expect(page.getByRole('button', { name: 'sort by metric constructor' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'sort by metric __proto__' })).toBeVisible();
  await expect(hostile).toContainText(HOSTILE_PARAM);
  // Last values of metrics named like Object.prototype members are the logged numbers.
  const cells = await hostile.locator('.rt-td.num').allTextContents();
  expect(cells).toEqual(expect.arrayContaining(['7', '8', '6', '9']));
  await hostile.getByRole('link', { name: '__proto__' }).click();
  await expect(page.locator('.run-page h1')).toHaveText('__proto__');
  await expect(page.locator('.run-page')).toContainText(HOSTILE_PARAM);
  await expect(page.locator(`figure.chart[data-metric="constructor"] canvas`).first()).toBeVisible();
  await expect(page.locator('img, b')).toHaveCount(0);
  expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  expect(dialogs).toEqual([]);
});

test('the token moves from the link to session storage; the page carries a CSP and refuses framing', async ({ page }) => {
  const response = await page.goto(serve.link);
  const headers = response?.headers() ?? {};
  expect(headers['content-security-policy']).toContain("script-src 'self'");
  expect(headers['content-security-policy']).not.toContain('unsafe-inline');
  expect(headers['x-frame-options']).toBe('DENY');
  expect(headers['x-content-type-options']).toBe('nosniff');
  await expect(page.locator('.rt-row').first()).toBeVisible();
  expect(new URL(page.url()).hash).toBe('');
  expect(await page.evaluate(() => sessionStorage.getItem('polyaxon-tracking-token'))).toBe(serve.token);
  expect(await page.evaluate(() => localStorage.length)).toBe(0);
  // A reload in the same tab still works: the token stayed in session storage.
  await page.reload();
  await expect(page.locator('.rt-row').first()).toBeVisible();
});

test('without the token the page asks for it, and takes a pasted one', async ({ page }) => {
  await page.goto(`${serve.url}/`);
  await expect(page.getByText('The server asks for a token')).toBeVisible();
  await page.getByRole('textbox', { name: 'token' }).fill(serve.token);
  await page.getByRole('button', { name: 'open' }).click();
  await expect(page.locator('.rt-row')).toHaveCount(4);
});

test('with --no-auth the page loads from loopback without a token', async ({ page }) => {
  const open = await startServe({ noAuth: true });
  try {
    expect(open.link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(open.output()).toContain('the dashboard is served to this machine only');
    await open.project('free');
    const experiment = await quickExperiment(open, 'free', { name: 'open-run' });
    await experiment.close();
    await page.goto(open.link);
    await expect(page.locator('.run-link')).toHaveText(['open-run']);
  } finally {
    await open.close();
  }
});
