/**
 * A claim made once the page is going away (`pagehide`) does not answer: an empty answer would
 * tell the outbox that its written records had all left, and the close send that follows would
 * then send a run's later records ahead of its first ones. If the page runs again (back/forward
 * cache) the claim fails and the next one works. src/browser/page-close/page-exit.ts listens on the
 * global scope, which here is given `addEventListener` for the test's page events.
 */
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openIndexedDbStore } from '../../src/browser/idb-store';
import { testRecord } from '../helpers/store-contract';

type Listener = (event: { persisted?: boolean }) => void;
const listeners = new Map<string, Listener[]>();
const scope = globalThis as { addEventListener?: (type: string, listener: Listener) => void };

function dispatch(type: string, event: { persisted?: boolean } = {}): void {
  for (const listener of listeners.get(type) ?? []) listener(event);
}

const CAPS = { maxRecords: 1e6, maxBytes: 1e9 };
const CLAIM = { owner: 'tab', leaseMs: 30_000, now: 0, maxCount: 200, maxBytes: 1e9 };

beforeAll(() => {
  scope.addEventListener = (type, listener) => listeners.set(type, [...(listeners.get(type) ?? []), listener]);
});
afterAll(() => {
  delete scope.addEventListener;
});

describe('IndexedDB claim once the page is exiting', () => {
  it('waits instead of answering nothing; fails once the page runs again, and the next claim takes the records', async () => {
    const store = await openIndexedDbStore({ name: 'exit', caps: CAPS, keyRange: IDBKeyRange, indexedDB: new IDBFactory() });
    await store.append([testRecord(1, 'a', 'metrics'), testRecord(2, 'a', 'metrics')], CAPS);
    dispatch('pagehide', { persisted: true });

    let outcome: string | undefined;
    const claim = store.claim(CLAIM).then(
      (records) => (outcome = `claimed ${records.length}`),
      (error: Error) => (outcome = `failed: ${error.message}`),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(outcome).toBeUndefined();

    dispatch('pageshow', { persisted: true });
    await claim;
    expect(outcome).toMatch(/^failed: the page ran again/);
    expect((await store.claim(CLAIM)).map((record) => record.seq)).toEqual([1, 2]);
    await store.close();
  });
});
