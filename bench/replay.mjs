/**
 * Replay throughput (issue 4): 100,000 metric records left in the journal by a process killed
 * with SIGKILL, then delivered to the local server by the built CLI:
 *
 *   node dist/cli.mjs sync --host 127.0.0.1 --port <port> --token <token> --dir <outbox> --timeout 120
 *
 * The producer (fixtures/replay-producer.mjs) tracks offline, logs the points, makes sure they are
 * in its journal, and is killed. `sync` must exit with code 0; the bench reports sync's own time
 * (its summary line: `delivered N records to URL in S s; ...`) and the whole process's time (start
 * to exit: Node start-up, journal adoption, delivery). Target: <= 10 s for both; the server's data
 * is checked afterwards.
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
const SYNC_TIMEOUT_SECONDS = 120;

/** `sync`'s summary line: `delivered N records to URL in S s; M pending; dropped: ...`. */
function syncSummary(stdout) {
  const line = stdout.split('\n').find((text) => text.startsWith('delivered '));
  const match = line && /^delivered ([\d,]+) records? to (\S+) in ([\d.]+) s/.exec(line);
  if (!match) throw new Error(`unexpected output of polyaxon-tracking sync: ${stdout.trim()}`);
  return { line, delivered: Number(match[1].replaceAll(',', '')), url: match[2], seconds: Number(match[3]) };
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

/**
 * A child logs POINTS points offline and is killed; `sync` delivers what it left (under
 * `--cpu-prof` when `profileDirectory` is given). Resolves with the records left, sync's process
 * result and its summary; throws when sync does not exit with code 0.
 */
async function leaveThenSync(local, profileDirectory) {
  const { server } = local;
  const settings = { host: server.host, port: server.port, token: server.token, user: server.user, project: PROJECT, directory: local.outboxDirectory, points: POINTS };
  progress(`replay: a child logs ${POINTS.toLocaleString('en-US')} points offline, then is killed with SIGKILL`);
  const ready = await runNodeUntilThenKill(['bench/fixtures/replay-producer.mjs', JSON.stringify(settings)], 'ready', { timeoutMs: PRODUCER_TIMEOUT_MS });
  const leftBehind = Number(ready.line.split(' ')[1]);

  const profileFlags = profileDirectory ? ['--cpu-prof', `--cpu-prof-dir=${profileDirectory}`] : [];
  const args = [...profileFlags, 'dist/cli.mjs', 'sync', '--host', server.host, '--port', String(server.port), '--token', server.token, '--dir', local.outboxDirectory, '--timeout', String(SYNC_TIMEOUT_SECONDS)];
  progress(`replay: node ${args.join(' ').replace(server.token, '<token>')}`);
  const sync = await runNode(args, { timeoutMs: (SYNC_TIMEOUT_SECONDS + 30) * 1000 });
  if (sync.code !== 0) throw new Error(`polyaxon-tracking sync exited with code ${sync.code} (signal ${sync.signal})\n${sync.stdout}\n${sync.stderr}`);
  return { leftBehind, sync, summary: syncSummary(sync.stdout) };
}

/** Points the server holds for the experiments named `bench-replay`, in all. */
async function replayedPoints(local) {
  const experiments = await local.client.project.listExperiments(local.server.user, PROJECT);
  let held = 0;
  for (const experiment of experiments.results.filter((candidate) => candidate.name === 'bench-replay')) held += await metricCount(local, experiment.id);
  return held;
}

export const replayBench = {
  name: 'replay',
  summary: '100k records left by a SIGKILLed process, delivered by `polyaxon-tracking sync`',
  target: `<= ${TARGET_SECONDS} s for 100,000 records, sync's own time and the whole process`,
  async run({ profileAlways = false } = {}) {
    const local = await startLocalServer();
    try {
      await ensureProject(local);
      const profileDirectory = profileAlways ? await mkdtemp(join(tmpdir(), 'polyaxon-bench-prof-')) : undefined;
      const { leftBehind, sync, summary } = await leaveThenSync(local, profileDirectory);
      const held = await replayedPoints(local);
      if (held !== POINTS) throw new Error(`replay: the server holds ${held} of ${POINTS} points after sync exited with code 0`);
      const processSeconds = sync.ms / 1000;
      const missed = processSeconds > TARGET_SECONDS || summary.seconds > TARGET_SECONDS;

      let details = profileDirectory ? await summariseProfiles(profileDirectory) : undefined;
      if (missed && !profileDirectory) {
        progress('replay: target missed: once more under --cpu-prof, to see where the time goes');
        const again = await mkdtemp(join(tmpdir(), 'polyaxon-bench-prof-'));
        const profiled = await leaveThenSync(local, again);
        details = `profiled rerun: ${profiled.summary.line}; process ${(profiled.sync.ms / 1000).toFixed(2)} s\n${await summariseProfiles(again)}`;
      }
      const profiledNote = profileDirectory ? 'PROFILED run (--cpu-prof); ' : '';
      return {
        rows: [
          result('records left by the killed process', leftBehind, 'records', {
            note: `${POINTS.toLocaleString('en-US')} metrics + create + status, tracked offline, then SIGKILL`,
          }),
          result("sync's own time", summary.seconds, 's', {
            target: `<= ${TARGET_SECONDS}`,
            pass: summary.seconds <= TARGET_SECONDS,
            note: `${profiledNote}from its summary line: "${summary.line}"`,
          }),
          result('sync, whole process', processSeconds, 's', {
            target: `<= ${TARGET_SECONDS}`,
            pass: processSeconds <= TARGET_SECONDS,
            note: `${profiledNote}node dist/cli.mjs sync ... --timeout ${SYNC_TIMEOUT_SECONDS}, start to exit (code 0); the server holds ${held.toLocaleString('en-US')} of ${POINTS.toLocaleString('en-US')} points`,
          }),
          result('replay throughput', summary.delivered / processSeconds, 'records/s', {
            note: `${summary.delivered.toLocaleString('en-US')} records over the whole process; ${(summary.delivered / summary.seconds).toFixed(0)} records/s over sync's own time`,
          }),
        ],
        details,
        data: { leftBehind, held, syncSeconds: summary.seconds, processSeconds, summaryLine: summary.line, delivered: summary.delivered },
      };
    } finally {
      await local.close();
    }
  },
};
