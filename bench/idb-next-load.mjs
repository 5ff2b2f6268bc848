/**
 * The F08 shape in Chromium, through the script-tag build on bench/pages/idb-queue.html: a page
 * offline for its whole run (its create waits in the queue too) logs N points (1,000 calls, then
 * a turn of the event loop) and waits until IndexedDB holds them; the tab is closed; the browser
 * goes online and the next load of the origin opens the queue. Timed from the start of that load
 * until the local server's metrics list counts all N points (polled every 100 ms).
 *
 * Every round runs in a fresh browser context (its own IndexedDB). With BENCH_BASELINE_DIST set to
 * another build's dist/ (e.g. main's), rounds alternate between that build and this one, so the
 * figures are side by side under the same load. When a target is missed (or with --profile), one
 * more round of this build runs under the CPU profilers: the next load's renderer (CDP) and this
 * process (the local server).
 */
import { join } from 'node:path';
import { REPO_ROOT } from './lib/child.mjs';
import { BASELINE_DIST, devtools, openChromium, polyaxonEnv } from './lib/chromium.mjs';
import { startLocalServer } from './lib/local-server.mjs';
import { ensureProject } from './lib/experiment.mjs';
import { metricCount, PROJECT } from './lib/local-server.mjs';
import { now, progress, result, sleep } from './lib/measure.mjs';
import { profile, profileWith } from './lib/profile.mjs';
import { trackingShare } from './lib/tracking-profile.mjs';
import { formatTimeline } from './idb-queue.mjs';

const POINTS = 100_000;
const PROFILED_POINTS = 50_000;
const PER_TURN = 1_000;
/** Rounds per build (IDB_NEXT_LOAD_ROUNDS); the figure is the worst of them. */
const ROUNDS = Number(process.env.IDB_NEXT_LOAD_ROUNDS || 2);
const DELIVER_TIMEOUT_MS = 240_000;
const TARGET_MS = 10_000;
const IIFE = 'polyaxon-tracking.iife.min.js';
/** Outbox options of the rounds besides the caps: the default batches, and larger ones. */
const SHAPES = [
  { label: 'default batches', outbox: {} },
  { label: 'batches up to 10,000 points / 4 MiB', outbox: { maxBatchCount: 10_000, maxBatchBytes: 4 * 1024 * 1024 } },
];
const BUILDS = {
  this: { label: 'this build', iife: `/dist/${IIFE}`, map: join(REPO_ROOT, 'dist', `${IIFE}.map`) },
  baseline: BASELINE_DIST && { label: `baseline (${BASELINE_DIST})`, iife: `/baseline/${IIFE}`, map: join(BASELINE_DIST, `${IIFE}.map`) },
};

async function experimentId(local, name) {
  const page = await local.client.project.listExperiments(local.server.user, PROJECT, { limit: 100 });
  return page.results.find((experiment) => experiment.name === name)?.id;
}

/** Polls the server until it holds `count` points of the run `name`; resolves when it does. */
async function untilServerHolds(local, name, count, deadline) {
  let id;
  for (;;) {
    id ??= await experimentId(local, name);
    const held = id === undefined ? 0 : await metricCount(local, id);
    if (held >= count) return held;
    if (Date.now() > deadline) throw new Error(`idb-next-load: the server holds ${held} of ${count} points of ${name} after ${DELIVER_TIMEOUT_MS} ms`);
    await sleep(100);
  }
}

/**
 * One F08 round with `build`; `profiled` attaches the profilers to the next load. Resolves with
 * the ms of storing offline and of the next load's delivery, and the profiles when taken.
 */
async function round(chromium, local, build, shape, name, points, profiled = false) {
  const outbox = { maxRecords: points + 1_000, ...shape.outbox };
  const context = await chromium.newContext();
  try {
    // A blank tab keeps the context going while the tab that logged is closed (it loads no library).
    await context.newPage();
    const page = await chromium.openPage(`idb-queue.html?iife=${build.iife}`, context);
    await context.setOffline(true);
    await page.evaluate((options) => window.bench.startOffline(options), { project: PROJECT, name, outbox });
    const appended = await page.evaluate(([n, perTurn]) => window.bench.append(0, n, perTurn), [points, PER_TURN]);
    const stored = await page.evaluate(() => window.bench.storedRecords());
    if (stored < points) throw new Error(`idb-next-load: IndexedDB holds ${stored} records after persist, expected at least ${points}`);
    // Closed as a user closes a tab (pagehide runs); setOffline must not meet it half closed.
    const closed = page.waitForEvent('close');
    await page.close({ runBeforeUnload: true });
    await closed;
    await context.setOffline(false);

    const startedAt = now();
    const next = await chromium.openPage(`idb-queue.html?iife=${build.iife}`, context);
    const deadline = Date.now() + DELIVER_TIMEOUT_MS;
    const deliver = async () => {
      await next.evaluate((options) => {
        window.benchTimeline.start();
        window.bench.resume(options);
      }, { project: PROJECT, outbox });
      await untilServerHolds(local, name, points, deadline);
    };
    const profiles = {};
    if (profiled) profiles.page = await profileWith(await devtools(next), async () => (profiles.server = await profile(deliver)));
    else await deliver();
    const deliverMs = now() - startedAt;
    const timeline = await next.evaluate(() => window.benchTimeline.stop());
    await next.close();
    return { appendMs: appended.ms, deliverMs, timeline, profiles };
  } finally {
    await context.close();
  }
}

