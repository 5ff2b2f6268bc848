/**
 * Outbox throughput in Node with the server down: every point goes to the journal and waits there.
 * One child process (bench/fixtures/throughput-child.mjs) per round, so peak RSS is the library's
 * alone. Side by side in that process: the `logMetrics` loop against `array.push` of the same
 * object, and the time until journaled against a floor (`JSON.stringify` of the same records plus
 * one appending write per 4 MiB). Goals: outbox speed and memory (loop >= 1M calls/s and <= 10x
 * push; journaled >= 0.3x the floor; peak RSS <= 400 MB with 1M points queued, none dropped below
 * the journal cap; no event-loop stall > 100 ms after the loop). Then the next process
 * (bench/fixtures/reopen-child.mjs) adopts the journal the killed one left: how long until its
 * queue holds the 1M points, and its peak RSS, against the same memory goal. Then the server
 * comes up again and one more process (bench/fixtures/drain-child.mjs) sends the queue: how long,
 * the longest event-loop stall meanwhile (held to the same 100 ms as after the loop) and its peak
 * RSS. Last, one more process queues the 1M points each in a millisecond of its own (as a slow run
 * logs them), against the same memory goal.
 *
 * With BENCH_BASELINE_DIST set to another build's dist folder, that build runs the same loop child
 * right after this build's (on a server of its own), reopens a copy of the same journal right
 * after this build's, and drains it to the same experiment on the same server: first in odd
 * rounds, second in even ones: measured both ways, whichever build drained first after the
 * restart took about 1.2x as long as the other.
 */
