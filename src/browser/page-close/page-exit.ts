/**
 * A page that is going away runs no further tasks: after `pagehide` only microtasks run, so an
 * IndexedDB request's success or `complete` event never arrives. What was requested and
 * committed (`IDBTransaction.commit()`) earlier is still written by the browser; what is
 * requested at the exit itself is not reliably kept (see exit-spill.ts, which takes those writes).
 * Two more things follow, both driven from here:
 * - waits for those events end at the page's exit (`untilPageExit`), so the outbox's next writes
 *   are issued while the page can still issue them;
 * - transactions still waiting for the page (a claim, an ack, the caps step) are aborted at the
 *   exit (`onPageExit`): they could never finish, and until they end the committed writes queued
 *   behind them (same object stores) cannot run.
 *
 * A page restored from the back/forward cache (`pageshow` with `persisted`) runs again, and a new
 * exit begins. A Worker has no `pagehide`: its exit never comes.
 */
type Listener = (event: { persisted?: boolean }) => void;

interface ExitScope {
  addEventListener?(type: string, listener: Listener): void;
}

interface Exit {
  promise: Promise<void>;
  resolve(): void;
}

const exitCallbacks = new Set<() => void>();
let current: Exit | undefined;
let exiting = false;
/** Settled when the page runs again after its exit (back/forward cache); see `whenPageRunsAgain`. */
let runsAgain: Exit | undefined;

function newExit(): Exit {
  let resolve!: () => void;
  const promise = new Promise<void>((settle) => {
    resolve = settle;
  });
  return { promise, resolve };
}

function watch(scope: ExitScope = globalThis as never): Exit {
  if (current) return current;
  current = newExit();
  if (typeof scope.addEventListener === 'function') {
    scope.addEventListener('pagehide', () => {
      exiting = true;
      runsAgain ??= newExit();
      for (const callback of exitCallbacks) callback();
      current?.resolve();
    });
    scope.addEventListener('pageshow', (event) => {
      if (!event?.persisted) return;
      exiting = false;
      current = newExit();
      runsAgain?.resolve();
      runsAgain = undefined;
    });
  }
  return current;
}

/** Calls `callback` in the `pagehide` listener itself, at every exit; gives the unsubscriber. */
export function onPageExit(callback: () => void): () => void {
  watch();
  exitCallbacks.add(callback);
  return () => exitCallbacks.delete(callback);
}

/** True from `pagehide` until the page runs again (restored from the back/forward cache). */
export function isPageExiting(): boolean {
  return exiting;
}

/**
 * Resolves once the page runs again after its exit (restored from the back/forward cache): never,
 * for a page that is gone. At once while the page is not exiting.
 */
export function whenPageRunsAgain(): Promise<void> {
  return exiting && runsAgain ? runsAgain.promise : Promise.resolve();
}

/** `work`, or `fallback` once the page is exiting, whichever comes first. */
export function untilPageExit<T>(work: Promise<T>, fallback: T): Promise<T> {
  return Promise.race([work, watch().promise.then(() => fallback)]);
}
