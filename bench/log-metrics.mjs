/**
 * `logMetrics` hot path (issue 3): a created, running experiment on a local server, journal in a
 * temp folder, so each call takes the real path (validation, record, group-commit scheduling).
 * Side by side in the same rounds, order alternating: a bare `array.push` of the same object.
 *
 * On a shared machine a long batch is more likely to be descheduled than a short one, so the push
 * side repeats its batch until it has run as long as the logMetrics batch did: both are exposed
 * to the same interference. Figures are medians over rounds after a warm-up:
 * - call: N synchronous calls between two timestamps (what the training loop pays inline), also
 *   as process CPU time (less sensitive to other load on the machine);
 * - group commit: the turn right after a batch, where its records are written to the journal;
 * - sustained: batches of calls with a turn between each, so group commits and the sender's
 *   delivery run concurrently as they would in a training loop (no target, for context).
 * The queue is flushed between rounds (untimed) so it never nears its cap.
 */
import { finish, point, runningExperiment } from './lib/experiment.mjs';
import { startLocalServer } from './lib/local-server.mjs';
import { median, nextTurn, now, progress, result } from './lib/measure.mjs';
import { formatSummary, inclusiveTimes, profile, summarise } from './lib/profile.mjs';

const CALLS_PER_BATCH = 2_000;
const WARMUP_ROUNDS = 2;
const ROUNDS = 10;
/** Upper bound on push repeats per round (10^7 pushes), whatever the logMetrics batch took. */
const MAX_PUSH_REPEATS = 5_000;
const SUSTAINED_BATCHES = 10;
const SUSTAINED_BATCH_CALLS = 1_000;
const SUSTAINED_ROUNDS = 3;
const PROFILED_ROUNDS = 3;
const FLUSH_TIMEOUT_MS = 60_000;

const TARGET_CALLS_PER_SECOND = 1_000_000;
const TARGET_RATIO_TO_PUSH = 10;

/** Functions whose inclusive time is reported as a share of logMetrics (names as in dist/). */
const HOT_PATH_PARTS = ['validateMetrics', 'pythonDatetime', 'newRecordId', 'getRandomValues', 'utcParts', 'kick'];

function logBatch(experiment) {
  const cpu = process.cpuUsage();
  const start = now();
  for (let i = 0; i < CALLS_PER_BATCH; i++) experiment.logMetrics({ step: i, loss: 1 / (i + 1), acc: i / (i + 100) });
  const ms = now() - start;
  const used = process.cpuUsage(cpu);
  return { ms, cpuMs: (used.user + used.system) / 1000 };
}

/** Pushes batches of the same size until `minMs` has passed; gives ms per batch. */
function pushBatches(sink, minMs) {
  const start = now();
  let repeats = 0;
  let elapsed = 0;
  do {
    for (let i = 0; i < CALLS_PER_BATCH; i++) sink.push({ step: i, loss: 1 / (i + 1), acc: i / (i + 100) });
    sink.length = 0;
    repeats++;
    elapsed = now() - start;
  } while (elapsed < minMs && repeats < MAX_PUSH_REPEATS);
  return { msPerBatch: elapsed / repeats, repeats };
}

async function flushed(experiment) {
  if (!(await experiment.flush({ timeoutMs: FLUSH_TIMEOUT_MS }))) throw new Error('logMetrics bench: flush between rounds timed out');
}

/**
 * One round: both sides in alternating order (push first on odd rounds, sized by the previous
 * round's logMetrics batch), then the group commit's turn, then an untimed flush.
 */
async function round(experiment, sink, index, previousLogMs) {
  let log;
  let push;
  if (index % 2 === 0) {
    log = logBatch(experiment);
    push = pushBatches(sink, log.ms);
  } else {
    push = pushBatches(sink, previousLogMs);
    log = logBatch(experiment);
  }
  const commitStart = now();
  await nextTurn();
  const commitMs = now() - commitStart;
  await flushed(experiment);
  return { logMs: log.ms, logCpuMs: log.cpuMs, pushMs: push.msPerBatch, pushRepeats: push.repeats, commitMs };
}

async function rounds(experiment, sink, count, previousLogMs = 0) {
  const done = [];
  for (let i = 0; i < count; i++) {
    const measured = await round(experiment, sink, i, previousLogMs);
    previousLogMs = measured.logMs;
    done.push(measured);
  }
  return done;
}

async function sustained(experiment) {
  const start = now();
  for (let batch = 0; batch < SUSTAINED_BATCHES; batch++) {
    for (let i = 0; i < SUSTAINED_BATCH_CALLS; i++) experiment.logMetrics(point(i));
    await nextTurn();
  }
  const ms = now() - start;
  await flushed(experiment);
  return ms;
}

