import type { LifecycleHooks } from '../runtime/environment';
import { logger } from '../runtime/logger';

export type ProcessHooks = Pick<LifecycleHooks, 'onExit' | 'onCrash' | 'onProcessEnd'>;

/**
 * Installs the Node process lifecycle (DESIGN.md "Lifecycle", F17, F18, F28, F29). Signals are
 * armed apart, only while a run is open (signals.ts). Returns the uninstaller (idempotent).
 *
 * - Normal end: on the first `beforeExit`, `onExit()` runs once. The listener removes itself
 *   first, because `beforeExit` fires again each time the loop empties after `onExit`'s own
 *   async work; the second time nothing listens and Node exits (no loop, no hang). When
 *   `onExit` gives up on a server that does not answer (`'queued'`), the process ends at once.
 * - Uncaught exception (and an unhandled rejection, which Node 15+ raises as one):
 *   `onCrash(error)` runs synchronously from `uncaughtExceptionMonitor`, which observes without
 *   taking over, so Node prints the same error and exits with the same code as without the
 *   library. When the program handles uncaught exceptions itself the process lives on, so the
 *   run has not crashed and `onCrash` is not called.
 * - Every end: the `exit` event calls `onProcessEnd` with the status the exit code means, the one moment
 *   `process.exit()` leaves (it skips `beforeExit`); after a crash or a normal end it finds the
 *   runs already ended. Node keeps the exit code: the listener returns nothing and never throws.
 */
export function installProcessLifecycle(hooks: ProcessHooks): () => void {
  let exitStarted = false;
  const onBeforeExit = (): void => {
    process.removeListener('beforeExit', onBeforeExit);
    if (exitStarted) return;
    exitStarted = true;
    try {
      hooks.onExit().then(
        (outcome) => {
          // `beforeExit` means the program had nothing left to do; what holds the loop now is the
          // library's own request to a server that does not answer (F31). The exit code stays.
          if (outcome === 'queued') process.exit();
        },
        (error: unknown) => logger.debug('exit hook failed', error),
      );
    } catch (error) {
      logger.debug('exit hook failed', error);
    }
  };

  const onUncaught = (error: unknown): void => {
    if (programHandlesUncaught()) return;
    try {
      hooks.onCrash(error);
    } catch (hookError) {
      // Throwing here would make Node report the hook's error instead of the program's.
      logger.debug('crash hook failed', hookError);
    }
  };

  const onProcessExit = (code: number): void => {
    try {
      hooks.onProcessEnd?.(code === 0 ? { status: 'succeeded' } : { status: 'failed', message: `process exited with code ${code}` });
    } catch (hookError) {
      logger.debug('exit hook failed', hookError);
    }
  };

  process.on('beforeExit', onBeforeExit);
  process.on('uncaughtExceptionMonitor', onUncaught);
  process.on('exit', onProcessExit);
  let installed = true;
  return () => {
    if (!installed) return;
    installed = false;
    process.removeListener('beforeExit', onBeforeExit);
    process.removeListener('uncaughtExceptionMonitor', onUncaught);
    process.removeListener('exit', onProcessExit);
  };
}

function programHandlesUncaught(): boolean {
  return process.listenerCount('uncaughtException') > 0 || process.hasUncaughtExceptionCaptureCallback();
}
