import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { closeTab, expectPointsInOrder, hideTab, nextLoadDrained, openOutboxPage, outboxPage, projectWatched, queueSettled, spilledRecords, storedRecords } from './outbox-page';
import { isMetricsPost } from './server-traffic';

/**
 * A lease lasts the 30 s request timeout plus 6 s (src/outbox/sender.ts). A page that goes away notes
 * its leases and the next claimer releases them (src/browser/page-close/exit-leases.ts): a batch sent again
 * before its claim's lease would have ended was released, not waited out.
 */
const LEASE_MS = 36_000;
/** How long a queue may take to drain on a loaded machine. */
const LEASE_RUNS_OUT_MS = 60_000;

/** The Fetch Standard's budget for a page's in-flight keepalive bodies, and the exit send's request limit. */
const KEEPALIVE_BUDGET_BYTES = 65_536;
const EXIT_MAX_REQUESTS = 8;

/** Points logged between two yields to the page (a zero timeout), so it still handles its events. */
const POINTS_PER_YIELD = 25;
/** A bound on the logging loop; the reload ends it long before. */
const MAX_POINTS = 1_000_000;

/**
 * Logs points as fast as the page can (training that never waits for the queue), from `first`
 * until the page goes away; at `pagehide` the next step is kept where `nextStepBeforeUnload` reads it.
 */
function logWithoutPause(page: Page, first: number): Promise<void> {
  return page.evaluate(
    ([from, perYield, maxPoints]) => {
      let step = from;
      addEventListener('pagehide', () => sessionStorage.setItem('outboxPage.nextStep', String(step)));
      void (async () => {
        while (step < from + maxPoints) {
          (window as any).outboxPage.log(step, perYield);
          step += perYield;
          await new Promise((resolve) => setTimeout(resolve, 0));
        }
      })();
    },
    [first, POINTS_PER_YIELD, MAX_POINTS] as const,
  );
}

