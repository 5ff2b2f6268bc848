import type { LifecycleHooks } from '../runtime/environment';
import { logger } from '../runtime/logger';

export type ProcessHooks = Pick<LifecycleHooks, 'onExit' | 'onCrash'>;

/**
 * Installs the Node process lifecycle (DESIGN.md "Lifecycle", F17, F18). No signal handler:
 * Ctrl-C and `kill` keep their usual meaning. Returns the uninstaller (idempotent).
 *
 * - Normal end: on the first `beforeExit`, `onExit()` runs once. The listener removes itself
 *   first, because `beforeExit` fires again each time the loop empties after `onExit`'s own
 *   async work; the second time nothing listens and Node exits (no loop, no hang).
 * - Uncaught exception (and an unhandled rejection, which Node 15+ raises as one):
 *   `onCrash(error)` runs synchronously from `uncaughtExceptionMonitor`, which observes without
 *   taking over, so Node prints the same error and exits with the same code as without the
 *   library. When the program handles uncaught exceptions itself the process lives on, so the
 *   run has not crashed and `onCrash` is not called.
 */
export function installProcessLifecycle(hooks: ProcessHooks): () => void {
  let exitStarted = false;
  const onBeforeExit = (): void => {
    process.removeListener('beforeExit', onBeforeExit);
    if (exitStarted) return;
    exitStarted = true;
    try {
      hooks.onExit().catch((error: unknown) => logger.debug('exit hook failed', error));
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

  process.on('beforeExit', onBeforeExit);
  process.on('uncaughtExceptionMonitor', onUncaught);
  let installed = true;
  return () => {
    if (!installed) return;
    installed = false;
    process.removeListener('beforeExit', onBeforeExit);
    process.removeListener('uncaughtExceptionMonitor', onUncaught);
  };
}

function programHandlesUncaught(): boolean {
  return process.listenerCount('uncaughtException') > 0 || process.hasUncaughtExceptionCaptureCallback();
}
