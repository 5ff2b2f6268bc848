import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { reportFigure } from './figures';
import { closeTab, expectPointsInOrder, injectSettings, openOutboxPage, outboxPage, storedRecords } from './outbox-page';
import { serverData } from './server-data';
import { isMetricsPost, watchServerTraffic, type SeenRequest } from './server-traffic';

/** While a cut-off batch's lease holds, nobody sends it: checked over this long. */
const LEASE_HOLDS_CHECK_MS = 2_000;
/**
 * Then it runs out and the batch goes again: a lease lasts the 30 s request timeout plus 6 s
 * (src/core/sender.ts), and is checked for again every second.
 */
const LEASE_RUNS_OUT_MS = 60_000;

/** Which experiment a request is for, from its path `user/project/experiments/<id>/...`. */
function experimentOf(request: SeenRequest): number | undefined {
  const match = /experiments\/(\d+)\//.exec(request.path);
  return match ? Number(match[1]) : undefined;
}

test.describe('two tabs share one queue (same origin, same IndexedDB)', () => {
  test('F12 each batch is sent by exactly one tab and every point is stored once', async ({ context, polyaxonServer }) => {
    test.setTimeout(120_000);
    const server = serverData(polyaxonServer);
    await server.createProject('f12');
    await injectSettings(context, polyaxonServer);
    const traffic = await watchServerTraffic(context, polyaxonServer);
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

  test('F12 a tab closing mid-send loses nothing: the other tab sends its cut-off batch after the lease, once', async ({ context, polyaxonServer }) => {
    test.setTimeout(120_000);
    const server = serverData(polyaxonServer);
    await server.createProject('f12-close');
    await injectSettings(context, polyaxonServer);
    const traffic = await watchServerTraffic(context, polyaxonServer);
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

    // The staying tab sends its own points; the leaving run waits behind its cut-off batch's lease.
    await expect.poll(async () => (await server.metrics('f12-close', stayingRun.id!)).length, { timeout: 30_000 }).toBe(1_000);
    await staying.waitForTimeout(LEASE_HOLDS_CHECK_MS);
    expect(traffic.seen.filter((request) => request.idempotencyKey === held.idempotencyKey)).toHaveLength(1);
    await expect.poll(async () => (await storedRecords(staying)).count, { timeout: LEASE_RUNS_OUT_MS, intervals: [500] }).toBe(0);
    const sameKey = traffic.seen.filter((request) => request.idempotencyKey === held.idempotencyKey);
    expect(sameKey.map((request) => [request.outcome, request.page === staying])).toEqual([
      ['lost', false],
      ['passed', true],
    ]);
    expectPointsInOrder(await server.metrics('f12-close', leavingRun.id!), 0, 1_000);
    expectPointsInOrder(await server.metrics('f12-close', stayingRun.id!), 0, 1_000);
    expect((await server.statuses('f12-close', leavingRun.id!)).at(-1)).toMatchObject({ status: 'stopped', message: 'page closed' });
    expect((await server.experiment('f12-close', stayingRun.id!)).last_status).toBe('running');
  });
});
