/**
 * The local server at millions of points, side by side in one run:
 * - ingest: points/s into the server vs a trivial HTTP server reading the same bodies (>= 0.15x);
 * - restart until the API answers, at each size (<= 1 s, flat);
 * - RSS after the restart and the reads (<= 200 MiB at the largest size);
 * - listing, detail, last 100 points, series at max_points=2000 (each <= 50 ms);
 * - data folder size per million points (for the README).
 *
 * Sizes and the build are configurable, so a quick run is possible and the JSONL server can be
 * measured the same way:
 *   SERVER_SCALE_POINTS=2000000,10000000   total points at each measuring stop (default)
 *   SERVER_SCALE_DIST=/path/to/dist          the build to measure (default: this repository's dist/)
 * The 10M run takes minutes.
 */
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { REPO_ROOT } from './lib/child.mjs';
import { median, progress, result } from './lib/measure.mjs';
import { BATCH_POINTS, client, rssMiB, sendPoints, startProcess, stopProcess, timeReads } from './lib/scale-load.mjs';

const SIZES = (process.env.SERVER_SCALE_POINTS ?? '2000000,10000000').split(',').map(Number);
const DIST = resolve(process.env.SERVER_SCALE_DIST ?? join(REPO_ROOT, 'dist'));
const EXPERIMENTS = 10;
const CONNECTIONS = 4;
const TRIVIAL_POINTS = 400_000;
const RESTARTS = 3;
const GOAL = { ingestRatio: 0.15, restartMs: 1000, rssMiB: 200, readMs: 50 };
const PROJECT = 'scale';

const millions = (points) => `${points / 1e6}M`;

async function startServer(dataDir) {
  const started = performance.now();
  const { child, info } = await startProcess('bench/fixtures/scale-server.mjs', [DIST, dataDir]);
  const api = client(info.port, info.token, CONNECTIONS);
  await api.json('GET', 'users/');
  return { child, api, info, startMs: performance.now() - started };
}

async function dataBytes(dataDir) {
  let total = 0;
  for (const name of await readdir(dataDir)) if (name !== 'token') total += (await stat(join(dataDir, name))).size;
  return total;
}

async function trivialRate() {
  const { child, info } = await startProcess('bench/fixtures/trivial-server.mjs', []);
  const api = client(info.port, 'none', CONNECTIONS);
  try {
    const per = TRIVIAL_POINTS / CONNECTIONS;
    const jobs = Array.from({ length: CONNECTIONS }, (_, index) => ({ path: `x/y/experiments/${index}`, from: 0, to: per }));
    return await sendPoints(api, jobs, CONNECTIONS);
  } finally {
    api.close();
    await stopProcess(child);
  }
}

/** The reads a page and a chart make, on the experiment with the most points. */
async function measureReads(api, experiments, pointsPerExperiment) {
  const [first] = experiments;
  const path = `local/${PROJECT}/experiments/${first}`;
  const seriesPath = `${path}/metrics/series/?names=loss&max_points=2000`;
  const hasSeries = (await api.send('GET', seriesPath)).status === 200;
  return {
    listing: await timeReads(() => api.json('GET', `local/${PROJECT}/experiments/`)),
    detail: await timeReads(() => api.json('GET', `${path}/`)),
    last100: await timeReads(() => api.json('GET', `${path}/metrics/?offset=${pointsPerExperiment - 100}&limit=100`)),
    series: hasSeries ? await timeReads(() => api.json('GET', seriesPath)) : null,
  };
}

