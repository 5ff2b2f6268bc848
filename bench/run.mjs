/**
 * The benchmark suite: `npm run bench` (build, then this file) against the built package in dist/.
 *
 *   node bench/run.mjs [--only <name>[,<name>...]] [--json] [--profile]
 *
 * --only     runs the named benches (throughput, logMetrics, delivery, journal, replay, iife, tfjs-node,
 *            tfjs-chromium, idb-queue, idb-next-load, idb-layout, server-scale, dashboard)
 * --json     prints one JSON document on stdout instead of the table (progress stays on stderr)
 * --profile  adds a CPU profile summary to the logMetrics bench even when it meets its targets
 *
 * Speed goals are ratios of things measured side by side in the same run, or medians over rounds
 * after a warm-up: absolute times on a small shared machine are noisy. Every bench states its
 * target; the table gives pass/FAIL per figure and a verdict per bench. Exits 1 when a bench could
 * not run; a missed target is reported, not an error. The Chromium benches need Chromium at
 * /usr/bin/chromium or CHROMIUM_PATH.
 */
import { cpus, loadavg, release, totalmem } from 'node:os';
import { dashboardBench } from './dashboard.mjs';
import { deliveryBench } from './delivery.mjs';
import { idbLayoutBench } from './idb-layout.mjs';
import { idbNextLoadBench } from './idb-next-load.mjs';
import { idbQueueBench } from './idb-queue.mjs';
import { iifeSizeBench } from './iife-size.mjs';
import { journalBench } from './journal.mjs';
import { logMetricsBench } from './log-metrics.mjs';
import { now } from './lib/measure.mjs';
import { renderTable, renderVerdicts } from './lib/report.mjs';
import { replayBench } from './replay.mjs';
import { serverScaleBench } from './server-scale.mjs';
import { tfjsChromiumBench } from './tfjs-chromium.mjs';
import { tfjsNodeBench } from './tfjs-node.mjs';
import { throughputBench } from './throughput.mjs';

const BENCHES = [throughputBench, logMetricsBench, deliveryBench, journalBench, replayBench, iifeSizeBench, tfjsNodeBench, tfjsChromiumBench, idbQueueBench, idbNextLoadBench, idbLayoutBench, serverScaleBench, dashboardBench];

/** A bench passes when every figure with a target meets it; it fails when one misses or it could not run. */
function verdict(bench) {
  if (bench.error) return false;
  const judged = bench.rows.filter((row) => row.pass !== null);
  return judged.length === 0 ? null : judged.every((row) => row.pass);
}

function parseArgs(argv) {
  const options = { json: false, profile: false, only: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--json') options.json = true;
    else if (arg === '--profile') options.profile = true;
    else if (arg === '--only' || arg.startsWith('--only=')) {
      const value = arg === '--only' ? argv[++i] : arg.slice('--only='.length);
      if (!value) throw new Error('--only needs a bench name');
      options.only = value.split(',').map((name) => name.trim());
    } else if (arg === '--help' || arg === '-h') {
      options.help = true;
    } else {
      throw new Error(`unknown option ${arg}`);
    }
  }
  return options;
}

function machine() {
  const cores = cpus();
  return {
    cores: cores.length,
    cpu: cores[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    os: `${process.platform} ${release()}`,
    loadAverage1m: Number(loadavg()[0].toFixed(2)),
  };
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  if (options.help) {
    process.stdout.write(`Usage: node bench/run.mjs [--only <name>[,<name>...]] [--json] [--profile]\nBenches: ${BENCHES.map((bench) => bench.name).join(', ')}\n`);
    return 0;
  }
  const unknown = (options.only ?? []).filter((name) => !BENCHES.some((bench) => bench.name === name));
  if (unknown.length > 0) throw new Error(`unknown bench ${unknown.join(', ')}; benches: ${BENCHES.map((bench) => bench.name).join(', ')}`);
  const selected = options.only ? BENCHES.filter((bench) => options.only.includes(bench.name)) : BENCHES;

  const startedAt = new Date().toISOString();
  const before = machine();
  const started = now();
  const results = [];
  for (const bench of selected) {
    process.stderr.write(`${bench.name}: ${bench.summary}\n`);
    const benchStarted = now();
    try {
      const outcome = await bench.run({ profileAlways: options.profile });
      results.push({ name: bench.name, target: bench.target, seconds: (now() - benchStarted) / 1000, ...outcome });
    } catch (error) {
      process.stderr.write(`${bench.name} could not run: ${error?.stack ?? error}\n`);
      results.push({ name: bench.name, target: bench.target, seconds: (now() - benchStarted) / 1000, rows: [], error: String(error?.message ?? error) });
    }
    results.at(-1).pass = verdict(results.at(-1));
  }
  const report = {
    command: `node bench/run.mjs ${process.argv.slice(2).join(' ')}`.trim(),
    startedAt,
    seconds: (now() - started) / 1000,
    machine: { ...before, loadAverage1mAtEnd: Number(loadavg()[0].toFixed(2)) },
    benches: results,
  };

  if (options.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    const rows = results.flatMap((bench) =>
      bench.error ? [{ bench: bench.name, name: 'ERROR', value: '', unit: '', target: '', pass: false, note: bench.error }] : bench.rows.map((row) => ({ bench: bench.name, ...row })),
    );
    const m = report.machine;
    const lines = [
      '',
      `polyaxon-tracking benchmarks, ${startedAt}: ${m.cores} cores (${m.cpu}), ${m.memoryGiB} GiB, Node ${m.node}, ${m.os}; load average ${m.loadAverage1m} at start, ${m.loadAverage1mAtEnd} at end; ${report.seconds.toFixed(0)} s`,
      '',
      renderTable(rows),
      '',
      renderVerdicts(results),
    ];
    for (const bench of results) if (bench.details) lines.push('', `${bench.name} profile:`, bench.details);
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  return results.some((bench) => bench.error) ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`bench: ${error?.message ?? error}\n`);
    process.exitCode = 2;
  },
);
