import { expect, test } from './fixtures';
import { reportFigure } from './figures';
import { closeTab, expectPointsInOrder, openOutboxPage, outboxPage, projectWatched, storedRecords } from './outbox-page';

// Its own file so that it starts early: the longest test of the browser suite.
test.describe('offline runs', () => {
  test('F08 offline for the whole run: 100k points wait in IndexedDB within the caps and go out in order on the next online load', async ({
    context,
    polyaxonServer,
  }) => {
    // IndexedDB writes every record three times (append, lease, ack): minutes on a loaded 2-core machine.
    test.setTimeout(300_000);
    const POINTS = 100_000;
    // The default cap (100,000 records) counts the create, code ref and status too.
    const outbox = { maxRecords: POINTS + 1_000 };
    const { server, traffic } = await projectWatched(context, polyaxonServer, 'f08');

    const page = await openOutboxPage(context);
    await outboxPage.prepare(page, { project: 'f08', createTimeoutMs: 500, outbox });
    traffic.setMode('abort');
    await context.setOffline(true);
    const started = await outboxPage.start(page, { project: 'f08', name: 'offline-run', createTimeoutMs: 500, outbox });
    expect(started.id).toBeUndefined();

    const loggedAt = Date.now();
    await outboxPage.log(page, 0, POINTS);
    await expect.poll(async () => (await storedRecords(page)).count, { timeout: 200_000, intervals: [500] }).toBe(POINTS + 3);
    const storedMs = Date.now() - loggedAt;
    const stored = await storedRecords(page, 3);
    expect(stored.first.map((record) => record.kind)).toEqual(['create', 'coderef', 'status']);
    expect(stored.last.map((record) => [record.kind, record.body.values.step])).toEqual([
      ['metrics', POINTS - 3],
      ['metrics', POINTS - 2],
      ['metrics', POINTS - 1],
    ]);
    expect([...stored.first, ...stored.last].every((record) => record.leaseUntil === undefined)).toBe(true);
    const offline = await outboxPage.stats(page);
    expect(offline.outbox).toMatchObject({ storage: 'indexeddb', pending: POINTS + 3, sent: 0, pausedReason: 'offline' });
    expect(offline.outbox.dropped.queue_full).toBe(0);

    await closeTab(page);
    expect(traffic.seen.filter((request) => request.outcome !== 'aborted')).toEqual([]);

    // Past the offline part, every request is left alone (routing each one costs a round trip).
    await traffic.stop();
    await context.setOffline(false);
    const next = await openOutboxPage(context);
    const resumedAt = Date.now();
    await outboxPage.resume(next, { project: 'f08', timeoutMs: 1_000, outbox });
    await expect.poll(async () => (await storedRecords(next)).count, { timeout: 240_000, intervals: [1_000] }).toBe(0);
    const deliveredMs = Date.now() - resumedAt;
    reportFigure(`F08: ${POINTS} points in IndexedDB ${storedMs} ms after logging; delivered by the next load in ${deliveredMs} ms`);

    const [experiment, ...others] = await server.experiments('f08');
    expect(others).toEqual([]);
    expectPointsInOrder(await server.metrics('f08', experiment.id), 0, POINTS);
    // The tab was closed with the run going: stopped, by a status written offline.
    const statuses = await server.statuses('f08', experiment.id);
    expect(statuses.at(-1)).toMatchObject({ status: 'stopped', message: 'page closed' });
  });
});
