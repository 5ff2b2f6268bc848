/**
 * Delivery of 100,000 metric points to the local server over loopback (issue 3): the outbox's
 * batching against one request per point, same server, same run.
 *
 * - batched: `logMetrics` x 100k in a training-loop shape (1,000 calls, then a turn of the event
 *   loop), then `flush()`; timed from the first call to the flush resolving, and checked against
 *   what the server holds afterwards.
 * - one request per point: `client.experiment.createMetrics` with a one-element array, both
 *   sequential (await each) and with 4 requests in flight. Bounded in time: measured on a sample
 *   (up to 5,000 points or 4 s) and extrapolated to 100k (labelled as such). The sequential
 *   sample runs before the batched side and the concurrent one after, so drift in machine load
 *   hits both sides. The server's metrics throttle is off (see lib/local-server.mjs).
 * The ratio uses the faster of the two per-point variants.
 */
import { finish, point, runningExperiment, ensureProject } from './lib/experiment.mjs';
import { metricCount, PROJECT, startLocalServer } from './lib/local-server.mjs';
import { nextTurn, now, progress, result } from './lib/measure.mjs';

const POINTS = 100_000;
const CHUNK = 1_000;
/** The per-point sample stops at this many points or this much time, whichever comes first. */
const PER_POINT_MAX_SAMPLE = 5_000;
const PER_POINT_BUDGET_MS = 4_000;
const PER_POINT_WARMUP = 50;
const CONCURRENCY = 4;
const FLUSH_TIMEOUT_MS = 120_000;
const TARGET_SPEEDUP = 20;

/** Python `str(datetime)` in UTC, as the library sends it. */
function createdAt() {
  return new Date().toISOString().replace('T', ' ').replace('Z', '000+00:00');
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

async function perPoint(local, name, concurrency) {
  const experiment = await local.client.project.createExperiment(local.server.user, PROJECT, { name });
  const warmup = await perPointSample(local, experiment.id, { maxPoints: PER_POINT_WARMUP, budgetMs: PER_POINT_BUDGET_MS, concurrency });
  const sample = await perPointSample(local, experiment.id, { maxPoints: PER_POINT_MAX_SAMPLE, budgetMs: PER_POINT_BUDGET_MS, concurrency });
  const held = await metricCount(local, experiment.id);
  if (held !== warmup.points + sample.points) throw new Error(`per-point ${name}: the server holds ${held} of ${warmup.points + sample.points} points`);
  return sample;
}

async function batched(local) {
  const experiment = await runningExperiment(local, { name: 'bench-batched' });
  const start = now();
  for (let step = 0; step < POINTS; ) {
    for (const end = Math.min(POINTS, step + CHUNK); step < end; step++) experiment.logMetrics(point(step));
    await nextTurn();
  }
  const delivered = await experiment.flush({ timeoutMs: FLUSH_TIMEOUT_MS });
  const seconds = (now() - start) / 1000;
  if (!delivered) throw new Error(`batched delivery did not finish within ${FLUSH_TIMEOUT_MS} ms`);
  const held = await metricCount(local, experiment.id);
  if (held !== POINTS) throw new Error(`batched delivery: the server holds ${held} of ${POINTS} points`);
  const stats = experiment.stats().outbox;
  await finish(experiment);
  return { seconds, rate: POINTS / seconds, stats };
}

export const deliveryBench = {
  name: 'delivery',
  summary: '100k metric points to the local server: outbox batching vs one request per point',
  target: 'batching >= 20x faster than one request per point (issue 3)',
  async run() {
    const local = await startLocalServer();
    try {
      await ensureProject(local);
      const sampleText = `sample of up to ${PER_POINT_MAX_SAMPLE.toLocaleString('en-US')} points or ${PER_POINT_BUDGET_MS / 1000} s`;
      progress(`delivery: one request per point, sequential, ${sampleText}`);
      const sequential = await perPoint(local, 'bench-per-point-sequential', 1);
      progress(`delivery: outbox batching, ${POINTS.toLocaleString('en-US')} points`);
      const batch = await batched(local);
      progress(`delivery: one request per point, ${CONCURRENCY} in flight, ${sampleText}`);
      const concurrent = await perPoint(local, 'bench-per-point-concurrent', CONCURRENCY);

      const fastest = Math.max(sequential.rate, concurrent.rate);
      const speedup = batch.rate / fastest;
      const sampled = (sample) =>
        `measured on ${sample.points.toLocaleString('en-US')} points after ${PER_POINT_WARMUP} warm-up; extrapolated to 100k: ${(POINTS / sample.rate).toFixed(0)} s`;
      return {
        rows: [
          result('batched, 100k points', batch.rate, 'points/s', {
            note: `${batch.seconds.toFixed(2)} s from the first logMetrics to flush() resolving; server holds all ${POINTS.toLocaleString('en-US')}; server throttle off`,
          }),
          result('1 request/point, sequential', sequential.rate, 'points/s', { note: sampled(sequential) }),
          result(`1 request/point, ${CONCURRENCY} in flight`, concurrent.rate, 'points/s', { note: sampled(concurrent) }),
          result('batching speedup', speedup, 'x', {
            target: `>= ${TARGET_SPEEDUP}`,
            pass: speedup >= TARGET_SPEEDUP,
            note: `batched rate over the faster per-point variant (${fastest === sequential.rate ? 'sequential' : `${CONCURRENCY} in flight`})`,
          }),
        ],
      };
    } finally {
      await local.close();
    }
  },
};
