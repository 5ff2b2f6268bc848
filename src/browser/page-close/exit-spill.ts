/**
 * Records appended while the page is going away go to localStorage, not IndexedDB.
 *
 * Measured in Chromium: a transaction created and committed in `pagehide` is kept when a tab is
 * closed, but lost in about one reload in four (its commit races the document's teardown), and
 * several such transactions are lost more often still. A localStorage write is synchronous and
 * kept in both cases. So at the exit every group the outbox writes is one localStorage entry,
 * and the next page that opens the queue moves the entries into IndexedDB, in their `seq` order,
 * before anything is claimed; a page that already has the queue open moves them when the
 * `storage` event tells it of a new entry (another tab of the origin closed). Entries are small (a few ticks of logging); one that does not fit
 * (quota) or a page without localStorage (sandboxed frames, some privacy modes) falls back to
 * IndexedDB, best effort. The leases a closing page held are noted here too (`localStorageExitNotes`).
 */
import type { ExitNotes } from './exit-leases';
import type { OutboxRecord } from '../../outbox/records';

interface StorageLike {
  readonly length: number;
  key(index: number): string | null;
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

interface LockManagerLike {
  request(name: string, callback: () => Promise<void>): Promise<void>;
}

function localStorageOrUndefined(): StorageLike | undefined {
  try {
    const storage = (globalThis as { localStorage?: StorageLike }).localStorage;
    return storage ?? undefined;
  } catch {
    // Reading `localStorage` throws in sandboxed frames and with storage blocked.
    return undefined;
  }
}

function spillPrefix(databaseName: string): string {
  return `${databaseName}:exit:`;
}

/** Writes `records` as one entry; false when localStorage is missing or full (the caller writes them elsewhere). */
export function spillRecords(databaseName: string, records: readonly OutboxRecord[]): boolean {
  const storage = localStorageOrUndefined();
  if (!storage || records.length === 0) return false;
  const first = records[0];
  // The first record's seq and id: entries sort and never collide.
  const key = `${spillPrefix(databaseName)}${String(first.seq).padStart(16, '0')}:${first.id}`;
  try {
    storage.setItem(key, JSON.stringify(records));
    return true;
  } catch {
    return false;
  }
}

/**
 * Hands every spilled entry of this queue to `write` (oldest first) and removes it once written.
 * Tabs opening the queue together take turns (Web Locks, where available), so an entry is moved
 * once. An entry that cannot be read is removed, as nothing can be made of it.
 */
export async function adoptSpilled(databaseName: string, write: (records: OutboxRecord[]) => Promise<void>): Promise<number> {
  const storage = localStorageOrUndefined();
  if (!storage) return 0;
  const move = async () => {
    let moved = 0;
    for (const key of keysWithPrefix(storage, spillPrefix(databaseName))) {
      const records = parse(storage.getItem(key));
      if (records.length > 0) await write(records);
      storage.removeItem(key);
      moved += records.length;
    }
    return moved;
  };
  const locks = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks;
  if (!locks || typeof locks.request !== 'function') return move();
  let moved = 0;
  await locks.request(`${spillPrefix(databaseName)}adopt`, async () => {
    moved = await move();
  });
  return moved;
}

/**
 * Calls `adopt` when another document of the origin spills into this queue (the `storage` event
 * fires in every other same-origin window); gives the unsubscriber. Workers have no such event.
 */
export function onSpilled(databaseName: string, adopt: () => void): () => void {
  const scope = globalThis as { addEventListener?: Function; removeEventListener?: Function };
  if (typeof scope.addEventListener !== 'function' || typeof scope.removeEventListener !== 'function') return () => {};
  const prefix = spillPrefix(databaseName);
  const listener = (event: { key?: string | null; newValue?: string | null }) => {
    if (event?.key?.startsWith(prefix) && event.newValue !== null) adopt();
  };
  scope.addEventListener('storage', listener);
  return () => scope.removeEventListener!('storage', listener);
}

const NOTE_PREFIX = 'polyaxon-tracking-exit-note:';

/**
 * `ExitNotes` on localStorage: synchronous, so a note saved in `pagehide`
 * is kept. `take` reads and removes in one synchronous step; it finds nothing to do when no note
 * is there (it runs before every claim).
 */
export function localStorageExitNotes(): ExitNotes {
  const prefixOf = (topic: string) => `${NOTE_PREFIX}${encodeURIComponent(topic)}:`;
  return {
    save(topic, note) {
      try {
        localStorageOrUndefined()!.setItem(`${prefixOf(topic)}${String(Date.now()).padStart(16, '0')}:${Math.random()}`, JSON.stringify(note));
        return true;
      } catch {
        // No localStorage, or a full quota.
        return false;
      }
    },
    async take(topic) {
      const storage = localStorageOrUndefined();
      const prefix = prefixOf(topic);
      const taken: unknown[] = [];
      if (!storage) return taken;
      for (const key of keysWithPrefix(storage, prefix)) {
        const text = storage.getItem(key);
        storage.removeItem(key);
        try {
          taken.push(JSON.parse(text ?? 'null'));
        } catch {
          // Unreadable: nothing to release.
        }
      }
      return taken;
    },
  };
}

/** The keys that start with `prefix`, sorted (oldest first, for the keys written here). */
function keysWithPrefix(storage: StorageLike, prefix: string): string[] {
  const keys: string[] = [];
  for (let index = 0; index < storage.length; index++) {
    const key = storage.key(index);
    if (key?.startsWith(prefix)) keys.push(key);
  }
  return keys.sort();
}

function parse(text: string | null): OutboxRecord[] {
  if (text === null) return [];
  try {
    const value = JSON.parse(text) as unknown;
    return Array.isArray(value) ? (value as OutboxRecord[]) : [];
  } catch {
    return [];
  }
}
