import { expect, test } from './fixtures';
import { closeTab, expectPointsInOrder, openOutboxPage, outboxPage, projectWatched, storedRecords } from './outbox-page';

test.describe('offline runs', () => {
  test('F09 offline at create: create resolves with a local key on time; back online on the same page, the experiment and its records reach the server', async ({
    context,
    polyaxonServer,
  }) => {
    const { server, traffic } = await projectWatched(context, polyaxonServer, 'f09');
    const page = await openOutboxPage(context);
    // Offline before the library loads its queue: it starts offline (navigator.onLine) and sends
    // nothing until the `online` event; any request that left anyway would be aborted.
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
    const { server, traffic } = await projectWatched(context, polyaxonServer, 'f09-next');
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
    // The closed page left its records unleased: it claimed nothing while going away.
    expect((await storedRecords(next, 1)).first).toMatchObject([{ kind: 'create', leaseUntil: undefined }]);
    await outboxPage.resume(next, { project: 'f09-next', timeoutMs: 1_000 });
    // A few seconds. Not a lease to wait out: the closing page claims nothing (its `online` event
    // comes after `pagehide`), so the next load finds the create free.
    await expect.poll(async () => (await storedRecords(next)).count, { timeout: 30_000 }).toBe(0);

    const [experiment, ...others] = await server.experiments('f09-next');
    expect(others).toEqual([]);
    expect(experiment.name).toBe('created-later');
    expectPointsInOrder(await server.metrics('f09-next', experiment.id), 0, 400);
    const statuses = await server.statuses('f09-next', experiment.id);
    expect(statuses.map((status) => status.status).slice(-2)).toEqual(['running', 'stopped']);
  });
});
