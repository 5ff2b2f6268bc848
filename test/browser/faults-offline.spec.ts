import { expect, test } from './fixtures';
import { closeTab, expectPointsInOrder, injectSettings, openOutboxPage, outboxPage, storedRecords } from './outbox-page';
import { serverData } from './server-data';
import { reportFigure } from './figures';
import { watchServerTraffic } from './server-traffic';

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
    const server = serverData(polyaxonServer);
    await server.createProject('f08');
    await injectSettings(context, polyaxonServer);
    const traffic = await watchServerTraffic(context, polyaxonServer);

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

  test('F09 offline at create: create resolves with a local key on time; back online on the same page, the experiment and its records reach the server', async ({
    context,
    polyaxonServer,
  }) => {
    const server = serverData(polyaxonServer);
    await server.createProject('f09');
    await injectSettings(context, polyaxonServer);
    const traffic = await watchServerTraffic(context, polyaxonServer);
    const page = await openOutboxPage(context);
    // Offline before the library loads its queue: no `offline` event reaches it, requests just fail.
    traffic.setMode('abort');
    await context.setOffline(true);

    const started = await outboxPage.start(page, { project: 'f09', name: 'offline-create', createTimeoutMs: 1_000 });
    expect(started.id).toBeUndefined();
    expect(started.run).toMatch(/^[0-9a-f-]{20,}$/);
    // The timeout, plus the run-env probes it runs beside (each bounded, ~0.5 s), plus a loaded machine.
    expect(started.createMs).toBeLessThan(1_000 + 4_000);
    await outboxPage.log(page, 0, 250);
    await expect.poll(async () => (await outboxPage.stats(page)).outbox.pending).toBe(253);
    expect(await server.experiments('f09')).toEqual([]);

    traffic.setMode('pass');
    await context.setOffline(false);
    const id = await outboxPage.whenCreated(page);
    expect(await outboxPage.flush(page, 30_000)).toBe(true);

    const [experiment, ...others] = await server.experiments('f09');
    expect(others).toEqual([]);
    expect(experiment).toMatchObject({ id, name: 'offline-create' });
    expectPointsInOrder(await server.metrics('f09', id), 0, 250);
    expect((await server.statuses('f09', id)).map((status) => status.status)).toContain('running');
    expect((await outboxPage.stats(page)).id).toBe(id);
  });

  test('F09 offline at create and closed offline: the next online load creates the experiment and delivers every record', async ({
    context,
    polyaxonServer,
  }) => {
    const server = serverData(polyaxonServer);
    await server.createProject('f09-next');
    await injectSettings(context, polyaxonServer);
    const traffic = await watchServerTraffic(context, polyaxonServer);
    const page = await openOutboxPage(context);
    await outboxPage.prepare(page, { project: 'f09-next', createTimeoutMs: 500 });
    traffic.setMode('abort');
    await context.setOffline(true);
    const started = await outboxPage.start(page, { project: 'f09-next', name: 'created-later' });
    expect(started.id).toBeUndefined();
    await outboxPage.log(page, 0, 400);
    await expect.poll(async () => (await storedRecords(page)).count, { timeout: 20_000 }).toBe(403);
    await closeTab(page);

    await context.setOffline(false);
    traffic.setMode('pass');
    const next = await openOutboxPage(context);
    await outboxPage.resume(next, { project: 'f09-next', timeoutMs: 1_000 });
    await expect.poll(async () => (await storedRecords(next)).count, { timeout: 30_000 }).toBe(0);

    const [experiment, ...others] = await server.experiments('f09-next');
    expect(others).toEqual([]);
    expect(experiment.name).toBe('created-later');
    expectPointsInOrder(await server.metrics('f09-next', experiment.id), 0, 400);
    const statuses = await server.statuses('f09-next', experiment.id);
    expect(statuses.map((status) => status.status).slice(-2)).toEqual(['running', 'stopped']);
  });
});