async function profileRounds(experiment, sink) {
  const cpuProfile = await profile(() => rounds(experiment, sink, PROFILED_ROUNDS));
  const hot = summarise(cpuProfile, { root: 'logMetrics', top: 14 });
  const commit = summarise(cpuProfile, { root: 'writeAll', top: 10 });
  const inclusive = inclusiveTimes(cpuProfile, ['logMetrics', ...HOT_PATH_PARTS]);
  const total = inclusive.ms.logMetrics || 1;
  const shares = HOT_PATH_PARTS.map((name) => `${name} ${((100 * inclusive.ms[name]) / total).toFixed(1)}%`).join(', ');
  const text = [
    formatSummary('Where a logMetrics call spends its time: self time of each function under logMetrics', hot),
    `Inclusive share of logMetrics (${total.toFixed(0)} ms sampled): ${shares}`,
    formatSummary('Where the group commit spends its time: self time under the outbox writeAll (journal store append)', commit),
  ].join('\n\n');
  return { text, hot, commit, inclusive };
}

export const logMetricsBench = {
  name: 'logMetrics',
  summary: 'logMetrics hot path (3 keys) vs array.push, same rounds',
  target: '>= 1,000,000 calls/s and <= 10x array.push (issue 3)',
  async run({ profileAlways = false } = {}) {
    const local = await startLocalServer();
    try {
      const experiment = await runningExperiment(local, { name: 'bench-hot-path' });
      const sink = [];
      progress(`logMetrics: ${WARMUP_ROUNDS} warm-up + ${ROUNDS} rounds of ${CALLS_PER_BATCH.toLocaleString('en-US')} calls, each beside array.push batches of the same length in time`);
      const warmup = await rounds(experiment, sink, WARMUP_ROUNDS);
      const measured = await rounds(experiment, sink, ROUNDS, warmup.at(-1).logMs);
      const perCall = (ms) => (ms * 1e6) / CALLS_PER_BATCH;
      const callNs = median(measured.map((r) => perCall(r.logMs)));
      const cpuNs = median(measured.map((r) => perCall(r.logCpuMs)));
      const pushNs = median(measured.map((r) => perCall(r.pushMs)));
      const commitNs = median(measured.map((r) => perCall(r.commitMs)));
      const ratios = measured.map((r) => r.logMs / r.pushMs);
      const ratio = median(ratios);

      progress(`logMetrics: sustained, ${SUSTAINED_ROUNDS} x ${SUSTAINED_BATCHES} batches of ${SUSTAINED_BATCH_CALLS.toLocaleString('en-US')} calls`);
      const sustainedMs = [];
      for (let i = 0; i < SUSTAINED_ROUNDS; i++) sustainedMs.push(await sustained(experiment));
      const sustainedNs = (median(sustainedMs) * 1e6) / (SUSTAINED_BATCHES * SUSTAINED_BATCH_CALLS);

      const callsPerSecond = 1e9 / callNs;
      const rows = [
        result('calls/s (3 keys)', callsPerSecond, 'calls/s', {
          target: `>= ${TARGET_CALLS_PER_SECOND.toLocaleString('en-US')}`,
          pass: callsPerSecond >= TARGET_CALLS_PER_SECOND,
        }),
        result('ns per call (wall)', callNs, 'ns', { target: `<= ${1e9 / TARGET_CALLS_PER_SECOND}`, pass: callNs <= 1e9 / TARGET_CALLS_PER_SECOND }),
        result('ns per call (process CPU)', cpuNs, 'ns', { note: 'process.cpuUsage over the same batches: less sensitive to other load on the machine' }),
        result('array.push, same object', pushNs, 'ns', {
          note: `same rounds; repeated until as long as the logMetrics batch (median ${median(measured.map((r) => r.pushRepeats))} x ${CALLS_PER_BATCH.toLocaleString('en-US')} pushes)`,
        }),
        result('logMetrics / push', ratio, 'x', {
          target: `<= ${TARGET_RATIO_TO_PUSH}`,
          pass: ratio <= TARGET_RATIO_TO_PUSH,
          note: `median of per-round ratios (${ratios.map((x) => x.toFixed(0)).join(', ')})`,
        }),
        result('group commit per record', commitNs, 'ns', { note: 'the turn after a batch: its records written to the journal (default fsync policy)' }),
        result('sustained ns per call', sustainedNs, 'ns', {
          note: `calls + group commits + concurrent delivery on one thread, ${(SUSTAINED_BATCHES * SUSTAINED_BATCH_CALLS).toLocaleString('en-US')} points per round, median of ${SUSTAINED_ROUNDS}`,
        }),
      ];
      let details;
      if (profileAlways || rows.some((row) => row.pass === false)) {
        progress(`logMetrics: target missed or --profile: CPU profile of ${PROFILED_ROUNDS} more rounds (node:inspector, 100 us sampling)`);
        details = await profileRounds(experiment, sink);
      }
      await finish(experiment);
      return {
        rows,
        details: details?.text,
        data: details && { hot: details.hot, commit: details.commit, inclusiveMs: details.inclusive.ms },
      };
    } finally {
      await local.close();
    }
  },
};
