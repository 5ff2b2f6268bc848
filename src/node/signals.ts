import type { ProcessEnd } from '../runtime/environment';
import { logger } from '../runtime/logger';

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * Ctrl-C and `kill` while a run is open (F30): `onSignal` ends the runs and hands the queue over,
 * synchronously, then the process dies by the very signal, so its parent (a shell, a supervisor)
 * sees what it would without the library.
 *
 * A listener changes what a signal means to Node, so ours exists only while a run is open (the
 * registry arms and disarms it) and only for a signal the program does not listen to itself; one
 * the program adds later wins: then the signal is the program's business and nothing happens here.
 * `onSignal` never waits (a synchronous write and a spawn), so there is no graceful phase for a
 * second Ctrl-C to cut short: a second signal that arrives while it runs is swallowed, and the
 * re-raised first one kills the process right after, with everything handed over. Returns the
 * disarmer (idempotent).
 */
export function armSignals(onSignal: (end: ProcessEnd) => void): () => void {
  const armed = new Map<(typeof SIGNALS)[number], () => void>();
  const disarm = (): void => {
    for (const [signal, listener] of armed) process.removeListener(signal, listener);
    armed.clear();
  };
  for (const signal of SIGNALS) {
    if (process.listenerCount(signal) > 0) continue;
    const listener = (): void => {
      if (process.listenerCount(signal) > 1) return;
      try {
        onSignal({ status: 'stopped', message: `stopped by ${signal}` });
      } catch (error) {
        logger.debug(`${signal} hook failed`, error);
      }
      disarm();
      process.kill(process.pid, signal);
    };
    armed.set(signal, listener);
    process.on(signal, listener);
  }
  return disarm;
}
