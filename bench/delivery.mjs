/**
 * Delivery of 100,000 metric points to the local server over loopback, the server in a process of
 * its own (lib/restartable-server.mjs), side by side in one run:
 *
 * - raw ceiling: what this server takes from a client that does nothing but POST raw, pre-built
 *   5,000-point batches one at a time (20 requests on one kept-alive connection); the outbox's
 *   figures are ratios to it, as the ceiling is the server's.
 * - queued delivery: 100,000 `logMetrics` calls queued (journaled) while the outbox is paused,
 *   then `resume()`: from resume to `flush()` resolving, the server holding all of them.
 * - offline, then up: an experiment created, the server stopped, 100,000 points logged and
 *   journaled, the server started again on the same port: from its first listening moment to the
 *   server holding all of them (polled with a one-point page every 50 ms). This includes the
 *   outbox noticing the server is back.
 * - online: 100,000 calls in a training-loop shape (1,000 calls, then a turn of the event loop),
 *   then `flush()`: from the first call to the flush resolving.
 * Each of these `ROUNDS` times (`DELIVERY_ROUNDS` overrides), medians reported; the ceiling runs
 * first and last in a round, so drift in machine load hits both sides.
 * - one request per point (issue 3): `client.experiment.createMetrics` with a one-element array,
 *   sequential and with 4 in flight, on a sample (up to 5,000 points or 4 s) extrapolated to 100k.
 * The server's metrics throttle is off (see lib/local-server.mjs).
 */
import { finish, point, ensureProject, runningExperiment } from './lib/experiment.mjs';
import { PROJECT } from './lib/local-server.mjs';
import { median, nextTurn, now, progress, result, sleep } from './lib/measure.mjs';
import { startRestartableServer } from './lib/restartable-server.mjs';

const POINTS = 100_000;
const CHUNK = 1_000;
const RAW_BATCH = 5_000;
const ROUNDS = Number(process.env.DELIVERY_ROUNDS ?? 3);
/** The per-point sample stops at this many points or this much time, whichever comes first. */
const PER_POINT_MAX_SAMPLE = 5_000;
const PER_POINT_BUDGET_MS = 4_000;
const PER_POINT_WARMUP = 50;
const CONCURRENCY = 4;
const FLUSH_TIMEOUT_MS = 120_000;
const POLL_MS = 50;
const TARGET_SPEEDUP = 20;
const TARGET_CEILING_SHARE = 0.7;
const TARGET_AFTER_UP_SECONDS = 3;

let experiments = 0;
const uniqueName = (prefix) => `${prefix}-${++experiments}`;

/** Python `str(datetime)` in UTC, as the library sends it. */
function createdAt() {
  return new Date().toISOString().replace('T', ' ').replace('Z', '000+00:00');
}

/** Logs POINTS points in a training-loop shape. */
async function logPoints(experiment) {
  for (let step = 0; step < POINTS; ) {
    for (const end = Math.min(POINTS, step + CHUNK); step < end; step++) experiment.logMetrics(point(step));
    await nextTurn();
  }
}

async function expectHeld(local, experimentId, side) {
  const held = await local.heldPoints(experimentId);
  if (held !== POINTS) throw new Error(`${side}: the server holds ${held} of ${POINTS} points`);
}

/** The server's raw ceiling: pre-built 5,000-point bodies POSTed one at a time. */
async function rawCeiling(local) {
  const experiment = await local.client.project.createExperiment(local.server.user, PROJECT, { name: uniqueName('bench-raw') });
  const bodies = [];
  for (let first = 0; first < POINTS; first += RAW_BATCH) {
    bodies.push(JSON.stringify(Array.from({ length: RAW_BATCH }, (_, i) => ({ values: point(first + i), created_at: createdAt() }))));
  }
  const start = now();
  for (const body of bodies) await local.postMetrics(experiment.id, body);
  const seconds = (now() - start) / 1000;
  await expectHeld(local, experiment.id, 'raw ceiling');
  return POINTS / seconds;
}

/** Queued while paused, then resumed: the outbox's delivery alone. */
async function queuedDelivery(local) {
  const experiment = await runningExperiment(local, { name: uniqueName('bench-queued') });
  experiment.queue.pause();
  await logPoints(experiment);
  await experiment.queue.persist();
  const start = now();
  experiment.queue.resume();
  return flushedRate(local, experiment, start, 'queued delivery');
}

/** Points/s from `start` until `flush()` resolves with the server holding all of them; ends the run. */
async function flushedRate(local, experiment, start, side) {
  const delivered = await experiment.flush({ timeoutMs: FLUSH_TIMEOUT_MS });
  const seconds = (now() - start) / 1000;
  if (!delivered) throw new Error(`${side} did not finish within ${FLUSH_TIMEOUT_MS} ms`);
  await expectHeld(local, experiment.id, side);
  await finish(experiment);
  return POINTS / seconds;
}

/** Journaled while the server is down; seconds from the server listening again to all held. */
async function offlineThenUp(local) {
  const experiment = await runningExperiment(local, { name: uniqueName('bench-offline') });
  await local.stop();
  await logPoints(experiment);
  await experiment.queue.persist();
  await local.start();
  const start = now();
  while ((await local.heldPoints(experiment.id)) < POINTS) {
    if (now() - start > FLUSH_TIMEOUT_MS) throw new Error(`offline, then up: not delivered within ${FLUSH_TIMEOUT_MS} ms`);
    await sleep(POLL_MS);
  }
  const seconds = (now() - start) / 1000;
  await finish(experiment);
  return seconds;
}

/** From the first call to `flush()` resolving, the server up all along. */
async function online(local) {
  const experiment = await runningExperiment(local, { name: uniqueName('bench-online') });
  const start = now();
  await logPoints(experiment);
  return flushedRate(local, experiment, start, 'online delivery');
}

