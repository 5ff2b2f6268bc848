/**
 * Replay throughput (issue 4): 100,000 metric records left in the journal by a process killed
 * with SIGKILL, then delivered to the local server by a later process. Target: <= 10 s.
 *
 * The producer (fixtures/replay-producer.mjs) tracks offline, logs the points, makes sure they
 * are in its journal, and is killed. Delivery uses `polyaxon-tracking sync` when dist/cli.mjs has
 * it, else a later process that opens the same queue (fixtures/replay-consumer.mjs: an Experiment
 * on the same server and outbox folder, then `flush()`); the row says which. The time is the
 * delivering process's whole life (start, journal adoption, delivery, exit); the server's data is
 * checked afterwards.
 */
import { metricCount, PROJECT, startLocalServer } from './lib/local-server.mjs';
import { ensureProject } from './lib/experiment.mjs';
import { runNode, runNodeUntilThenKill } from './lib/child.mjs';
import { progress, result } from './lib/measure.mjs';
import { formatSummary, summarise } from './lib/profile.mjs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const POINTS = 100_000;
const TARGET_SECONDS = 10;
const PRODUCER_TIMEOUT_MS = 120_000;
const DELIVERY_TIMEOUT_MS = 120_000;

/** True when the built CLI lists a `sync` command. */
async function cliHasSync() {
  const help = await runNode(['dist/cli.mjs', '--help'], { timeoutMs: 30_000 });
  return /^\s+sync\s/m.test(help.stdout);
}

/** What `sync` printed: `delivered N records to URL in S s; ...` (one line per server). */
function syncReport(stdout) {
  const match = /delivered ([\d,]+) records? to \S+ in ([\d.]+) s/.exec(stdout);
  if (!match) throw new Error(`unexpected output of polyaxon-tracking sync: ${stdout.trim()}`);
  return { delivered: true, sent: Number(match[1].replaceAll(',', '')), inside: `sync's own figure: ${match[2]} s (${stdout.trim()})` };
}

/** What fixtures/replay-consumer.mjs printed. */
function consumerReport(stdout) {
  const report = JSON.parse(stdout.trim().split('\n').at(-1));
  return { ...report, inside: `open to flushed inside the process: ${(report.openToFlushedMs / 1000).toFixed(2)} s` };
}

/** Self time per function in the delivering process, from the profile `--cpu-prof` wrote. */
async function summariseProfiles(directory) {
  try {
    const [file] = (await readdir(directory)).filter((name) => name.endsWith('.cpuprofile'));
    if (!file) return 'no CPU profile was written';
    const cpuProfile = JSON.parse(await readFile(join(directory, file), 'utf8'));
    return formatSummary('Where the delivering process spends its time (self time, whole process)', summarise(cpuProfile, { top: 25 }));
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

export const replayBench = {
  name: 'replay',
  summary: '100k records left by a SIGKILLed process, delivered by a later process',
  async run({ profileAlways = false } = {}) {
    const local = await startLocalServer();
    try {
      await ensureProject(local);
      const { server } = local;
      const settings = { host: server.host, port: server.port, token: server.token, user: server.user, project: PROJECT, directory: local.outboxDirectory };

      progress(`replay: a child logs ${POINTS.toLocaleString('en-US')} points offline, then is killed with SIGKILL`);
      const ready = await runNodeUntilThenKill(['bench/fixtures/replay-producer.mjs', JSON.stringify({ ...settings, points: POINTS })], 'ready', {
        timeoutMs: PRODUCER_TIMEOUT_MS,
      });
      const leftBehind = Number(ready.line.split(' ')[1]);

      const useSync = await cliHasSync();
      progress(useSync ? 'replay: `polyaxon-tracking sync` (dist/cli.mjs) delivers the queue' : 'replay: a later process opens the same queue and flushes (no sync command in dist/cli.mjs)');
      const profileDirectory = profileAlways ? await mkdtemp(join(tmpdir(), 'polyaxon-bench-prof-')) : undefined;
      const profileFlags = profileDirectory ? ['--cpu-prof', `--cpu-prof-dir=${profileDirectory}`] : [];
      const deliverArgs = useSync
        ? ['dist/cli.mjs', 'sync', '--host', server.host, '--port', String(server.port), '--token', server.token, '--dir', local.outboxDirectory, '--timeout', String(DELIVERY_TIMEOUT_MS / 1000)]
        : ['bench/fixtures/replay-consumer.mjs', JSON.stringify({ ...settings, timeoutMs: DELIVERY_TIMEOUT_MS })];
      const delivery = await runNode([...profileFlags, ...deliverArgs], { timeoutMs: DELIVERY_TIMEOUT_MS + 30_000 });
      const details = profileDirectory ? await summariseProfiles(profileDirectory) : undefined;
      if (delivery.code !== 0) throw new Error(`the delivering process failed (code ${delivery.code})\n${delivery.stdout}\n${delivery.stderr}`);
      const report = useSync ? syncReport(delivery.stdout) : consumerReport(delivery.stdout);

      const experiments = await local.client.project.listExperiments(server.user, PROJECT);
      const replayed = experiments.results.find((experiment) => experiment.name === 'bench-replay');
      const held = replayed ? await metricCount(local, replayed.id) : 0;
      const seconds = delivery.ms / 1000;
      const complete = report.delivered && held === POINTS;
      return {
        rows: [
          result('records left by the killed process', leftBehind, 'records', {
            note: `${POINTS.toLocaleString('en-US')} metrics + create + status, tracked offline, then SIGKILL`,
          }),
          result('replay, whole delivering process', seconds, 's', {
            target: `<= ${TARGET_SECONDS}`,
            pass: complete && seconds <= TARGET_SECONDS,
            note:
              (profileDirectory ? 'PROFILED run (--cpu-prof); ' : '') +
              (useSync
                ? 'delivered by `polyaxon-tracking sync` (dist/cli.mjs), timed from its start to its exit. '
                : 'delivered by a later process opening the same queue (new Experiment + flush): no `polyaxon-tracking sync` in dist/cli.mjs. ') +
              `Server holds ${held.toLocaleString('en-US')} of ${POINTS.toLocaleString('en-US')} points${report.delivered ? '' : '; flush did NOT complete'}`,
          }),
          result('replay throughput', report.sent / seconds, 'records/s', {
            note: `${report.sent.toLocaleString('en-US')} records sent; ${report.inside}`,
          }),
        ],
        details,
      };
    } finally {
      await local.close();
    }
  },
};
