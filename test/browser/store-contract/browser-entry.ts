/**
 * The store contract (test/helpers/store-contract.ts, unchanged) over the real IndexedDB of the
 * page, bundled with `vitest` pointing at ./vitest-shim. Exposes `globalThis.storeContract`:
 * `cases` (names) and `run(name)` → `{ ok: true } | { ok: false, error }`.
 */
import { databaseName, openBrowserStore, openIndexedDbStore } from '../../../src/browser/idb-store';
import { runStoreContract } from '../../helpers/store-contract';
import { caseNames, runCase } from './vitest-shim';

const CAPS = { maxRecords: 1e6, maxBytes: 1e9 };
let queue = '';
let opened = 0;

/** A database of its own for every case; `reopen` opens the case's database again. */
function freshQueue(): string {
  queue = `store-contract-${Date.now()}-${opened++}`;
  return queue;
}

async function deleteQueues(): Promise<void> {
  const databases = await indexedDB.databases();
  await Promise.all(
    databases
      .map((database) => database.name)
      .filter((name): name is string => !!name?.includes('store-contract-'))
      .map(
        (name) =>
          new Promise<void>((resolve) => {
            const request = indexedDB.deleteDatabase(name);
            request.onsuccess = request.onerror = request.onblocked = () => resolve();
          }),
      ),
  );
}

runStoreContract('IndexedDbStore', () => openIndexedDbStore({ name: freshQueue(), caps: CAPS }), deleteQueues, {
  reopen: () => openIndexedDbStore({ name: queue, caps: CAPS }),
});

runStoreContract('openBrowserStore over IndexedDB', () => openBrowserStore({ name: freshQueue(), caps: CAPS }), deleteQueues, {
  reopen: () => openBrowserStore({ name: queue, caps: CAPS }),
});

(globalThis as Record<string, unknown>).storeContract = {
  cases: caseNames(),
  /** The bare store, for cases of this page's own (e.g. opening a database of an older layout). */
  openIndexedDbStore: (name: string) => openIndexedDbStore({ name, caps: CAPS }),
  databaseName,
  async run(name: string): Promise<{ ok: true } | { ok: false; error: string }> {
    try {
      await runCase(name);
      return { ok: true };
    } catch (error) {
      return { ok: false, error: error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error) };
    }
  },
};
