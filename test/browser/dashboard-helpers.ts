import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { startServeProcess, type ServeProcess } from '../../bench/lib/serve-process.mjs';
import { DIST, expect } from './fixtures';

export type { ServeProcess };

/**
 * The dashboard specs run a real `polyaxon-tracking serve` (dist/cli.mjs) and log their data with
 * the library's Node API (bench/lib/serve-process.mjs); the page sees only what went through the API.
 */
export async function startServe(options: { noAuth?: boolean } = {}): Promise<ServeProcess> {
  for (const file of ['cli.mjs', 'index.node.mjs', 'dashboard/index.html']) {
    if (!existsSync(join(DIST, file))) throw new Error(`dist/${file} is missing: run \`npm run build\` first`);
  }
  return startServeProcess(options);
}

/** A running experiment whose points reach the server within 100 ms (tests wait on what a person sees). */
export function quickExperiment(serve: ServeProcess, project: string, options: { name?: string; tags?: string[]; description?: string } = {}) {
  return serve.experiment(project, { ...options, outbox: { flushIntervalMs: 100 } });
}

/** Opens the link `serve` printed and waits for the runs table. */
export async function openDashboard(page: Page, serve: ServeProcess, search = ''): Promise<void> {
  await page.goto(search ? `${serve.url}/${search}#token=${serve.token}` : serve.link);
  await expect(page.locator('.rt-row').first()).toBeVisible();
}

/** Pixels of `canvas` that are not fully transparent: a drawn chart has thousands, an empty one a few (axes only when data exist). */
export function paintedPixels(canvas: Locator): Promise<number> {
  return canvas.evaluate((element) => {
    const canvasElement = element as HTMLCanvasElement;
    const context = canvasElement.getContext('2d');
    if (!context) return 0;
    const { data } = context.getImageData(0, 0, canvasElement.width, canvasElement.height);
    let painted = 0;
    for (let index = 3; index < data.length; index += 4) if (data[index] > 0) painted += 1;
    return painted;
  });
}

/** Pixels of `canvas` in `rgb` (± a little for antialiasing): a run's line in its colour. */
export function pixelsOfColor(canvas: Locator, rgb: [number, number, number]): Promise<number> {
  return canvas.evaluate((element, [r, g, b]) => {
    const canvasElement = element as HTMLCanvasElement;
    const context = canvasElement.getContext('2d');
    if (!context) return 0;
    const { data } = context.getImageData(0, 0, canvasElement.width, canvasElement.height);
    let count = 0;
    for (let index = 0; index < data.length; index += 4) {
      if (data[index + 3] > 200 && Math.abs(data[index] - r) < 12 && Math.abs(data[index + 1] - g) < 12 && Math.abs(data[index + 2] - b) < 12) count += 1;
    }
    return count;
  }, rgb);
}

/** The chart of `metric` (its figure element). */
export const chart = (page: Page, metric: string): Locator => page.locator(`figure.chart[data-metric="${metric.replace(/"/g, '\\"')}"]`);
