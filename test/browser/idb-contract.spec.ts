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

  test('F25 a queue in the version 2 layout (no per-run totals) opens migrated: counted per run, its claimed batch back under its key', async () => {
    const result = await page.evaluate(async () => {
      const contract = (window as any).storeContract;
      const queue = `store-contract-v2-${Date.now()}`;
      const metrics = (seq: number, run: string) => ({ v: 1, id: `${run}-${seq}`, seq, run, kind: 'metrics', body: { values: { step: seq } }, createdAt: seq, bytes: 20 });
      const head = { ...metrics(1, 'a'), leaseUntil: 5, leaseOwner: 'gone', batch: 'a-1.2.0badc0de' };
      const request = indexedDB.open(contract.databaseName(queue), 2);
      request.onupgradeneeded = () => {
        const records = request.result.createObjectStore('records', { keyPath: ['seq', 'id'] });
        records.createIndex('id', 'id', { unique: true });
        for (const record of [head, metrics(2, 'a'), metrics(3, 'b'), metrics(4, 'a')]) records.put(record);
        const meta = request.result.createObjectStore('meta');
        meta.put({ records: 3, bytes: 60 }, ['internal', 'totals']);
        meta.put({ records: 1, bytes: 20 }, ['internal', 'totals-delta', 'a-4']);
      };
      await new Promise((resolve) => (request.onsuccess = resolve));
      request.result.close();
      const store = await contract.openIndexedDbStore(queue);
      const counted = await store.count();
      const batch = await store.claim({ owner: 'tab', leaseMs: 30_000, now: 1_000, maxCount: 1_000, maxBytes: 1e9 });
      await store.ack(batch.map((record: { id: string }) => record.id));
      const after = await store.count();
      await store.close();
      return { counted, batch: batch.map((record: { seq: number; batch: string }) => [record.seq, record.batch]), after };
    });
    expect(result).toEqual({
      counted: { records: 4, bytes: 80, byRun: { a: 3, b: 1 } },
      batch: [
        [1, 'a-1.2.0badc0de'],
        [2, 'a-1.2.0badc0de'],
      ],
      after: { records: 2, bytes: 40, byRun: { a: 1, b: 1 } },
    });
  });

  for (const name of cases) {
    test(name, async () => {
      const result = await page.evaluate((caseName) => (window as any).storeContract.run(caseName), name);
      expect(result.error).toBeUndefined();
      expect(result.ok).toBe(true);
    });
  }

});
