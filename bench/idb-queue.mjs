/**
 * The IndexedDB queue in Chromium (issue 5), through the script-tag build on bench/pages/idb-queue.html:
 * - appended: with the browser offline (Playwright `context.setOffline(true)`: the page gets its
 *   `offline` event and the sender pauses), N `logMetrics` calls in a training-loop shape (1,000
 *   calls, then a turn of the event loop), timed in the page from the first call until every
 *   record is written to IndexedDB (`experiment.queue.persist()`); the count is then checked with
 *   the raw IndexedDB API;
 * - delivered: the browser back online, timed in the page from its `online` event until `flush()`
 *   resolves (every record acknowledged by the server); the server's count is checked after.
 * A warm-up round (smaller) runs first; the local server runs in this process (metrics throttle off).
 * When a target is missed (or with --profile), one more round runs under the CPU profilers: the
 * page's renderer (CDP) for both phases, and this process (the server) while delivering.
 */
import { join } from 'node:path';
import { REPO_ROOT } from './lib/child.mjs';
import { devtools, withBenchPage } from './lib/chromium.mjs';
import { metricCount, PROJECT } from './lib/local-server.mjs';
import { progress, result, sleep } from './lib/measure.mjs';
import { profile, profileWith } from './lib/profile.mjs';
import { trackingShare } from './lib/tracking-profile.mjs';

const POINTS = 20_000;
const WARMUP_POINTS = 2_000;
/** The profiled round is smaller: the profilers slow delivery about threefold. */
const PROFILED_POINTS = 5_000;
const PER_TURN = 1_000;
const TIMEOUT_MS = 180_000;
const IIFE_URL_SUFFIX = '/dist/polyaxon-tracking.iife.min.js';
const IIFE_MAP = { urlSuffix: IIFE_URL_SUFFIX, mapPath: join(REPO_ROOT, 'dist/polyaxon-tracking.iife.min.js.map') };
/**
 * Issue 5 asks for these figures without a target; the suite holds the browser queue to the Node
 * journal's replay target of issue 4 (100,000 records in <= 10 s), for writing and for delivering.
 */
const TARGET_APPENDED_PER_SECOND = 10_000;
const TARGET_DELIVERED_PER_SECOND = 10_000;

/** Waits (bounded) until the page's outbox reports `pausedReason` (or none, with undefined). */
async function untilPaused(page, pausedReason, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { outbox } = await page.evaluate(() => window.bench.stats());
    if (outbox.pausedReason === pausedReason) return outbox;
    if (Date.now() > deadline) throw new Error(`idb-queue: the outbox is paused for ${outbox.pausedReason ?? 'nothing'}, expected ${pausedReason ?? 'nothing'}`);
    await sleep(50);
  }
}

/**
 * One offline append of `count` points from step `first`, then their delivery once back online.
 * `during(phase, work)` wraps each phase ('append', 'deliver'); by default it just runs it.
 */
async function round(page, context, first, count, during = (phase, work) => work()) {
  await context.setOffline(true);
  await untilPaused(page, 'offline');
  await page.evaluate(() => window.benchTimeline.start());
  const appended = await during('append', () => page.evaluate(([from, n, perTurn]) => window.bench.append(from, n, perTurn), [first, count, PER_TURN]));
  const appendTimeline = await page.evaluate(() => window.benchTimeline.stop());
  const stored = await page.evaluate(() => window.bench.storedRecords());
  const { outbox } = await page.evaluate(() => window.bench.stats());
  if (stored < count) throw new Error(`idb-queue: IndexedDB holds ${stored} records after persist, expected at least ${count}`);
  await page.evaluate(() => window.benchTimeline.start());
  await context.setOffline(false);
  const delivered = await during('deliver', () => page.evaluate((timeoutMs) => window.bench.deliverAfterOnline(timeoutMs), TIMEOUT_MS));
  const deliverTimeline = await page.evaluate(() => window.benchTimeline.stop());
  if (!delivered.delivered || !delivered.sawOnline) throw new Error(`idb-queue: ${count} records were not delivered within ${TIMEOUT_MS} ms of going online`);
  return { appendMs: appended.ms, callsMs: appended.callsMs, stored, storage: outbox.storage, deliverMs: delivered.ms, appendTimeline, deliverTimeline };
}

/** The page's timeline of one phase (pages/timeline.js) as text: where its wall time went. */
export function formatTimeline(title, timeline) {
  const share = (ms) => `${((100 * ms) / timeline.wallMs).toFixed(1).padStart(5)}%`;
  const lines = [
    `${title}: ${timeline.wallMs.toFixed(0)} ms wall; covered by IndexedDB transactions ${share(timeline.idbCoveredMs).trim()}, by fetches ${share(timeline.fetchCoveredMs).trim()}, by neither ${share(timeline.wallMs - timeline.eitherCoveredMs).trim()}`,
    '  share of wall  count   median ms  kind (IndexedDB transactions by the operations made in them)',
  ];
  for (const kind of timeline.kinds) {
    lines.push(`  ${share(kind.coveredMs)}       ${String(kind.count).padStart(6)}  ${kind.medianMs.toFixed(2).padStart(9)}  ${kind.label}`);
  }
  return lines.join('\n');
}

/**
 * One more round under the profilers; resolves with the text of where the time went: the
 * renderer's main thread while appending and while delivering, and this process (the local
 * server, plus Playwright's client) while delivering.
 */