export const serverScaleBench = {
  name: 'server-scale',
  summary: `local server with ${SIZES.map(millions).join(', ')} points (SERVER_SCALE_POINTS), build ${DIST}`,
  target: `ingest >= ${GOAL.ingestRatio}x a trivial server; restart <= ${GOAL.restartMs} ms; RSS <= ${GOAL.rssMiB} MiB; reads <= ${GOAL.readMs} ms`,
  async run() {
    const rows = [];
    progress(`server-scale: trivial HTTP server, ${TRIVIAL_POINTS.toLocaleString('en-US')} points in ${BATCH_POINTS}-point POSTs over ${CONNECTIONS} connections`);
    const trivial = await trivialRate();
    rows.push(result('ingest, trivial HTTP server reading the same bodies', trivial, 'points/s'));

    const root = await mkdtemp(join(tmpdir(), 'pxt-scale-'));
    const dataDir = join(root, 'data');
    let server = await startServer(dataDir);
    try {
      await server.api.json('POST', 'projects/', { name: PROJECT });
      const experiments = [];
      for (let index = 0; index < EXPERIMENTS; index += 1) {
        experiments.push((await server.api.json('POST', `local/${PROJECT}/experiments/`, { is_managed: false, name: `run${index}` })).id);
      }
      let stored = 0;
      for (const size of SIZES) {
        const perExperiment = size / EXPERIMENTS;
        const from = stored / EXPERIMENTS;
        progress(`server-scale: filling to ${millions(size)} points (${EXPERIMENTS} experiments, ${CONNECTIONS} connections)`);
        const jobs = experiments.map((id) => ({ path: `local/${PROJECT}/experiments/${id}`, from, to: perExperiment }));
        let reported = 0;
        const rate = await sendPoints(server.api, jobs, CONNECTIONS, (sent) => {
          if (sent - reported >= 1_000_000) progress(`  ${millions((reported = sent) + stored)} points`);
        });
        rows.push(result(`ingest, local server, ${millions(stored)} to ${millions(size)} points`, rate, 'points/s'));
        rows.push(result(`ingest ratio to the trivial server (${millions(stored)} to ${millions(size)})`, rate / trivial, 'x', { target: `>= ${GOAL.ingestRatio}`, pass: rate / trivial >= GOAL.ingestRatio }));
        stored = size;

        server.api.close();
        await stopProcess(server.child);
        const bytes = await dataBytes(dataDir);
        rows.push(result(`data folder per million points at ${millions(size)}`, bytes / (size / 1e6) / 2 ** 20, 'MiB', { note: `${(bytes / 2 ** 30).toFixed(2)} GiB in all` }));
        progress(`server-scale: ${RESTARTS} restarts at ${millions(size)} points`);
        const restarts = [];
        for (let round = 0; round < RESTARTS; round += 1) {
          if (round > 0) {
            server.api.close();
            await stopProcess(server.child);
          }
          server = await startServer(dataDir);
          restarts.push(server.startMs);
        }
        const restartMs = median(restarts);
        rows.push(result(`restart until the API answers at ${millions(size)}`, restartMs, 'ms', {
          target: `<= ${GOAL.restartMs}`, pass: restartMs <= GOAL.restartMs, note: `median of ${RESTARTS}, from spawning node: ${restarts.map((ms) => ms.toFixed(0)).join(', ')} ms`,
        }));
        const reads = await measureReads(server.api, experiments, perExperiment);
        for (const [name, label] of [['listing', 'experiment list (20)'], ['detail', 'experiment detail'], ['last100', 'last 100 points of a run'], ['series', 'series loss, max_points=2000']]) {
          const timing = reads[name];
          if (!timing) {
            rows.push(result(`${label} at ${millions(size)}`, 'n/a', 'ms', { note: 'this build has no series endpoint' }));
            continue;
          }
          rows.push(result(`${label} at ${millions(size)} (${millions(perExperiment)} in the run)`, timing.median, 'ms', {
            target: `<= ${GOAL.readMs}`, pass: timing.median <= GOAL.readMs, note: `median of 8 after the first (cold: ${timing.cold.toFixed(1)} ms)`,
          }));
        }
        const rss = await rssMiB(server.info.pid);
        const judged = size === SIZES[SIZES.length - 1];
        rows.push(result(`RSS after restart and reads at ${millions(size)}`, rss, 'MiB', judged ? { target: `<= ${GOAL.rssMiB}`, pass: rss <= GOAL.rssMiB } : {}));
      }
    } finally {
      server.api.close();
      await stopProcess(server.child);
      await rm(root, { recursive: true, force: true });
    }
    return { rows };
  },
};