test.describe('page reloads and closed tabs', () => {
  test('F10 reload mid-training: nothing logged before the reload is lost, the cut-off batch is resent under the same Idempotency-Key and stored once', async ({
    context,
    polyaxonServer,
  }) => {
    // Waits out a lease (about 40 s) on top of the run itself; a loaded CI machine needs the margin.
    test.setTimeout(180_000);
    const { server, traffic } = await projectWatched(context, polyaxonServer, 'f10');
    const page = await openOutboxPage(context);
    const outbox = { flushIntervalMs: 200 };
    const { id } = await outboxPage.start(page, { project: 'f10', name: 'reloaded', outbox });
    expect(id).toEqual(expect.any(Number));

    // The server stores this batch, but its answer never reaches the page (lost with the reload).
    const cutOff = traffic.holdNext(isMetricsPost, { forward: true });
    await logWithoutPause(page, 0);
    const held = await cutOff;
    // Training goes on while that request hangs; then the tab is reloaded, logging to the end.
    await page.waitForTimeout(500);
    await page.reload();

    const logged = await outboxPage.nextStepBeforeUnload(page);
    expect(logged).toBeGreaterThan(held.points);
    await outboxPage.resume(page, { project: 'f10', timeoutMs: 1_000, outbox });
    await expect.poll(async () => (await storedRecords(page)).count, { timeout: LEASE_RUNS_OUT_MS, intervals: [500] }).toBe(0);

    // Lost, then sent again by the reloading page's keepalive (when Playwright's routes see it)
    // and by the next load, which released the page's noted lease instead of waiting it out.
    const resent = traffic.seen.filter((request) => request.idempotencyKey === held.idempotencyKey);
    expect(resent[0]).toMatchObject({ outcome: 'lost', points: held.points });
    expect(resent.slice(1).map((request) => [request.outcome, request.points])).toContainEqual(['passed', held.points]);
    expect(resent.slice(1).every((request) => request.outcome === 'passed' && request.points === held.points)).toBe(true);
    expect(resent.length).toBeLessThanOrEqual(3);
    expect(resent.at(-1)!.atMs).toBeLessThan(held.atMs + LEASE_MS);
    expectPointsInOrder(await server.metrics('f10', id!), 0, logged!);
    expect((await server.statuses('f10', id!)).at(-1)).toMatchObject({ status: 'stopped', message: 'page closed' });
  });

  test('F11 tab closed with records pending, network blocked: persisted at pagehide, nothing gets out, the next load delivers them and the run is stopped', async ({
    context,
    polyaxonServer,
  }) => {
    test.setTimeout(120_000);
    const { server, traffic } = await projectWatched(context, polyaxonServer, 'f11');
    const page = await openOutboxPage(context);
    const { id } = await outboxPage.start(page, { project: 'f11', name: 'closed-tab' });
    expect(await outboxPage.flush(page, 20_000)).toBe(true);

    traffic.setMode('abort');
    const sentBeforeClose = traffic.seen.length;
    // Logged and closed at once: the points are still on their way to IndexedDB when pagehide runs.
    await outboxPage.log(page, 0, 300);
    await closeTab(page);
    const duringClose = traffic.seen.slice(sentBeforeClose);
    expect(duringClose.length).toBeLessThanOrEqual(EXIT_MAX_REQUESTS);
    expect(duringClose.every((request) => request.outcome === 'aborted')).toBe(true);

    // Read with the raw IndexedDB API from a page of the same origin that does not load the library.
    const reader = await context.newPage();
    await reader.goto('/pages/blank.html');
    const stored = await storedRecords(reader, 1);
    // What was written while the page went away waits in localStorage for the next open.
    const spilled = await spilledRecords(reader);
    expect(stored.count + spilled.length).toBe(301);
    expect([...stored.last, ...spilled].at(-1)).toMatchObject({ kind: 'status', body: { status: 'stopped', message: 'page closed' } });
    await reader.close();

    traffic.setMode('pass');
    const next = await nextLoadDrained(context, 'f11', LEASE_RUNS_OUT_MS);
    expectPointsInOrder(await server.metrics('f11', id!), 0, 300);
    const detail = await server.experiment('f11', id!);
    expect(detail.last_status).toBe('stopped');
    expect((await server.statuses('f11', id!)).at(-1)).toMatchObject({ status: 'stopped', message: 'page closed' });
  });

  test('F11 a hidden tab sends what is pending with keepalive within the 64 KiB budget; closed later, the next load sends the rest once', async ({
    context,
    polyaxonServer,
  }) => {
    test.setTimeout(120_000);
    const { server, traffic } = await projectWatched(context, polyaxonServer, 'f11-hidden');
    const page = await openOutboxPage(context);
    // A long flush interval: the points wait in the queue until the tab is hidden.
    const outbox = { flushIntervalMs: 120_000 };
    const { id } = await outboxPage.start(page, { project: 'f11-hidden', name: 'hidden-tab', outbox });
    await queueSettled(page);
    await outboxPage.log(page, 0, 150);
    await expect.poll(async () => (await storedRecords(page)).count).toBe(150);
    const before = traffic.seen.length;

    await hideTab(page);
    await expect.poll(() => traffic.seen.length - before).toBeGreaterThan(0);
    await page.waitForTimeout(500);
    const keepalive = traffic.seen.slice(before);
    expect(keepalive.length).toBeLessThanOrEqual(EXIT_MAX_REQUESTS);
    expect(keepalive.every(isMetricsPost)).toBe(true);
    expect(keepalive.reduce((sum, request) => sum + request.bytes, 0)).toBeLessThanOrEqual(KEEPALIVE_BUDGET_BYTES);
    expect(keepalive.reduce((sum, request) => sum + request.points, 0)).toBe(150);
    // Sent, but a keepalive answer is never read: the records stay leased for the next load.
    expect((await storedRecords(page)).count).toBe(150);
    await expect.poll(async () => (await server.metrics('f11-hidden', id!)).length).toBe(150);

    await closeTab(page);
    const next = await nextLoadDrained(context, 'f11-hidden', LEASE_RUNS_OUT_MS);
    // Sent at hide, again at close (a keepalive the routes do not see once the tab is gone), and
    // by the next load at once: the closed tab's lease was noted and released.
    const resentByNext = traffic.seen.filter((request) => request.page === next && isMetricsPost(request));
    expect(resentByNext.map((request) => request.idempotencyKey)).toEqual(keepalive.map((request) => request.idempotencyKey));
    for (const request of resentByNext) expect(request.atMs).toBeLessThan(keepalive[0].atMs + LEASE_MS);
    expectPointsInOrder(await server.metrics('f11-hidden', id!), 0, 150);
    expect((await server.statuses('f11-hidden', id!)).at(-1)).toMatchObject({ status: 'stopped', message: 'page closed' });
  });
});
