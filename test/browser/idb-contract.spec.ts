import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import type { Page } from '@playwright/test';
import { buildSync } from 'esbuild';
import { expect, test } from './fixtures';
import { REPO_ROOT } from './static-server';

/**
 * The store contract suite (test/helpers/store-contract.ts, the file vitest runs under
 * fake-indexeddb) run in Chromium against its real IndexedDB: the contract, the IndexedDB store
 * sources and a small stand-in for vitest's API are bundled into one script when this file
 * loads; each contract case becomes one test here, run in a fresh page.
 */
const bundle = buildSync({
  entryPoints: [join(REPO_ROOT, 'test/browser/store-contract/browser-entry.ts')],
  bundle: true,
  write: false,
  format: 'iife',
  platform: 'browser',
  target: 'es2022',
  alias: { vitest: join(REPO_ROOT, 'test/browser/store-contract/vitest-shim.ts') },
  logLevel: 'silent',
}).outputFiles[0].text;

/** The case names, read by running the bundle's registration (no IndexedDB touched) in a bare context. */
const cases = (() => {
  const sandbox: Record<string, any> = { console: { log() {}, debug() {}, warn() {}, error() {}, info() {} }, crypto: globalThis.crypto };
  sandbox.globalThis = sandbox;
  runInNewContext(bundle, sandbox);
  return sandbox.storeContract.cases as string[];
})();

test.describe('the store contract in Chromium (real IndexedDB)', () => {
  // One page for every case of a worker: each case opens and deletes databases of its own.
  let page: Page;
  test.beforeAll(async ({ browser, staticServer }) => {
    page = await browser.newPage({ baseURL: staticServer.url });
    await page.goto('/pages/blank.html');
    await page.addScriptTag({ content: bundle });
  });
  test.afterAll(async () => {
    await page?.close();
  });

  test('registers every case of test/helpers/store-contract.ts, twice (bare store and openBrowserStore)', () => {
    const contractSource = readFileSync(join(REPO_ROOT, 'test/helpers/store-contract.ts'), 'utf8');
    const casesInSource = contractSource.match(/^\s+it\(/gm)?.length ?? 0;
    expect(cases.length).toBe(casesInSource * 2);
  });

  for (const name of cases) {
    test(name, async () => {
      const result = await page.evaluate((caseName) => (window as any).storeContract.run(caseName), name);
      expect(result.error).toBeUndefined();
      expect(result.ok).toBe(true);
    });
  }

});