import { spawn } from 'node:child_process';
import { cpSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { REPO_ROOT, runNode } from './lib/child.mjs';
import { ensureProject } from './lib/experiment.mjs';
import { startLocalServerProcess } from './lib/local-server.mjs';
import { median, progress, result } from './lib/measure.mjs';

const POINTS = 1_000_000;
/** Rounds (one child process each); `THROUGHPUT_ROUNDS` overrides, for a loaded machine. */
const ROUNDS = Number(process.env.THROUGHPUT_ROUNDS ?? 3);
const CHILD_TIMEOUT_MS = 900_000;
const TARGET_CALLS_PER_SECOND = 1_000_000;
const TARGET_RATIO_TO_PUSH = 10;
const TARGET_FLOOR_SHARE = 0.3;
const TARGET_PEAK_RSS_MB = 400;
const TARGET_STALL_MS = 100;
const BASELINE_DIST = process.env.BENCH_BASELINE_DIST || undefined;
const REOPEN_TIMEOUT_MS = 600_000;

/** Runs a fixture (`bench/fixtures/<name>.mjs`) with `args` to its end; gives the JSON line it printed. */
async function fixtureFigures(name, args) {
  const { stdout, stderr, code, signal } = await runNode([`bench/fixtures/${name}.mjs`, ...args], { timeoutMs: REOPEN_TIMEOUT_MS });
  const line = stdout.split('\n').find((text) => text.startsWith('{'));
  if (!line) throw new Error(`${name} printed no figures (code ${code}, signal ${signal}): ${stderr.slice(-2000)}`);
  return JSON.parse(line);
}

/** Peak RSS of a process that queued the points each in a millisecond of its own (bench/fixtures/spread-child.mjs). */
async function spreadPeakRss(dist, outboxDirectory) {
  const figures = await fixtureFigures('spread-child', [dist, String(POINTS), outboxDirectory]);
  if (figures.pending < POINTS) throw new Error(`the spread child queued ${figures.pending} of ${POINTS} points`);
  return figures.peakRssMiB * 1.048576;
}

/** A fixture that tracks against `local`'s server on the queue in `outboxDirectory`, `expected` records in it. */
function onQueue(name, dist, local, outboxDirectory, expected) {
  const { host, port, token } = local.server;
  return fixtureFigures(name, [dist, String(expected), host, String(port), token, outboxDirectory]);
}

/** A script on the queue the reopening process left in `outboxDirectory`, with the server up: drains it. */
const drain = (dist, local, outboxDirectory, expected) => onQueue('drain-child', dist, local, outboxDirectory, expected);

/** The next process opens the queue the killed child left in `outboxDirectory` (its server down). */
const reopen = (dist, local, outboxDirectory, expected) => onQueue('reopen-child', dist, local, outboxDirectory, expected);

/** The child queues the points with `local`'s server stopped after its create; gives the child's figures. */
async function queueWithServerDown(local, dist) {
  let child;
  const timer = setTimeout(() => child?.kill('SIGKILL'), CHILD_TIMEOUT_MS);
  try {
    const { host, port, token } = local.server;
    child = spawn(process.execPath, ['bench/fixtures/throughput-child.mjs', String(POINTS), host, String(port), token, local.outboxDirectory, join(local.root, 'floor.jsonl'), dist], {
      cwd: REPO_ROOT,
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const exited = once(child, 'exit');
    let figures;
    for await (const line of createInterface({ input: child.stdout })) {
      if (line === 'created') {
        await local.stopServer();
        child.stdin.write('go\n');
      } else if (line.startsWith('{')) {
        figures = JSON.parse(line);
      }
    }
    await exited;
    if (!figures) throw new Error(`the throughput child (${dist}) printed no figures`);
    return figures;
  } finally {
    clearTimeout(timer);
  }
}

/** `baselineDrainsFirst`: the baseline's drain goes first after the server's restart. */
async function oneRound(baselineDrainsFirst) {
  const local = await startLocalServerProcess();
  try {
    await ensureProject(local);
    const figures = await queueWithServerDown(local, join(REPO_ROOT, 'dist'));
    // Right after, so both loops meet the same machine.
    if (BASELINE_DIST) figures.baselineLoop = await baselineLoop();
    const copy = `${local.outboxDirectory}-baseline`;
    if (BASELINE_DIST) cpSync(local.outboxDirectory, copy, { recursive: true });
    figures.reopen = await reopen(join(REPO_ROOT, 'dist'), local, local.outboxDirectory, figures.points);
    if (BASELINE_DIST) figures.baselineReopen = await reopen(BASELINE_DIST, local, copy, figures.points);
    await local.startServer();
    // The same points from each build, to the same experiment on the same server. The first drain
    // after the restart is the slower one whichever build it is, so the order alternates by round.
    const drainBaseline = async () => {
      if (BASELINE_DIST) figures.baselineDrain = await drain(BASELINE_DIST, local, copy, figures.points);
    };
    if (baselineDrainsFirst) await drainBaseline();
    figures.drain = await drain(join(REPO_ROOT, 'dist'), local, local.outboxDirectory, figures.points);
    if (!baselineDrainsFirst) await drainBaseline();
    return figures;
  } finally {
    await local.close();
  }
}

/** The baseline build's child, the same way, on a server and outbox of its own. */
async function baselineLoop() {
  const local = await startLocalServerProcess();
  try {
    await ensureProject(local);
    return await queueWithServerDown(local, BASELINE_DIST);
  } finally {
    await local.close();
  }
}

function droppedReasons(rounds) {
  const reasons = Object.entries(rounds.at(-1).droppedByReason).filter(([, count]) => count > 0);
  return reasons.length === 0 ? 'none in the last round' : `last round: ${reasons.map(([reason, count]) => `${reason} ${count}`).join(', ')}`;
}

export const throughputBench = {
  name: 'throughput',
  summary: `${POINTS.toLocaleString('en-US')} logMetrics calls with the server down: loop, journal, RSS, stall, drops`,
  target: 'loop >= 1M calls/s and <= 10x push; journaled >= 0.3x floor; peak RSS <= 400 MB (also reopening, draining), no drop; stall <= 100 ms (also draining)',
  async run() {
    const rounds = [];
    for (let i = 0; i < ROUNDS; i++) {
      progress(`throughput: round ${i + 1} of ${ROUNDS} (one child process, ${POINTS.toLocaleString('en-US')} points, server stopped after create)`);
      rounds.push(await oneRound(i % 2 === 1));
    }
    progress('throughput: 1,000,000 points each in a millisecond of its own (one child process)');
    const spreadRoot = await mkdtemp(join(tmpdir(), 'bench-spread-'));
    let spreadRss;
    let baselineSpreadRss;
    try {
      spreadRss = await spreadPeakRss(join(REPO_ROOT, 'dist'), join(spreadRoot, 'current'));
      if (BASELINE_DIST) baselineSpreadRss = await spreadPeakRss(BASELINE_DIST, join(spreadRoot, 'baseline'));
    } finally {
      await rm(spreadRoot, { recursive: true, force: true });
    }
    const pick = (f) => median(rounds.map(f));
    const callsPerSecond = pick((r) => r.points / (r.loopMs / 1000));
    const lateCallsPerSecond = pick((r) => r.latePoints / (r.lateLoopMs / 1000));
    const pageFaultUs = pick((r) => r.pageFaultUs);
    const callerRows = (label, loop, extra = {}) =>
      loop(rounds[0])?.caller
        ? [
            result(`${label}the loop's thread: CPU`, pick((r) => loop(r).caller.cpuMs), 'ms', extra),
            result(`${label}the loop's thread: page faults`, pick((r) => loop(r).caller.faults), 'faults'),
            result(`${label}the loop's thread: ready, waiting for a CPU`, pick((r) => loop(r).caller.runQueueMs), 'ms'),
          ]
        : [];
    const pushRatio = pick((r) => r.loopMs / r.pushMs);
    const journaledPerSecond = pick((r) => r.points / (r.journaledMs / 1000));
    const floorPerSecond = pick((r) => r.points / (r.floorMs / 1000));
    const floorShare = pick((r) => r.floorMs / r.journaledMs);
    const peakRss = Math.max(...rounds.map((r) => r.peakRssMiB * 1.048576));
    const stall = Math.max(...rounds.map((r) => r.longestStallMs));
    const dropped = Math.max(...rounds.map((r) => r.dropped));
    const note = `median of ${ROUNDS} rounds, one process each`;
    const reopenSeconds = pick((r) => r.reopen.openedMs / 1000);
    const reopenRss = Math.max(...rounds.map((r) => r.reopen.peakRssMiB * 1.048576));
    const drainSeconds = pick((r) => r.drain.drainMs / 1000);
    const drainStall = Math.max(...rounds.map((r) => r.drain.longestStallMs));
    const drainRss = Math.max(...rounds.map((r) => r.drain.peakRssMiB * 1.048576));
    const baselineRows = BASELINE_DIST
      ? [
          result('baseline: loop, logMetrics (3 keys)', pick((r) => r.baselineLoop.points / (r.baselineLoop.loopMs / 1000)), 'calls/s', { note: `${BASELINE_DIST}, the same child, right after this build's` }),
          result('baseline: loop, its last fifth alone', pick((r) => r.baselineLoop.latePoints / (r.baselineLoop.lateLoopMs / 1000)), 'calls/s'),
          result('baseline: loop / array.push', pick((r) => r.baselineLoop.loopMs / r.baselineLoop.pushMs), 'x'),
          ...callerRows('baseline: ', (r) => r.baselineLoop),
          result('baseline: peak RSS, 1M points queued', Math.max(...rounds.map((r) => r.baselineLoop.peakRssMiB * 1.048576)), 'MB'),
          result('baseline: longest stall after the loop', Math.max(...rounds.map((r) => r.baselineLoop.longestStallMs)), 'ms'),
          result('baseline: next process adopts the 1M points', pick((r) => r.baselineReopen.openedMs / 1000), 's', { note: `${BASELINE_DIST}, a copy of the same journal, right after` }),
          result('baseline: its peak RSS', Math.max(...rounds.map((r) => r.baselineReopen.peakRssMiB * 1.048576)), 'MB'),
          result('baseline: peak RSS, 1M points a ms apart', baselineSpreadRss, 'MB', { note: BASELINE_DIST }),
          result('baseline: server up, queue drained', pick((r) => r.baselineDrain.drainMs / 1000), 's', { note: `${BASELINE_DIST}, the copy, right after` }),
          result('baseline: longest stall while draining', Math.max(...rounds.map((r) => r.baselineDrain.longestStallMs)), 'ms'),
          result('baseline: its peak RSS while draining', Math.max(...rounds.map((r) => r.baselineDrain.peakRssMiB * 1.048576)), 'MB'),
        ]
      : [];
    return {
      rows: [
        result('loop, logMetrics (3 keys)', callsPerSecond, 'calls/s', { target: '>= 1,000,000', pass: callsPerSecond >= TARGET_CALLS_PER_SECOND, note }),
        result('loop, its last fifth alone', lateCallsPerSecond, 'calls/s', { note: 'past the first calls\' warm-up; the ring (32 MiB) fills only if the writer thread falls behind' }),
        result('first store to a fresh 4 KiB page', pageFaultUs, 'µs', { note: 'this machine: a page fault, minus a store to a mapped page' }),
        ...callerRows('', (r) => r, { note: 'Linux (/proc/thread-self); the rest of the loop waited for room in the ring' }),
        result('loop / array.push, same object', pushRatio, 'x', { target: `<= ${TARGET_RATIO_TO_PUSH}`, pass: pushRatio <= TARGET_RATIO_TO_PUSH, note: 'same process, right after' }),
        result('journaled (first call to persisted)', journaledPerSecond, 'points/s', { note: 'server down: every point is written to the journal' }),
        result('floor: stringify + 4 MiB appends', floorPerSecond, 'points/s', { note: 'same records, same process, after' }),
        result('journaled / floor', floorShare, 'x', { target: `>= ${TARGET_FLOOR_SHARE}`, pass: floorShare >= TARGET_FLOOR_SHARE }),
        result('peak RSS, 1M points queued', peakRss, 'MB', { target: `<= ${TARGET_PEAK_RSS_MB}`, pass: peakRss <= TARGET_PEAK_RSS_MB, note: 'max over rounds (maxRSS of the child)' }),
        result('longest event-loop stall after the loop', stall, 'ms', { target: `<= ${TARGET_STALL_MS}`, pass: stall <= TARGET_STALL_MS, note: 'max over rounds, until journaled + 500 ms' }),
        result('points dropped', dropped, 'points', { target: '0', pass: dropped === 0, note: `default caps; ${droppedReasons(rounds)}` }),
        result('peak RSS, 1M points a ms apart', spreadRss, 'MB', { target: `<= ${TARGET_PEAK_RSS_MB}`, pass: spreadRss <= TARGET_PEAK_RSS_MB, note: 'each point in a millisecond of its own, as a slow run logs them (clock stepped)' }),
        result('next process adopts the 1M points', reopenSeconds, 's', { note: 'the child killed, a new script on the same outbox: start until its queue holds them' }),
        result('its peak RSS', reopenRss, 'MB', { target: `<= ${TARGET_PEAK_RSS_MB}`, pass: reopenRss <= TARGET_PEAK_RSS_MB, note: 'max over rounds (maxRSS of that process)' }),
        result('server up again: the 1M points drained', drainSeconds, 's', { note: 'the queue holding them all until empty, one more process on the same outbox' }),
        result('longest event-loop stall while draining', drainStall, 'ms', { target: `<= ${TARGET_STALL_MS}`, pass: drainStall <= TARGET_STALL_MS, note: 'max over rounds: the journal is rewritten to its live part as acks empty it' }),
        result('its peak RSS while draining', drainRss, 'MB', { target: `<= ${TARGET_PEAK_RSS_MB}`, pass: drainRss <= TARGET_PEAK_RSS_MB }),
        ...baselineRows,
      ],
      data: rounds,
    };
  },
};