async function profileText(build, measured) {
  const isIife = (url) => url.endsWith(build.iife);
  const page = await trackingShare(measured.profiles.page, {
    isTrackingUrl: isIife,
    bundleMap: { urlSuffix: build.iife, mapPath: build.map },
    title: `Renderer of the next load (${(measured.deliverMs / 1000).toFixed(2)} s, profiled)`,
    whole: true,
  });
  const server = await trackingShare(measured.profiles.server, { isTrackingUrl: (url) => url.endsWith('/dist/server.mjs'), title: 'Bench process (local server in dist/server.mjs) during the next load', whole: true });
  return [`profiled round of ${PROFILED_POINTS.toLocaleString('en-US')} points: stored offline in ${(measured.appendMs / 1000).toFixed(2)} s, next load delivered in ${(measured.deliverMs / 1000).toFixed(2)} s`, page.text, server.text].join('\n\n');
}

const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;

export const idbNextLoadBench = {
  name: 'idb-next-load',
  summary: `F08 in Chromium: ${POINTS.toLocaleString('en-US')} points logged offline, the tab closed, the next load online delivers them`,
  target: `next load to the server holding all ${POINTS.toLocaleString('en-US')} points <= ${TARGET_MS / 1000} s`,
  async run({ profileAlways = false } = {}) {
    const local = await startLocalServer();
    let chromium;
    try {
      await ensureProject(local);
      chromium = await openChromium(polyaxonEnv(local.server));
      const builds = BUILDS.baseline ? [BUILDS.baseline, BUILDS.this] : [BUILDS.this];
      // Every (build, shape) pair, interleaved round by round so the load falls on all alike.
      const pairs = SHAPES.flatMap((shape) => builds.map((build) => ({ build, shape, rounds: [] })));
      for (let i = 0; i < ROUNDS; i++) {
        for (const pair of pairs) {
          progress(`idb-next-load: round ${i + 1} of ${ROUNDS}, ${pair.build.label}, ${pair.shape.label}: ${POINTS.toLocaleString('en-US')} points offline, then the next load`);
          const measured = await round(chromium, local, pair.build, pair.shape, `next-load-${pairs.indexOf(pair)}-${i}`, POINTS);
          progress(`  stored in ${seconds(measured.appendMs)}, next load delivered in ${seconds(measured.deliverMs)}`);
          pair.rounds.push(measured);
        }
      }
      const rows = pairs.map(({ build, shape, rounds }) => {
        const worst = Math.max(...rounds.map((measured) => measured.deliverMs));
        const mine = build === BUILDS.this;
        return result(`next load delivered all, ${shape.label} (${mine ? 'this build' : 'baseline'})`, worst / 1000, 's', {
          target: mine ? `<= ${TARGET_MS / 1000}` : '',
          pass: mine ? worst <= TARGET_MS : null,
          note: `worst of ${rounds.length}: ${rounds.map((measured) => seconds(measured.deliverMs)).join(', ')}; stored offline in ${rounds.map((measured) => seconds(measured.appendMs)).join(', ')}${mine ? '' : `; ${build.label}`}`,
        });
      });
      const timelines = pairs
        .filter((pair) => pair.build === BUILDS.this)
        .map((pair) => formatTimeline(`next load, ${pair.shape.label}, last round: from resume to the server holding all`, pair.rounds.at(-1).timeline));
      let details = ['Page timelines of the next load, this build (bench/pages/timeline.js):', ...timelines].join('\n');
      if (profileAlways || rows.some((row) => row.pass === false)) {
        progress('idb-next-load: target missed or --profile: one more round of this build (default batches) under the CPU profilers');
        details += `\n\n${await profileText(BUILDS.this, await round(chromium, local, BUILDS.this, SHAPES[0], 'next-load-profiled', PROFILED_POINTS, true))}`;
      }
      const data = pairs.map(({ build, shape, rounds }) => ({ build: build.label, shape: shape.label, rounds: rounds.map(({ appendMs, deliverMs }) => ({ appendMs, deliverMs })) }));
      return { rows, details, data: { points: POINTS, perTurn: PER_TURN, chromium: chromium.version, pairs: data } };
    } finally {
      await chromium?.close();
      await local.close();
    }
  },
};
