/**
 * One IndexedDB database per queue, opened with a deadline and reopened when the browser closes
 * it. Shaped after idb-keyval's custom `UseStore` (a function that runs a callback inside one
 * transaction), widened to several object stores so a claim or an ack is one transaction.
 *
 * No Node imports here: the same file runs in real browsers under Playwright.
 */
import { onPageExit } from '../page-close/page-exit';
import { upgradeSchema, SCHEMA_VERSION } from './schema';

export type RunInTransaction = <T>(
  mode: IDBTransactionMode,
  storeNames: string[],
  callback: (transaction: IDBTransaction) => Promise<T>,
  options?: IDBTransactionOptions,
) => Promise<T>;

export class OpenTimeoutError extends Error {
  override readonly name = 'OpenTimeoutError';
}

/**
 * Opens `name` at the current schema version, migrating older ones (F25). Rejects after
 * `timeoutMs` when the request never settles (F14: some WebViews and a blocked upgrade leave it
 * pending forever); a connection that arrives after the deadline is closed at once so it cannot
 * block another tab's upgrade.
 */
export function openDatabase(factory: IDBFactory, name: string, timeoutMs: number): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      settled = true;
      reject(new OpenTimeoutError(`opening IndexedDB "${name}" took more than ${timeoutMs} ms`));
    }, timeoutMs);
    const finish = (outcome: () => void) => {
      clearTimeout(timer);
      if (settled) return;
      settled = true;
      outcome();
    };
    let request: IDBOpenDBRequest;
    try {
      request = factory.open(name, SCHEMA_VERSION);
    } catch (error) {
      finish(() => reject(error));
      return;
    }
    request.onupgradeneeded = (event) => {
      upgradeSchema(request.result, request.transaction!, event.oldVersion);
    };
    request.onsuccess = () => {
      const db = request.result;
      if (settled) db.close();
      else finish(() => resolve(db));
    };
    request.onerror = () => finish(() => reject(request.error));
    request.onblocked = () => {
      // Another tab holds an older version open; it is asked to close (versionchange) and the
      // deadline above bounds the wait.
    };
  });
}

/**
 * A connection that survives the browser closing it (F16): after a `close` event, a
 * `versionchange` from another tab, or an InvalidStateError from `transaction()`, the next
 * call opens the database again.
 */
export function connect(factory: IDBFactory, name: string, timeoutMs: number): { run: RunInTransaction; close(): void } {
  let pending: Promise<IDBDatabase> | null = null;
  let closed = false;
  const live = new Set<IDBTransaction>();
  // See page-exit.ts: what still needs the page would block the committed writes behind it.
  const stopWatchingExit = onPageExit(() => {
    for (const transaction of live) if (!committed.has(transaction)) abortQuietly(transaction);
  });

  const database = (): Promise<IDBDatabase> => {
    if (pending) return pending;
    const opening = openDatabase(factory, name, timeoutMs);
    pending = opening;
    opening.then(
      (db) => {
        const forget = () => {
          if (pending === opening) pending = null;
        };
        db.onclose = forget;
        db.onversionchange = () => {
          db.close();
          forget();
        };
      },
      () => {
        if (pending === opening) pending = null;
      },
    );
    return opening;
  };

  const begin = async (mode: IDBTransactionMode, storeNames: string[], options?: IDBTransactionOptions): Promise<IDBTransaction> => {
    const db = await database();
    try {
      return db.transaction(storeNames, mode, options);
    } catch (error) {
      if ((error as DOMException)?.name !== 'InvalidStateError') throw error;
      // Closed under us without a `close` event (db.close() elsewhere, some Safari versions).
      pending = null;
      return (await database()).transaction(storeNames, mode, options);
    }
  };

  const run: RunInTransaction = async (mode, storeNames, callback, options) => {
    if (closed) throw new Error('the IndexedDB store is closed');
    const transaction = await begin(mode, storeNames, options);
    live.add(transaction);
    const done = transactionDone(transaction).finally(() => live.delete(transaction));
    try {
      const result = await callback(transaction);
      await done;
      return result;
    } catch (error) {
      abortQuietly(transaction);
      done.catch(() => {});
      throw transaction.error ?? error;
    }
  };

  return {
    run,
    close() {
      closed = true;
      stopWatchingExit();
      pending?.then((db) => db.close(), () => {});
      pending = null;
    },
  };
}

const committed = new WeakSet<IDBTransaction>();

/**
 * Ends the transaction's requests now (`IDBTransaction.commit()`, Chromium 76+, Firefox 74+,
 * Safari 15) instead of when it goes idle: the write then survives the page going away right
 * after, and a page exit does not abort it.
 */
export function commitNow(transaction: IDBTransaction): void {
  committed.add(transaction);
  if (typeof transaction.commit === 'function') transaction.commit();
}

/**
 * Settles when the transaction commits or fails. Listeners rather than `oncomplete`, because
 * idb-keyval's helpers assign `oncomplete` themselves and one would replace the other.
 */
function transactionDone(transaction: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    transaction.addEventListener('complete', () => resolve());
    transaction.addEventListener('error', () => reject(transaction.error));
    transaction.addEventListener('abort', () => reject(transaction.error ?? new DOMException('aborted', 'AbortError')));
  });
}

function abortQuietly(transaction: IDBTransaction): void {
  try {
    transaction.abort();
  } catch {
    // Already finished or aborted: nothing to undo.
  }
}
