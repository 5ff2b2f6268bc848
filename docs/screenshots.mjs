/**
 * The dashboard screenshots of the README (docs/dashboard-*.png), 1280×800, light and dark:
 *
 *   npm run build && node docs/screenshots.mjs
 *
 * A real `serve` process, a sweep logged through the library (bench/lib/dashboard-data.mjs), and
 * Chromium (CHROMIUM_PATH or /usr/bin/chromium) showing the runs table, a comparison with
 * smoothing, the params view and a run page.
 */
import { chromium } from '@playwright/test';
import { logSweep } from '../bench/lib/dashboard-data.mjs';
import { CHROMIUM_PATH } from '../bench/lib/chromium.mjs';
import { startServeProcess } from '../bench/lib/serve-process.mjs';

const OUT = new URL('./', import.meta.url);

const serve = await startServeProcess();
try {
  const runs = await logSweep(serve, 'mnist-sweep');
  const ids = runs.map((run) => run.id);
  const chosen = [ids[4], ids[3], ids[1], ids[0]].join(',');
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox', '--disable-gpu'] });
  const views = [
    ['runs', `?project=local/mnist-sweep&runs=${chosen}`, '.rt-row'],
    ['compare', `?project=local/mnist-sweep&tab=compare&runs=${chosen}&smooth=0.8`, 'figure.chart[data-lines="4"]'],
    ['params', `?project=local/mnist-sweep&tab=params&runs=${chosen}`, '.parallel canvas'],
    ['run', `?project=local/mnist-sweep&run=${ids[2]}`, '.run-page figure.chart[data-lines="1"]'],
  ];
  for (const scheme of ['light', 'dark']) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, colorScheme: scheme });
    for (const [name, search, ready] of views) {
      await page.goto(`${serve.url}/${search}#token=${serve.token}`);
      await page.waitForSelector(ready);
      await page.waitForTimeout(600);
      if (name === 'compare') {
        const box = await page.locator('figure.chart[data-metric="train/loss"] .u-over').boundingBox();
        await page.mouse.move(box.x + box.width * 0.42, box.y + box.height * 0.5);
        await page.waitForTimeout(200);
      }
      const file = new URL(`dashboard-${name}-${scheme}.png`, OUT);
      await page.screenshot({ path: file.pathname });
      process.stdout.write(`${file.pathname}\n`);
    }
    await page.close();
  }
  await browser.close();
} finally {
  await serve.close();
}