async function profiledRound(page, context, first) {
  const send = await devtools(page);
  const profiles = {};
  const during = async (phase, work) => {
    let value;
    profiles[phase] = await profileWith(send, async () => {
      if (phase === 'deliver') profiles.server = await profile(async () => (value = await work()));
      else value = await work();
    });
    return value;
  };
  const measured = await round(page, context, first, PROFILED_POINTS, during);
  const isIife = (url) => url.endsWith(IIFE_URL_SUFFIX);
  const append = await trackingShare(profiles.append, { isTrackingUrl: isIife, bundleMap: IIFE_MAP, title: `Renderer, appending offline (${(measured.appendMs / 1000).toFixed(2)} s)`, whole: true });
  const deliver = await trackingShare(profiles.deliver, { isTrackingUrl: isIife, bundleMap: IIFE_MAP, title: `Renderer, delivering (${(measured.deliverMs / 1000).toFixed(2)} s)`, whole: true });
  const server = await trackingShare(profiles.server, { isTrackingUrl: (url) => url.endsWith('/dist/server.mjs'), title: 'Bench process (local server in dist/server.mjs) while delivering', whole: true });
  return [`profiled round of ${PROFILED_POINTS.toLocaleString('en-US')} points (profilers on, so slower than the measured round): appended ${(measured.appendMs / 1000).toFixed(2)} s, delivered ${(measured.deliverMs / 1000).toFixed(2)} s`, append.text, deliver.text, server.text].join('\n\n');
}

export const idbQueueBench = {
  name: 'idb-queue',
  summary: `IndexedDB queue in Chromium: ${POINTS.toLocaleString('en-US')} records appended offline, then delivered online`,
  target: 'appended and delivered >= 10,000 records/s each (100k in <= 10 s, as replay)',
  async run({ profileAlways = false } = {}) {
    return withBenchPage('idb-queue.html', { timeoutMs: TIMEOUT_MS + 30_000 }, async ({ local, chromium, page }) => {
      const started = await page.evaluate((options) => window.bench.start(options), { project: PROJECT, name: 'bench-idb-queue', maxRecords: 2 * (POINTS + WARMUP_POINTS) });
      if (started.id === undefined || !started.delivered) throw new Error('idb-queue: the page could not create its experiment on the local server');

      progress(`idb-queue: Chromium ${chromium.version}, warm-up round of ${WARMUP_POINTS.toLocaleString('en-US')} points`);
      await round(page, chromium.context, 0, WARMUP_POINTS);
      progress(`idb-queue: ${POINTS.toLocaleString('en-US')} points logged offline into IndexedDB, then delivered online`);
      const measured = await round(page, chromium.context, WARMUP_POINTS, POINTS);
      const held = await metricCount(local, started.id);
      if (held !== WARMUP_POINTS + POINTS) throw new Error(`idb-queue: the server holds ${held} of ${WARMUP_POINTS + POINTS} points`);

      const appendedPerSecond = POINTS / (measured.appendMs / 1000);
      const deliveredPerSecond = POINTS / (measured.deliverMs / 1000);
      let details = [
        'Page timeline of the measured round (IndexedDB transactions and fetches, from bench/pages/timeline.js):',
        formatTimeline('appending offline', measured.appendTimeline),
        formatTimeline('delivering', measured.deliverTimeline),
      ].join('\n');
      if (profileAlways || appendedPerSecond < TARGET_APPENDED_PER_SECOND || deliveredPerSecond < TARGET_DELIVERED_PER_SECOND) {
        progress('idb-queue: target missed or --profile: one more round under the CPU profilers (renderer via CDP, this process via node:inspector)');
        details += `\n\n${await profiledRound(page, chromium.context, WARMUP_POINTS + POINTS)}`;
      }
      await page.evaluate((timeoutMs) => window.bench.finish(timeoutMs), 30_000);
      return {
        details,
        rows: [
          result('appended (offline) to IndexedDB', appendedPerSecond, 'records/s', {
            target: `>= ${TARGET_APPENDED_PER_SECOND.toLocaleString('en-US')}`,
            pass: appendedPerSecond >= TARGET_APPENDED_PER_SECOND,
            note: `${POINTS.toLocaleString('en-US')} logMetrics, ${PER_TURN.toLocaleString('en-US')} per turn, first call to persist() resolved: ${(measured.appendMs / 1000).toFixed(2)} s (the calls themselves: ${measured.callsMs.toFixed(0)} ms); IndexedDB then held ${measured.stored.toLocaleString('en-US')} records; storage: ${measured.storage}`,
          }),
          result('delivered (back online) to the server', deliveredPerSecond, 'records/s', {
            target: `>= ${TARGET_DELIVERED_PER_SECOND.toLocaleString('en-US')}`,
            pass: deliveredPerSecond >= TARGET_DELIVERED_PER_SECOND,
            note: `the page's online event to flush() resolved: ${(measured.deliverMs / 1000).toFixed(2)} s; the server holds all ${(WARMUP_POINTS + POINTS).toLocaleString('en-US')} points (warm-up included)`,
          }),
        ],
        data: { points: POINTS, warmupPoints: WARMUP_POINTS, perTurn: PER_TURN, chromium: chromium.version, ...measured },
      };
    });
  },
};
