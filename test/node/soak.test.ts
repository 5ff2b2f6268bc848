import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import '../../src/index.node';
import { Outbox } from '../../src/outbox/outbox';
import { DROP_REASONS } from '../../src/outbox/policy';
import type { ClientSettings } from '../../src/runtime/settings';
import { pythonDatetime } from '../../src/wire/format';
import { openJournalStore } from '../../src/node/journal-store';
import { seededRandom, startFaultProxy, type FaultAction } from '../helpers/fault-proxy';
import { directClient, requests, storedMetrics } from '../helpers/fault-setup';
import { spawnServerProcess } from '../helpers/server-process';

/**
 * Soak: 10 experiments × 10,000 points through the fault proxy with 20% of the tracking requests
 * faulted, then the server must hold exactly what was logged, per experiment, in order, once.
 *
 * The Outbox is driven directly (with the Node journal store) because `Experiment` does not pass
 * backoff and `Retry-After` bounds through: with the defaults (up to 1 s per retry, at least 1 s
 * per 429) the 100-odd faults would alone take longer than this test may run. The server runs in
 * a child process, as `polyaxon-tracking serve` would, so client and server work side by side.
 * It runs on its own (`npm run test:soak`, after `npm test`), so its time budget measures the
 * library rather than whichever test files share the two cores with it.
 */
const EXPERIMENTS = 10;
const POINTS = 10_000;
const FAULT_RATE = 0.2;
const SEED = 20_240_501;
/** Logging and delivery must end within this; reading back the server's data comes after. */
const BUDGET_MS = 50_000;
const TOKEN = 'soak-token';
const USER = 'local';
const PROJECT = 'soak';
const FAULTS: FaultAction[] = [
  { kind: 'respond', status: 500, body: { detail: 'A server error occurred.' } },
  { kind: 'drop-after-forward' },
  { kind: 'respond', status: 429, headers: { 'Retry-After': '0' }, body: { detail: 'Request was throttled.' } },
  { kind: 'respond', status: 429, headers: { 'Retry-After': '1' }, body: { detail: 'Request was throttled.' } },
];

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

it('soak: 10 experiments × 10,000 points with 20% of requests faulted arrive complete, in order, once', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'pxt-soak-server-'));
  const outboxDir = await mkdtemp(join(tmpdir(), 'pxt-soak-outbox-'));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }), () => rm(outboxDir, { recursive: true, force: true }));
  const server = await spawnServerProcess({ dataDir, token: TOKEN });
  cleanups.push(async () => {
    server.child.kill('SIGTERM');
    await server.exited;
  });
  const { hostname, port } = new URL(server.url);
  await directClient({ host: hostname, port: Number(port), token: TOKEN }).project.createProject({ name: PROJECT });
  const proxy = await startFaultProxy(server.url);
  cleanups.push(() => proxy.close());
  proxy.randomFaults({ rate: FAULT_RATE, seed: SEED, actions: FAULTS, match: requests.tracked });
  const settings: ClientSettings = {
    baseUrl: `${proxy.url}/api/v1`,
    token: TOKEN,
    authenticationType: 'Token',
    timeoutMs: 10_000,
    headers: {},
    isManaged: false,
    noOp: false,
    isOffline: false,
    verifySsl: true,
  };
  const caps = { maxRecords: 1_000_000, maxBytes: 1024 * 1024 * 1024 };
  const outbox = new Outbox({
    store: openJournalStore({ name: 'soak', caps, directory: outboxDir }),
    settings: () => settings,
    caps,
    flushIntervalMs: 20,
    // As `polyaxon-tracking sync` drains a backlog: bigger batches, so the budget goes to faults
    // and retries rather than to the per-request cost of a loaded two-core machine.
    maxBatchCount: 500,
    baseBackoffMs: 20,
    maxBackoffMs: 150,
    minRetryAfterMs: 20,
    // F03's clamp, tightened: a `Retry-After: 1` waits 150 ms here, or some 25 of them would take 25 s.
    maxRetryAfterMs: 150,
    random: seededRandom(SEED + 1),
  });
  cleanups.push(() => outbox.close({ timeoutMs: 100 }));

  const started = Date.now();
  const runs = Array.from({ length: EXPERIMENTS }, (_, index) => `soak-run-${index}`);
  for (const [index, run] of runs.entries()) {
    outbox.append({
      run,
      kind: 'create',
      body: { target: { user: USER, project: PROJECT }, experiment: { is_managed: false, backend: 'other', name: `soak-${index}` } },
    });
  }
  const logged = runs.map(() => [] as Array<Record<string, number>>);
  for (let step = 0; step < POINTS; step++) {
    for (const [index, run] of runs.entries()) {
      const values = { step, loss: (index + 1) / (step + 1) };
      outbox.append({ run, kind: 'metrics', body: { values, created_at: pythonDatetime(Date.now()) } });
      logged[index].push(values);
    }
    // A training loop yields now and then; the sender works meanwhile.
    if (step % 500 === 499) await new Promise((resolve) => setImmediate(resolve));
  }

  const appendedAt = Date.now();
  const delivered = await outbox.flush({ timeoutMs: BUDGET_MS - (Date.now() - started) });
  const elapsedMs = Date.now() - started;
  const loggedMs = appendedAt - started;
  const tracked = proxy.log.filter(requests.tracked);
  const faulted = tracked.filter((request) => request.action !== 'pass');
  const counts = proxy.counts();
  const serverMs = tracked.reduce((sum, request) => sum + (request.action === 'respond' ? 0 : (request.doneAt ?? request.at) - request.at), 0);
  console.info(
    `soak: ${EXPERIMENTS}×${POINTS} points logged in ${seconds(loggedMs)}, delivered after ${seconds(elapsedMs)} ` +
      `(the server took ${seconds(serverMs)} of it); ${tracked.length} tracking requests, ${faulted.length} faulted ` +
      `${JSON.stringify(counts)}, ${faulted.filter((request) => request.status === 429).length} of them 429`,
  );
  expect(delivered).toBe(true);
  expect(elapsedMs).toBeLessThan(BUDGET_MS);

  const stats = outbox.stats();
  expect(stats.dropped).toEqual(Object.fromEntries(DROP_REASONS.map((reason) => [reason, 0])));
  expect(stats.sent).toBe(EXPERIMENTS * (POINTS + 1));
  expect(faulted.length / tracked.length).toBeGreaterThan(0.1);
  expect(counts['drop-after-forward']).toBeGreaterThan(0);

  const ids = await Promise.all(runs.map((run) => outbox.whenCreated(run)));
  expect(new Set(ids).size).toBe(EXPERIMENTS);
  const checkStarted = Date.now();
  for (const [index, id] of ids.entries()) {
    expect(await storedMetrics({ url: server.url, token: TOKEN }, id, `${USER}/${PROJECT}`)).toEqual(logged[index]);
  }
  console.info(`soak: the server's ${EXPERIMENTS * POINTS} points read back and compared in ${seconds(Date.now() - checkStarted)}`);
}, 60_000);

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
