import { expect, test } from './fixtures';
import { serverData } from './server-data';

/**
 * Classic Jupyter Notebook loads RequireJS (the real one here, npm `requirejs`) before any cell
 * output. UMD files such as TF.js's tf.min.js see its `define.amd` and register an anonymous AMD
 * module instead of a global. The README's notebook section says what works; its module-script
 * block runs under RequireJS in readme-snippets.spec.ts, and the RequireJS way runs here, with the
 * token typed into an input at run time rather than written in the cell.
 */
test.describe('classic Jupyter (RequireJS on the page)', () => {
  test('<script src> of tf.min.js: window.tf is never set and the next require() throws; the script-tag build still sets PolyaxonTracking', async ({ page }) => {
    await page.goto('/pages/jupyter-classic/script-src.html');
    const report = await page.evaluate(() => (window as any).report);
    expect(report).toEqual({ tf: 'undefined', PolyaxonTracking: 'object', nextRequire: expect.stringMatching(/^Mismatched anonymous define\(\) module/) });
  });

  test('require.config paths for TF.js and the token from an input: the run and every epoch reach the server', async ({ page, polyaxonServer }) => {
    const server = serverData(polyaxonServer);
    await server.createProject('classic-jupyter');
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`/pages/jupyter-classic/require-config.html?port=${polyaxonServer.port}`);
    await page.fill('#polyaxon-token', polyaxonServer.token);
    await page.click('#train');
    await page.waitForFunction(() => (window as any).cell !== undefined);
    const cell = await page.evaluate(() => (window as any).cell);
    expect(cell).toEqual({ id: expect.any(Number), delivered: true, epochs: 3, tfOnWindow: 'undefined' });
    expect(errors).toEqual([]);
    expect(await page.content(), 'the token is in no page source').not.toContain(polyaxonServer.token);

    const detail = await server.experiment('classic-jupyter', cell.id);
    expect(detail).toMatchObject({ name: 'require-config', last_status: 'succeeded' });
    const steps = (await server.metrics('classic-jupyter', cell.id)).map((point: { values: { step?: number } }) => point.values.step);
    expect(steps).toEqual([0, 1, 2]);
  });
});