/**
 * Sends one point per request until `maxPoints` are sent or `budgetMs` has passed (a bounded
 * sample); gives the count sent and the rate.
 */
async function perPointSample(local, experimentId, { maxPoints, budgetMs, concurrency }) {
  const { client, server } = local;
  const start = now();
  let next = 0;
  const send = async () => {
    while (next < maxPoints && now() - start < budgetMs) {
      const step = next++;
      await client.experiment.createMetrics(server.user, PROJECT, experimentId, [{ values: point(step), created_at: createdAt() }]);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, send));
  return { points: next, rate: next / ((now() - start) / 1000) };
}

async function perPoint(local, concurrency) {
  const experiment = await local.client.project.createExperiment(local.server.user, PROJECT, { name: uniqueName('bench-per-point') });
  const warmup = await perPointSample(local, experiment.id, { maxPoints: PER_POINT_WARMUP, budgetMs: PER_POINT_BUDGET_MS, concurrency });
  const sample = await perPointSample(local, experiment.id, { maxPoints: PER_POINT_MAX_SAMPLE, budgetMs: PER_POINT_BUDGET_MS, concurrency });
  const held = await local.heldPoints(experiment.id);
  if (held !== warmup.points + sample.points) throw new Error(`per-point, ${concurrency} in flight: the server holds ${held} of ${warmup.points + sample.points} points`);
  return sample;
}

const rate = (value) => `${Math.round(value).toLocaleString('en-US')} points/s`;

export const deliveryBench = {
  name: 'delivery',
  summary: '100k metric points to the local server (own process): outbox against the raw ceiling and one request per point',
  target: `queued delivery >= ${TARGET_CEILING_SHARE}x the raw ceiling; offline 100k on the server <= ${TARGET_AFTER_UP_SECONDS} s after it is up; batching >= ${TARGET_SPEEDUP}x one request per point`,
  async run() {
    const local = await startRestartableServer();
    try {
      await ensureProject(local);
      const rounds = [];
      for (let round = 1; round <= ROUNDS; round++) {
        progress(`delivery: round ${round} of ${ROUNDS}: raw ceiling, queued, offline then up, online, raw ceiling`);
        const ceilingBefore = await rawCeiling(local);
        const queued = await queuedDelivery(local);
        const afterUpSeconds = await offlineThenUp(local);
        const onlineRate = await online(local);
        const ceilingAfter = await rawCeiling(local);
        const ceiling = (ceilingBefore + ceilingAfter) / 2;
        rounds.push({ ceiling, queued, afterUpSeconds, onlineRate, queuedShare: queued / ceiling, offlineShare: POINTS / afterUpSeconds / ceiling });
      }
      const pick = (field) => median(rounds.map((round) => round[field]));
      const sampleText = `sample of up to ${PER_POINT_MAX_SAMPLE.toLocaleString('en-US')} points or ${PER_POINT_BUDGET_MS / 1000} s`;
      progress(`delivery: one request per point, sequential, ${sampleText}`);
      const sequential = await perPoint(local, 1);
      progress(`delivery: one request per point, ${CONCURRENCY} in flight, ${sampleText}`);
      const concurrent = await perPoint(local, CONCURRENCY);

      const ceiling = pick('ceiling');
      const queuedShare = pick('queuedShare');
      const afterUp = pick('afterUpSeconds');
      const worstAfterUp = Math.max(...rounds.map((round) => round.afterUpSeconds));
      const fastest = Math.max(sequential.rate, concurrent.rate);
      const speedup = pick('onlineRate') / fastest;
      const note = `median of ${ROUNDS} rounds`;
      const sampled = (sample) =>
        `measured on ${sample.points.toLocaleString('en-US')} points after ${PER_POINT_WARMUP} warm-up; extrapolated to 100k: ${(POINTS / sample.rate).toFixed(0)} s`;
      return {
        rows: [
          result('raw ceiling: 5,000-point POSTs', ceiling, 'points/s', { note: `${note}; pre-built bodies, one at a time, before and after the outbox sides of each round` }),
          result('queued delivery (resume to flush)', pick('queued'), 'points/s', { note: `${note}; 100k journaled while paused` }),
          result('queued delivery / raw ceiling', queuedShare, 'x', { target: `>= ${TARGET_CEILING_SHARE}`, pass: queuedShare >= TARGET_CEILING_SHARE, note: 'same round, same server' }),
          result('offline 100k, server up to all held', afterUp, 's', {
            target: `<= ${TARGET_AFTER_UP_SECONDS}`,
            pass: worstAfterUp <= TARGET_AFTER_UP_SECONDS,
            note: `${note}, worst ${worstAfterUp.toFixed(2)} s (judged); includes noticing the server is back; ${rate(POINTS / afterUp)}, ${pick('offlineShare').toFixed(2)}x the ceiling`,
          }),
          result('online, first call to flush', pick('onlineRate'), 'points/s', { note: `${note}; training-loop shape` }),
          result('1 request/point, sequential', sequential.rate, 'points/s', { note: sampled(sequential) }),
          result(`1 request/point, ${CONCURRENCY} in flight`, concurrent.rate, 'points/s', { note: sampled(concurrent) }),
          result('batching speedup (online)', speedup, 'x', {
            target: `>= ${TARGET_SPEEDUP}`,
            pass: speedup >= TARGET_SPEEDUP,
            note: `online rate over the faster per-point variant (${fastest === sequential.rate ? 'sequential' : `${CONCURRENCY} in flight`})`,
          }),
        ],
        data: { rounds, sequential, concurrent },
      };
    } finally {
      await local.close();
    }
  },
};
