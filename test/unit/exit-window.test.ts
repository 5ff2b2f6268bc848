import { afterEach, describe, expect, it } from 'vitest';
import { localStorageExitNotes } from '../../src/browser/page-close/exit-spill';
import { releaseNotedLeases, RELEASE_MARGIN_MS } from '../../src/browser/page-close/exit-leases';
import { ExitWindow } from '../../src/browser/page-close/exit-window';
import { MemoryStore } from '../../src/outbox/memory-store';
import type { OutboxRecord } from '../../src/outbox/records';

let seq = 0;
function record(run: string, bytes = 10, kind: OutboxRecord['kind'] = 'metrics'): OutboxRecord {
  const number = seq++;
  return { v: 1, id: `id-${String(number).padStart(4, '0')}`, seq: number, run, kind, body: { n: number }, createdAt: 0, bytes };
}
const ids = (records: readonly OutboxRecord[]) => records.map((entry) => entry.id);

describe('ExitWindow: what a closing page can send from memory', () => {
  it('keeps each run in append order within its byte bound; a run that missed records takes nothing new', () => {
    const window = new ExitWindow(30);
    const records = [record('a'), record('a'), record('b'), record('a'), record('b')];
    records.forEach((entry, index) => window.appended(entry, index + 1));
    expect(window.sequences(0).map(({ run, records: held }) => [run, ids(held)])).toEqual([
      ['a', ids(records.slice(0, 2))],
      ['b', ids(records.slice(2, 3))],
    ]);
    // Room again, but "a" missed a record: a newer one would leave a hole in its order.
    window.acked([records[0].id]);
    window.appended(record('a'), 6);
    expect(window.sequences(0).find(({ run }) => run === 'a')?.records).toHaveLength(1);
  });

  it('an empty claim (idle) forgets what was committed and lets a run that missed records start again', () => {
    const window = new ExitWindow(10);
    window.appended(record('a'), 1);
    window.appended(record('a'), 2);
    window.idle(2, 0);
    expect(window.sequences(0)).toEqual([]);
    const fresh = record('a');
    window.appended(fresh, 3);
    expect(window.sequences(0)).toEqual([{ run: 'a', records: [fresh], complete: true }]);
  });

  it('a claim makes its batch the head: what came before has left; the claimed copies bring their batch key and lease', () => {
    const window = new ExitWindow();
    const records = [record('a'), record('a'), record('a'), record('a')];
    records.forEach((entry, index) => window.appended(entry, index + 1));
    const claimed = records.slice(1, 3).map((entry) => ({ ...entry, batch: 'k', leaseUntil: 100, leaseOwner: 'me' }));
    window.claimed(claimed);
    const [sequence] = window.sequences(50);
    expect(ids(sequence.records)).toEqual(ids(records.slice(1)));
    expect(sequence.records.slice(0, 2).map((entry) => entry.batch)).toEqual(['k', 'k']);
    expect(window.liveLeases(50)).toEqual([{ ids: ids(claimed), leaseUntil: 100 }]);
    // A lease of this page that ran out: another sender may hold the run now.
    expect(window.sequences(100)).toEqual([]);
    expect(window.liveLeases(100)).toEqual([]);
  });

  it('F12 leasedOnly: only the runs whose head this page holds leased, each to its end', () => {
    const window = new ExitWindow();
    const mine = [record('a'), record('a'), record('a')];
    const unclaimed = [record('b')];
    [...mine, ...unclaimed].forEach((entry, index) => window.appended(entry, index + 1));
    window.claimed(mine.slice(0, 2).map((entry) => ({ ...entry, batch: 'k', leaseUntil: 100 })));
    expect(window.sequences(50, true).map(({ run, records: held }) => [run, ids(held)])).toEqual([['a', ids(mine)]]);
    expect(window.sequences(50).map(({ run }) => run)).toEqual(['a', 'b']);
    window.acked(ids(mine.slice(0, 2)));
    expect(window.sequences(50, true)).toEqual([]);
  });

  it("a claimed batch of another page's run is sent alone; a release keeps the records but ends the lease", () => {
    const window = new ExitWindow();
    const foreign = [record('other'), record('other')].map((entry) => ({ ...entry, batch: 'f', leaseUntil: 100 }));
    window.claimed(foreign);
    expect(window.sequences(0)).toEqual([{ run: 'other', records: foreign, complete: false }]);
    window.released(ids(foreign));
    expect(window.sequences(0)).toEqual([]);
  });

  it('a claim whose head the window does not hold clears the run until everything appended has left', () => {
    const window = new ExitWindow(10);
    window.appended(record('a'), 1);
    const missed = record('a');
    window.appended(missed, 2);
    window.acked([]);
    window.claimed([{ ...missed, batch: 'm', leaseUntil: 100 }]);
    expect(window.sequences(0).map(({ records }) => ids(records))).toEqual([[missed.id]]);
    window.appended(record('a'), 3);
    expect(window.sequences(0).map(({ records }) => ids(records))).toEqual([[missed.id]]);
  });

  it('a run that missed records is marked incomplete, one that took them all complete', () => {
    const window = new ExitWindow(20);
    window.appended(record('a'), 1);
    window.appended(record('b'), 2);
    window.appended(record('a'), 3);
    expect(window.sequences(0).map(({ run, complete }) => [run, complete])).toEqual([
      ['a', false],
      ['b', true],
    ]);
  });

  it('a 413 split removes the batch keys it held', () => {
    const window = new ExitWindow();
    const entry = record('a');
    window.appended(entry, 1);
    window.claimed([{ ...entry, batch: 'k', leaseUntil: 100 }]);
    window.released([entry.id], true);
    expect(window.sequences(0)[0].records[0].batch).toBeUndefined();
  });
});

