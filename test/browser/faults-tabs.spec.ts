import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { reportFigure } from './figures';
import { closeTab, expectPointsInOrder, nextLoadDrained, openOutboxPage, outboxPage, projectWatched, queueSettled, spilledRecords, storedRecords } from './outbox-page';
import { isMetricsPost, type SeenRequest } from './server-traffic';

/**
 * A lease lasts the 30 s request timeout plus 6 s (src/outbox/sender.ts); a closing tab notes its
 * leases and the next claimer releases them (src/browser/page-close/exit-leases.ts): a batch sent again before
 * its claim's lease would have ended was released, not waited out.
 */
const LEASE_MS = 36_000;
/** How long a queue may take to drain on a loaded machine. */
const DRAIN_TIMEOUT_MS = 60_000;
/** The Fetch Standard's budget for a page's in-flight keepalive bodies. */
const KEEPALIVE_BUDGET_BYTES = 65_536;

/** `metrics/`, `statuses/`, ... of a request to `user/project/experiments/<id>/...`. */
function endpointOf(request: SeenRequest): string {
  return request.path.replace(/^.*experiments\/\d+\//, '');
}

/** Which experiment a request is for, from its path `user/project/experiments/<id>/...`. */
function experimentOf(request: SeenRequest): number | undefined {
  const match = /experiments\/(\d+)\//.exec(request.path);
  return match ? Number(match[1]) : undefined;
}

test.describe('two tabs share one queue (same origin, same IndexedDB)', () => {
  test('F12 each batch is sent by exactly one tab and every point is stored once', async ({ context, polyaxonServer }) => {
    test.setTimeout(120_000);
    const { server, traffic } = await projectWatched(context, polyaxonServer, 'f12');
    const tabs = [await openOutboxPage(context), await openOutboxPage(context)];
    const outbox = { flushIntervalMs: 100 };
    const ids = await Promise.all(tabs.map(async (tab, index) => (await outboxPage.start(tab, { project: 'f12', name: `tab-${index}`, outbox })).id!));

    // Both tabs log at once, in rounds, so each finds the other's records in the shared queue.
    const ROUNDS = 10;
    const PER_ROUND = 150;
    for (let round = 0; round < ROUNDS; round++) {
      await Promise.all(tabs.map((tab) => outboxPage.log(tab, round * PER_ROUND, PER_ROUND)));
      await tabs[0].waitForTimeout(50);
    }
    await expect.poll(async () => (await storedRecords(tabs[0])).count, { timeout: 60_000, intervals: [500] }).toBe(0);

    const counts = traffic.countsByKey(isMetricsPost);
    expect([...counts.values()].filter((count) => count !== 1)).toEqual([]);
    for (const id of ids) expectPointsInOrder(await server.metrics('f12', id), 0, ROUNDS * PER_ROUND);

    const crossSent = traffic
      .metricsRequests()
      .filter((request) => request.page !== undefined && experimentOf(request) !== ids[tabs.indexOf(request.page as Page)]).length;
    reportFigure(`F12: ${traffic.metricsRequests().length} metrics requests, ${crossSent} of them sent by the tab that did not log them`);
  });

  test('F12 a tab closing mid-send loses nothing: its cut-off batch goes again by keepalive, and at once from the other tab, stored once', async ({
    context,
    polyaxonServer,
  }) => {
    test.setTimeout(120_000);
    const { server, traffic } = await projectWatched(context, polyaxonServer, 'f12-close');
    const leaving = await openOutboxPage(context);
    const outbox = { flushIntervalMs: 100 };
    const leavingRun = await outboxPage.start(leaving, { project: 'f12-close', name: 'leaving', outbox });
    // The server stores the leaving tab's first batch; the answer never reaches that tab. The
    // other tab opens only then, so it cannot have taken that batch itself.
    const cutOff = traffic.holdNext(isMetricsPost, { forward: true });
    await outboxPage.log(leaving, 0, 1_000);
    const held = await cutOff;
    const staying = await openOutboxPage(context);
    const stayingRun = await outboxPage.start(staying, { project: 'f12-close', name: 'staying', outbox });
    await outboxPage.log(staying, 0, 500);
    await closeTab(leaving);
    await outboxPage.log(staying, 500, 500);

    await expect.poll(async () => (await storedRecords(staying)).count, { timeout: DRAIN_TIMEOUT_MS, intervals: [500] }).toBe(0);
    // Lost, then sent again by the staying tab, which found the closed tab's lease noted and
    // released it instead of waiting it out. (The closing tab's own keepalive requests do not pass
    // through the context's routes once the page is gone: the server alone sees them.)
    const sameKey = traffic.seen.filter((request) => request.idempotencyKey === held.idempotencyKey);
    expect(sameKey.map((request) => [request.outcome, request.page === staying])).toEqual([
      ['lost', false],
      ['passed', true],
    ]);
    expect(sameKey[1].atMs).toBeLessThan(held.atMs + LEASE_MS);
    expectPointsInOrder(await server.metrics('f12-close', leavingRun.id!), 0, 1_000);
    expectPointsInOrder(await server.metrics('f12-close', stayingRun.id!), 0, 1_000);
    expect((await server.statuses('f12-close', leavingRun.id!)).at(-1)).toMatchObject({ status: 'stopped', message: 'page closed' });
    expect((await server.experiment('f12-close', stayingRun.id!)).last_status).toBe('running');
  });

  test('F12 a tab closing after the other tab claimed and sent its points does not send them again; the other tab sends what it left; every point stored once', async ({
    context,
    polyaxonServer,
  }) => {
    test.setTimeout(120_000);
    const { server, traffic } = await projectWatched(context, polyaxonServer, 'f12-claimed');
    // The logging tab sends nothing itself (a long flush interval, fewer points than a batch):
    // its points leave only through the other tab, or by its keepalive at close.
    const logging = await openOutboxPage(context);
    const loggingRun = await outboxPage.start(logging, { project: 'f12-claimed', name: 'logging', outbox: { flushIntervalMs: 120_000 } });
    await queueSettled(logging);
    // The other tab cuts smaller batches: keys the logging tab, grouping from memory with its own
    // limits, would not give, so a resend from there would be stored a second time.
    const other = await openOutboxPage(context);
    const smallBatches = { flushIntervalMs: 100, maxBatchCount: 100 };
    const otherRun = await outboxPage.start(other, { project: 'f12-claimed', name: 'other', outbox: smallBatches });
    // The other tab's sender takes the logging tab's points: they come first in the queue.
    const before = traffic.seen.length;
    await outboxPage.log(logging, 0, 150);
    await outboxPage.log(other, 0, 10);
    await expect.poll(async () => (await storedRecords(other)).count, { timeout: DRAIN_TIMEOUT_MS, intervals: [200] }).toBe(0);
    const loggingRequests = () => traffic.seen.slice(before).filter((request) => experimentOf(request) === loggingRun.id);
    expect(loggingRequests().map((request) => [request.page === other, endpointOf(request), request.points])).toEqual([
      [true, 'metrics/', 100],
      [true, 'metrics/', 50],
    ]);

    await closeTab(logging);
    // The other tab, woken by the closing tab's bye, sends what it left: the stopped status.
    await expect.poll(async () => (await server.statuses('f12-claimed', loggingRun.id!)).at(-1), { timeout: DRAIN_TIMEOUT_MS }).toMatchObject({
      status: 'stopped',
      message: 'page closed',
    });
    await expect.poll(async () => (await storedRecords(other)).count, { timeout: DRAIN_TIMEOUT_MS, intervals: [200] }).toBe(0);
    expect(loggingRequests().map((request) => [request.page === other, endpointOf(request)]).at(-1)).toEqual([true, 'statuses/']);
    // The server's truth, keepalive requests included (the routes do not see those of a closed tab).
    expectPointsInOrder(await server.metrics('f12-claimed', loggingRun.id!), 0, 150);
    expectPointsInOrder(await server.metrics('f12-claimed', otherRun.id!), 0, 10);
  });
});

test.describe('a closed tab sends in its pagehide listener (fetch keepalive)', () => {
  test('F11 tab closed with points pending: keepalive requests carry them and the stopped status before any next load; the next load resends them under the same keys, each stored once', async ({
    context,
    polyaxonServer,
  }) => {
    test.setTimeout(120_000);
    const { server, traffic } = await projectWatched(context, polyaxonServer, 'f11-close');
    const page = await openOutboxPage(context);
    // A long flush interval: the points wait in the queue until the tab closes.
    const outbox = { flushIntervalMs: 120_000 };
    const { id } = await outboxPage.start(page, { project: 'f11-close', name: 'closed-tab', outbox });
    await queueSettled(page);
    const before = traffic.seen.length;
    await outboxPage.log(page, 0, 150);
    await closeTab(page);

    // No page of the origin is open: what reaches the server now came from the closed tab's
    // keepalive requests (which, once the page is gone, Playwright's routes do not see).
    await expect.poll(async () => (await server.metrics('f11-close', id!)).length).toBe(150);
    expectPointsInOrder(await server.metrics('f11-close', id!), 0, 150);
    await expect.poll(async () => (await server.statuses('f11-close', id!)).at(-1)).toMatchObject({ status: 'stopped', message: 'page closed' });

    // A keepalive answer is never read: the records are still queued, for the next load.
    const reader = await context.newPage();
    await reader.goto('/pages/blank.html');
    expect((await storedRecords(reader)).count + (await spilledRecords(reader)).length).toBe(151);
    await reader.close();

    const next = await nextLoadDrained(context, 'f11-close', DRAIN_TIMEOUT_MS);
    // The next load sent it all again, within the keepalive budget as at close; the server kept one
    // copy, so each resend carried the key the keepalive request had.
    const resent = traffic.seen.slice(before).filter((request) => request.page === next);
    expect(resent.map((request) => [request.method, endpointOf(request), request.points])).toEqual([
      ['POST', 'metrics/', 150],
      ['POST', 'statuses/', 0],
    ]);
    expect(resent.reduce((sum, request) => sum + request.bytes, 0)).toBeLessThanOrEqual(KEEPALIVE_BUDGET_BYTES);
    expectPointsInOrder(await server.metrics('f11-close', id!), 0, 150);
    expect((await server.statuses('f11-close', id!)).filter((status) => status.status === 'stopped')).toHaveLength(1);
  });

  test('F10 F11 tab closed with a batch in flight: the keepalive resends it under its key, the next load sends it again at once, then the rest; every point stored once', async ({
    context,
    polyaxonServer,
  }) => {
    test.setTimeout(120_000);
    const { server, traffic } = await projectWatched(context, polyaxonServer, 'f11-in-flight');
    const page = await openOutboxPage(context);
    const outbox = { flushIntervalMs: 100 };
    const { id } = await outboxPage.start(page, { project: 'f11-in-flight', name: 'in-flight', outbox });
    // The first metrics request never reaches the server and is never answered: it is in flight when the tab closes.
    const cutOff = traffic.holdNext(isMetricsPost);
    await outboxPage.log(page, 0, 500);
    const held = await cutOff;
    await closeTab(page);

    await expect.poll(async () => (await server.metrics('f11-in-flight', id!)).length).toBe(held.points);
    expectPointsInOrder(await server.metrics('f11-in-flight', id!), 0, held.points);

    const next = await nextLoadDrained(context, 'f11-in-flight', DRAIN_TIMEOUT_MS);
    const sameKey = traffic.seen.filter((request) => request.idempotencyKey === held.idempotencyKey);
    expect(sameKey.map((request) => request.outcome)).toEqual(['held', 'passed']);
    // The closed tab's lease was released from its note, not waited out.
    expect(sameKey[1].atMs).toBeLessThan(held.atMs + LEASE_MS);
    expect([...traffic.countsByKey(isMetricsPost).values()].filter((count) => count > 2)).toEqual([]);
    expectPointsInOrder(await server.metrics('f11-in-flight', id!), 0, 500);
    expect((await server.statuses('f11-in-flight', id!)).at(-1)).toMatchObject({ status: 'stopped', message: 'page closed' });
  });
});
