import { spawn, type ChildProcess } from 'node:child_process';
import { expect, test } from '@playwright/test';
import { REPO_ROOT } from './static-server';

/**
 * The README's demo command with `--browser`: the Node run first, then the served page trains the
 * same model from a tab, tracked to the same local server.
 */
test('npm run demo -- --browser: the page trains a model and the run succeeds on the server', async ({ page }) => {
  test.setTimeout(180_000);
  const demo = spawn(process.execPath, ['demo/run.mjs', '--browser', '--epochs', '2'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const output = await waitForLine(demo, /Browser demo: (http:\/\/127\.0\.0\.1:\d+\/)/, 150_000);
    expect(output.text).toMatch(/status\s+succeeded/);
    await page.goto(output.match[1]);
    await page.selectOption('#backend', 'cpu');
    await page.click('#train');
    await expect(page.locator('#status')).toHaveText('succeeded', { timeout: 120_000 });
    await expect(page.locator('#experiment')).toHaveText(/^#\d+$/);
    await expect(page.locator('#queue')).toHaveText(/0 pending, storage indexeddb/, { timeout: 30_000 });
  } finally {
    demo.kill('SIGTERM');
  }
});

function waitForLine(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<{ match: RegExpMatchArray; text: string }> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${text}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      const match = text.match(pattern);
      if (match) {
        clearTimeout(timer);
        resolve({ match, text });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the demo exited (${code}) before printing ${pattern}:\n${text}`));
    });
  });
}
