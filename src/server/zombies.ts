import { logger } from '../core/logger';
import type { Journal } from './journal';
import type { ServerEvent } from './model';
import { statusEvent } from './routes/statuses';
import type { ServerState } from './state';

export interface ZombieSweepOptions {
  state: ServerState;
  journal: Journal;
  /** Last heartbeat (ms) per experiment; filled by `_heartbeat/` and by posting `running`. */
  heartbeats: Map<number, number>;
  /** Silence after which a running experiment is failed (Polyaxon: 30 minutes). */
  timeoutMs: number;
  /** Told of each status once it is journaled. */
  onCommitted(events: ServerEvent[]): void;
}

/**
 * Polyaxon fails a running experiment that sent no heartbeat for 30 minutes ("zombie state").
 * Heartbeats are not journaled, so after a restart every running experiment gets a fresh grace
 * period counted from the start. Returns the function that stops the sweep.
 */
export function startZombieSweep({ state, journal, heartbeats, timeoutMs, onCommitted }: ZombieSweepOptions): () => void {
  const startedMs = Date.now();
  const sweep = () => {
    const nowMs = Date.now();
    for (const experiment of state.experiments.values()) {
      if (experiment.lastStatus !== 'running') continue;
      const lastBeatMs = heartbeats.get(experiment.id) ?? startedMs;
      if (nowMs - lastBeatMs < timeoutMs) continue;
      const event = statusEvent(state, experiment.id, 'failed', new Date(nowMs).toISOString(), 'Experiment is in a zombie state (no heartbeat).');
      state.apply(event);
      heartbeats.delete(experiment.id);
      journal.append({ v: 1, at: event.status.createdAt, events: [event] }).then(() => onCommitted([event]), (error) => {
        logger.error('could not journal a zombie experiment status', error);
      });
    }
  };
  const timer = setInterval(sweep, Math.max(10, Math.min(60_000, Math.floor(timeoutMs / 2))));
  timer.unref();
  return () => clearInterval(timer);
}
