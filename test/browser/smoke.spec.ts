import { IIFE_PATH, expect, test } from './fixtures';

test.describe('builds load in Chromium', () => {
  test('the script-tag build defines window.PolyaxonTracking with PolyaxonClient and Experiment', async ({ page }) => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto('/pages/script-tag.html');
    const api = await page.evaluate(() => {
      const tracking = (window as any).PolyaxonTracking;
      return {
        client: typeof tracking?.PolyaxonClient,
        experiment: typeof tracking?.Experiment,
        validationError: typeof tracking?.ValidationError,
      };
    });
    expect(api).toEqual({ client: 'function', experiment: 'function', validationError: 'function' });
    expect(errors).toEqual([]);
  });

  test('the script-tag build loads in a dedicated Worker with importScripts (no window, no document)', async ({ page }) => {
    await page.goto('/pages/blank.html');
    const report = await page.evaluate(() => (window as any).runWorker('/pages/classic-worker.js', undefined, 10_000));
    expect(report.hasWindow).toBe(false);
    expect(report.hasDocument).toBe(false);
    expect(report.clientType).toBe('function');
    expect(report.experimentType).toBe('function');
    expect(report.exports).toContain('PolyaxonClient');
  });

  test('the ESM browser build imports with its dependencies resolved by an import map', async ({ page }) => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto('/pages/esm.html');
    await page.waitForFunction(() => (window as any).esmLoaded === true, null, { timeout: 10_000 }).catch(() => {});
    expect(errors).toEqual([]);
    const names = await page.evaluate(() => Object.keys((window as any).esmExports ?? {}).sort());
    expect(names).toEqual(expect.arrayContaining(['Experiment', 'PolyaxonClient', 'PolyaxonError', 'ValidationError']));
  });

  test('the script-tag build is served with its sourcemap', async ({ request }) => {
    const script = await request.get(IIFE_PATH);
    expect(script.ok()).toBe(true);
    expect(await script.text()).toContain('sourceMappingURL=polyaxon-tracking.iife.min.js.map');
    const map = await request.get(`${IIFE_PATH}.map`);
    expect(map.ok()).toBe(true);
    expect((await map.json()).sources.some((source: string) => source.includes('src/browser/environment.ts'))).toBe(true);
  });
});
