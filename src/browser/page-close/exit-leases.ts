import { logger } from '../../runtime/logger';
import type { ClientSettings } from '../../runtime/settings';
import type { OutboxStore } from '../../outbox/store';

/**
 * The leases a closing page held, left as a note for whoever claims from the queue next (the
 * next load, or another tab on the same queue), who releases them before claiming.
 *
 * Every lease the page holds is released, whether its batch went out by keepalive or not:
 * - Not sent: nobody is sending those records any more, and the next load should not wait out a
 *   lease (the request timeout plus margins, 36 s) for a sender that is gone (F10, F11).
 * - Sent by keepalive: a lease keeps two live senders off one batch, but no sender waits on a
 *   keepalive answer; whoever claims the batch next sends it again, and must, since nobody can
 *   know whether it arrived. The resend carries the key the batch already has (keys are never
 *   released), so the local server stores the batch once whether the keepalive request arrived
 *   first, arrives later (answered from the stored response) or at the same time (it waits for
 *   the one in progress). A server that ignores the key gets the batch twice in any case
 *   (at-least-once): waiting out the lease would not change that.
 *
 * Best effort: without a note (no localStorage, a full quota) the lease runs out by itself and
 * the batch goes then, under the same key. A note is applied only while its lease still has
 * `RELEASE_MARGIN_MS` to run: once a lease has ended another sender may hold the records, and a
 * late release would end that sender's lease.
 */

/**
 * Small notes that must outlive a closing page (browsers: localStorage, exit-spill.ts): a page that
 * fired `pagehide` runs no further tasks, so only a synchronous write is sure to be kept.
 */
export interface ExitNotes {
  /** Keeps `note` (plain JSON) under `topic` in this call stack; false when it cannot. */
  save(topic: string, note: unknown): boolean;
  /** Removes and gives every note kept under `topic`. */
  take(topic: string): Promise<unknown[]>;
}

export interface LeaseNote {
  ids: string[];
  /** When the lease ends (clock ms). */
  leaseUntil: number;
}

/** A noted lease closer than this to its end is left to run out. */
export const RELEASE_MARGIN_MS = 5_000;

/** One queue per server (src/api/registry.ts names stores by base URL): notes are kept per server. */
export function leaseTopic(settings: ClientSettings): string {
  return `leases ${settings.baseUrl}`;
}

/** Saves the page's leases in this call stack (at `pagehide`); false when nothing could be kept. */
export function noteLeasesAtClose(notes: ExitNotes | undefined, topic: string, leases: LeaseNote[]): boolean {
  if (!notes || leases.length === 0) return false;
  try {
    return notes.save(topic, leases);
  } catch (error) {
    logger.debug('lease notes: save failed', error);
    return false;
  }
}

/**
 * Releases the leases closed pages noted for this queue, before a claim; undefined when there is
 * nowhere to look. Never rejects.
 */
export function releaseNotedLeases(notes: ExitNotes | undefined, topic: string, store: OutboxStore, now: number): Promise<void> | undefined {
  return notes ? releaseFrom(notes, topic, store, now) : undefined;
}

async function releaseFrom(notes: ExitNotes, topic: string, store: OutboxStore, now: number): Promise<void> {
  try {
    const ids: string[] = [];
    for (const note of await notes.take(topic)) {
      for (const lease of Array.isArray(note) ? (note as LeaseNote[]) : []) if (lease?.leaseUntil - now > RELEASE_MARGIN_MS && Array.isArray(lease.ids)) ids.push(...lease.ids);
    }
    if (ids.length > 0) await store.release(ids);
  } catch (error) {
    logger.debug('lease notes: release failed', error);
  }
}
