import type { ExitRequest } from './environment';
import type { Clock } from './outbox-options';
import { requestForBatch } from './requests';
import type { RunTargets } from './run-targets';
import type { ClientSettings } from './settings';
import type { OutboxStore } from './store';

/**
 * The Fetch Standard lets a page's keepalive requests outlive it only while their bodies total at
 * most 64 KiB; batches for the exit send stay well under that so several fit.
 */
export const EXIT_BATCH_BYTES = 60_000;
/** Page close gives little time: a few requests, then the rest waits for the next load. */
export const EXIT_MAX_REQUESTS = 8;

export interface ExitSendContext {
  store: OutboxStore;
  targets: RunTargets;
  settings: ClientSettings;
  owner: string;
  leaseMs: number;
  maxCount: number;
  clock: Clock;
}

/**
 * Claims batches and hands them to `sendOnExit` (fetch keepalive) until it refuses one or nothing
 * is left. Sent batches stay leased, not acked: their answer may never be seen. If the page lives
 * on they go again once the lease ends, under the same Idempotency-Key.
 */
export async function sendBatchesOnExit(context: ExitSendContext, sendOnExit: (request: ExitRequest) => boolean): Promise<number> {
  let sent = 0;
  while (sent < EXIT_MAX_REQUESTS) {
    const records = await context.store.claim({
      owner: context.owner,
      leaseMs: context.leaseMs,
      now: context.clock.now(),
      maxCount: context.maxCount,
      maxBytes: EXIT_BATCH_BYTES,
    });
    if (records.length === 0) break;
    const resolution = await context.targets.resolve(records[0], context.settings).catch(() => undefined);
    if (resolution?.kind !== 'ready' || !sendOnExit(requestForBatch(records, resolution.target, context.settings))) {
      await context.store.release(records.map((record) => record.id));
      break;
    }
    sent++;
  }
  return sent;
}