describe('lease notes of a closed page (localStorage)', () => {
  const original = Object.getOwnPropertyDescriptor(globalThis, 'localStorage');
  afterEach(() => {
    if (original) Object.defineProperty(globalThis, 'localStorage', original);
    else delete (globalThis as { localStorage?: unknown }).localStorage;
  });

  function fakeLocalStorage(): Map<string, string> {
    const items = new Map<string, string>();
    const storage = {
      get length() {
        return items.size;
      },
      key: (index: number) => [...items.keys()][index] ?? null,
      getItem: (key: string) => items.get(key) ?? null,
      setItem: (key: string, value: string) => void items.set(key, value),
      removeItem: (key: string) => void items.delete(key),
    };
    Object.defineProperty(globalThis, 'localStorage', { value: storage, configurable: true });
    return items;
  }

  it('keeps notes per topic and gives each note once', async () => {
    const items = fakeLocalStorage();
    const notes = localStorageExitNotes();
    expect(notes.save('leases http://a', [1])).toBe(true);
    expect(notes.save('leases http://a', [2])).toBe(true);
    expect(notes.save('leases http://b', [3])).toBe(true);
    expect((await notes.take('leases http://a')).sort()).toEqual([[1], [2]]);
    expect(await notes.take('leases http://a')).toEqual([]);
    expect(items.size).toBe(1);
  });

  it('without localStorage nothing is kept and nothing is taken', async () => {
    Object.defineProperty(globalThis, 'localStorage', { value: undefined, configurable: true });
    const notes = localStorageExitNotes();
    expect(notes.save('t', [1])).toBe(false);
    expect(await notes.take('t')).toEqual([]);
  });

  it('releases a noted lease that still has time to run, and leaves one that is about to end', async () => {
    fakeLocalStorage();
    const notes = localStorageExitNotes();
    const store = new MemoryStore();
    const [first, second] = [record('a'), record('b')];
    await store.append([first, second], { maxRecords: 10, maxBytes: 1_000 });
    const lease = { owner: 'closed-page', leaseMs: 36_000, now: 0, maxCount: 10, maxBytes: 1_000 };
    await store.claim(lease);
    await store.claim({ ...lease, leaseMs: RELEASE_MARGIN_MS });
    notes.save('q', [
      { ids: [first.id], leaseUntil: 36_000 },
      { ids: [second.id], leaseUntil: RELEASE_MARGIN_MS },
    ]);
    await releaseNotedLeases(notes, 'q', store, 0);
    const claimable = await store.claim({ ...lease, owner: 'next-load', now: 1 });
    expect(ids(claimable)).toEqual([first.id]);
    expect(await store.claim({ ...lease, owner: 'next-load', now: 1 })).toEqual([]);
  });
});
