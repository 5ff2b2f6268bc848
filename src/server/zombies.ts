import { logger } from '../runtime/logger';
import { statusEvent } from './routes/statuses';
import type { ServerEvent } from './model';
import type { ServerStore } from './store/store';

export interface ZombieSweepOptions {
  state: ServerStore;
  /** Last heartbeat (ms) per experiment; filled by `_heartbeat/` and by posting `running`. */
  heartbeats: Map<number, number>;
  /** Silence after which a running experiment is failed (Polyaxon: 30 minutes). */
  timeoutMs: number;
  /** Told of each status once it is stored. */
  onCommitted(events: ServerEvent[]): void;
}

/**
 * Polyaxon fails a running experiment that sent no heartbeat for 30 minutes ("zombie state").
 * Heartbeats are not stored, so after a restart every running experiment gets a fresh grace
 * period counted from the start. Returns the function that stops the sweep.
 */
export function startZombieSweep({ state, heartbeats, timeoutMs, onCommitted }: ZombieSweepOptions): () => void {
  const startedMs = Date.now();
  const sweep = () => {
    const nowMs = Date.now();
    try {
      for (const id of state.runningExperimentIds()) {
        const lastBeatMs = heartbeats.get(id) ?? startedMs;
        if (nowMs - lastBeatMs < timeoutMs) continue;
        const event = statusEvent(state, id, 'failed', new Date(nowMs).toISOString(), 'Experiment is in a zombie state (no heartbeat).');
        state.write(() => state.apply(event));
        onCommitted([event]);
        heartbeats.delete(id);
      }
    } catch (error) {
      logger.error('could not store a zombie experiment status', error);
    }
  };
  const timer = setInterval(sweep, Math.max(10, Math.min(60_000, Math.floor(timeoutMs / 2))));
  timer.unref();
  return () => clearInterval(timer);
}
