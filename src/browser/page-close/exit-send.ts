import type { CloseSenderHost } from '../../outbox/close-sender';
import { requestForBatch, type ResolvedTarget } from '../../outbox/requests';
import { selectBatch } from '../../outbox/select-batch';
import type { RunSequence } from './exit-window';
import type { ExitRequest } from './keepalive';
import type { ClientSettings } from '../../runtime/settings';
import type { OutboxStore } from '../../outbox/store';

/**
 * The Fetch Standard lets a page's keepalive requests outlive it only while their bodies total at
 * most 64 KiB; batches for the exit send stay well under that so several fit.
 */
export const EXIT_BATCH_BYTES = 60_000;
/** Page close gives little time: a few requests, then the rest waits for the next load. */
export const EXIT_MAX_REQUESTS = 8;

type Keepalive = (request: ExitRequest) => boolean;

/**
 * Page hidden (the page usually lives on): claims batches and hands them to `keepalive` (a fetch with
 * keepalive) until it refuses one or nothing is left. Sent batches stay leased, not acked: their
 * answer may never be seen. If the page lives on they go again once the lease ends, under the
 * same Idempotency-Key. A closing page cannot do this (the claim never completes): see `sendOnClose`.
 */
export async function sendBatchesOnExit(store: OutboxStore, host: CloseSenderHost, keepalive: Keepalive): Promise<number> {
  const settings = host.settings();
  let sent = 0;
  while (sent < EXIT_MAX_REQUESTS) {
    const records = await store.claim({
      owner: host.owner,
      leaseMs: host.leaseMs,
      now: host.now(),
      maxCount: host.maxBatchCount,
      maxBytes: EXIT_BATCH_BYTES,
    });
    if (records.length === 0) break;
    const resolution = await host.resolveTarget(records[0], settings).catch(() => undefined);
    if (resolution?.kind !== 'ready' || !keepalive(requestForBatch(records, resolution.target, settings))) {
      await store.release(records.map((record) => record.id));
      break;
    }
    sent++;
  }
  return sent;
}

export interface CloseSendContext {
  /** Each run's records head first (ExitWindow.sequences). */
  sequences: RunSequence[];
  /** Where a run's requests go, if known without asking the store or the server. */
  target(run: string): ResolvedTarget | undefined;
  settings: ClientSettings;
  /** The sender's batch limits: the next load groups the same records the same way. */
  maxCount: number;
  maxBytes: number;
}

export interface CloseSendResult {
  requests: number;
  records: number;
}

/**
 * Page closing: builds the requests from memory and hands them to `keepalive` in this call
 * stack, as a page that fired `pagehide` runs no further tasks (no IndexedDB answer, no timer).
 * Nothing is claimed or written: what was sent stays queued and goes again on the next load.
 *
 * Each run's batches are cut by `selectBatch`, the sender's own policy, with the sender's limits:
 * a batch keeps the key it already has, and records without one form the batch the next load's
 * claim forms from the same queue, so its key (first id, count, hash of the ids) and body come
 * out the same and the server deduplicates the resend (F10, F11). Keys are not written now: a
 * write at `pagehide` may be lost, and a key on some records of a batch but not others would
 * regroup them differently on the next load.
 *
 * A run goes in order or not at all: its first batch that cannot go (no server id yet after an
 * offline create, over the keepalive budget, request limit reached) ends that run's send, and
 * its later records wait for the next load. So does a second request to an endpoint the run has
 * already used: keepalive requests run side by side, on separate connections, and two of them
 * to one endpoint (two metrics batches) may be stored in either order; the next load sends them
 * one after the other.
 */
export function sendOnClose(context: CloseSendContext, keepalive: Keepalive): CloseSendResult {
  const result: CloseSendResult = { requests: 0, records: 0 };
  const claimAll = { owner: '', leaseMs: 0, now: Number.POSITIVE_INFINITY, maxCount: context.maxCount, maxBytes: context.maxBytes };
  for (const { run, records, complete } of context.sequences) {
    const target = context.target(run);
    if (!target || target.id === undefined) continue;
    let remaining = records;
    const endpoints = new Set<string>();
    while (remaining.length > 0 && result.requests < EXIT_MAX_REQUESTS) {
      // Leases are this page's own (or ran out): `now` at infinity lets selectBatch look past them.
      const selected = selectBatch(remaining, claimAll);
      if (!selected || selected.records[0].kind === 'create') break;
      // The window lacks this run's newer records: a new batch that ran out of records here may
      // take more of them on the next load's claim, under another key (a duplicate). Only a
      // batch closed by the limits, or one with its key already, is the same from the store.
      const ranOut = selected.records.length === remaining.length && selected.records.length < context.maxCount;
      if (!complete && ranOut && remaining[0].batch === undefined) break;
      const batch = selected.records.map((record) => ({ ...record, batch: selected.batch }));
      let request: ExitRequest;
      try {
        request = requestForBatch(batch, target, context.settings);
      } catch {
        break;
      }
      if (endpoints.has(request.url) || !keepalive(request)) break;
      endpoints.add(request.url);
      result.requests++;
      result.records += batch.length;
      const sent = new Set(batch.map((record) => record.id));
      remaining = remaining.filter((record) => !sent.has(record.id));
    }
  }
  return result;
}
