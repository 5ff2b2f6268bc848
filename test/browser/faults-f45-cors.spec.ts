import type { Page } from '@playwright/test';
import { expect, test, type PolyaxonServerHandle } from './fixtures';
import { DJANGO_ALLOW_HEADERS, startPolyaxonCorsProxy, type PolyaxonCorsProxy } from './polyaxon-cors-proxy';
import { serverData } from './server-data';
import { watchServerTraffic } from './server-traffic';

/**
 * F45: a page tracking to a server on another origin. A Polyaxon 0.6.1 deployment allows only
 * django-cors-headers' default request headers plus three underscored names, and exposes no
 * answer header; the local server says, in an exposed `X-Polyaxon-Tracking` header, that it takes
 * `Idempotency-Key`. The page must learn which one it talks to before its first write.
 */

/** What the proxy's preflights allow, lowercased as the browser compares names. */
const ALLOWED = new Set(DJANGO_ALLOW_HEADERS.split(', ').map((name) => name.toLowerCase()));

interface PageRun {
  id: number | undefined;
  closed: boolean;
  dropped: number;
  lastError: string | null;
}

/** Creates a run in the page (script-tag build), logs 50 points, params and tags, ends it `succeeded`. */
function trackFiftyPoints(page: Page, target: { host: string; port: number; token: string; project: string; timeoutMs?: number }): Promise<PageRun> {
  return page.evaluate(async ({ host, port, token, project, timeoutMs }) => {
    const { Experiment, PolyaxonClient } = (window as any).PolyaxonTracking;
    const client = new PolyaxonClient({ host, port, token, ...(timeoutMs ? { timeoutMs } : {}) });
    const experiment = new Experiment({ project, client, createTimeoutMs: 30_000, outbox: { flushIntervalMs: 100 } });
    await experiment.create({ name: 'cross-origin', tags: ['page'] });
    experiment.logParams({ lr: 0.01, optimizer: 'adam' });
    experiment.logTags(['cors', 'f45']);
    for (let step = 0; step < 50; step++) experiment.logMetrics({ step, loss: 1 / (step + 1) });
    experiment.succeeded();
    const closed = await experiment.close({ timeoutMs: 45_000 });
    const outbox = experiment.stats()?.outbox;
    const dropped = Object.values((outbox?.dropped ?? {}) as Record<string, number>).reduce((sum, count) => sum + count, 0);
    return { id: experiment.id, closed, dropped, lastError: outbox?.lastError?.message ?? null };
  }, target);
}

async function expectRunArrived(server: PolyaxonServerHandle, project: string): Promise<number> {
  const data = serverData(server);
  const experiments = await data.experiments(project);
  expect(experiments).toHaveLength(1);
  const [experiment] = experiments;
  const detail = await data.experiment(project, experiment.id);
  expect(detail).toMatchObject({ name: 'cross-origin', last_status: 'succeeded', params: { lr: 0.01, optimizer: 'adam' } });
  expect(detail.tags).toEqual(expect.arrayContaining(['page', 'cors', 'f45']));
  const metrics = await data.metrics(project, experiment.id);
  expect(metrics.map((metric) => metric.values.step)).toEqual(Array.from({ length: 50 }, (_, step) => step));
  const statuses = (await data.statuses(project, experiment.id)).map((status) => status.status);
  expect(statuses).toContain('running');
  expect(statuses.at(-1)).toBe('succeeded');
  return experiment.id;
}

test.describe('F45 browser tracking across origins', () => {
  let proxy: PolyaxonCorsProxy | undefined;
  test.afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
  });

  test('F45 through a server that answers CORS as Polyaxon 0.6.1 does: every preflight passes, no Idempotency-Key is sent, experiment, 50 points, params, tags and succeeded arrive', async ({
    page,
    polyaxonServer,
  }) => {
    test.setTimeout(120_000);
    await serverData(polyaxonServer).createProject('f45');
    proxy = await startPolyaxonCorsProxy(polyaxonServer.url);
    const consoleErrors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    await page.goto('/pages/script-tag.html');
    expect(new URL(page.url()).origin).not.toBe(proxy.url);

    const run = await trackFiftyPoints(page, { host: '127.0.0.1', port: proxy.port, token: polyaxonServer.token, project: 'f45' });
    expect(run).toMatchObject({ closed: true, dropped: 0, lastError: null });
    const id = await expectRunArrived(polyaxonServer, 'f45');
    expect(run.id).toBe(id);

    const preflights = proxy.seen.filter((request) => request.method === 'OPTIONS');
    const requests = proxy.seen.filter((request) => request.method !== 'OPTIONS');
    expect(preflights.length).toBeGreaterThan(0);
    for (const preflight of preflights) expect(preflight.requestedHeaders.filter((name) => !ALLOWED.has(name))).toEqual([]);
    for (const request of requests) {
      expect(Object.keys(request.headers).filter((name) => !ALLOWED.has(name) && !isBrowserOwn(name))).toEqual([]);
    }
    // The page asked before its first write, and learned nothing (no header is exposed).
    const firstWrite = requests.findIndex((request) => request.method !== 'GET');
    expect(requests.slice(0, firstWrite).map((request) => `${request.method} ${request.path}`)).toContain('GET /api/v1/users/');
    expect(consoleErrors.filter((text) => /CORS|Access-Control/i.test(text))).toEqual([]);
  });

  test('F45 a Web Worker tracking through the same Polyaxon-like CORS: the run and its final status arrive, no Idempotency-Key is sent', async ({
    page,
    polyaxonServer,
  }) => {
    test.setTimeout(90_000);
    await serverData(polyaxonServer).createProject('f45-worker');
    proxy = await startPolyaxonCorsProxy(polyaxonServer.url);
    await page.goto('/pages/blank.html');
    const env = { POLYAXON_API_HOST: '127.0.0.1', POLYAXON_HTTP_PORT: proxy.port, POLYAXON_SECRET_USER_TOKEN: polyaxonServer.token };
    const result = await page.evaluate(
      (message) => (window as any).runWorker('/pages/tracking-worker.js', message, 40_000),
      { env, project: 'f45-worker', name: 'worker-cross-origin' },
    );
    expect(result).toMatchObject({ closed: true, id: expect.any(Number) });
    const data = serverData(polyaxonServer);
    expect(await data.experiment('f45-worker', result.id)).toMatchObject({ name: 'worker-cross-origin', last_status: 'succeeded' });
    expect((await data.metrics('f45-worker', result.id)).map((metric) => metric.values)).toEqual([{ step: 1, loss: 0.25 }]);
    expect(proxy.seen.filter((request) => request.method !== 'OPTIONS' && request.method !== 'GET').length).toBeGreaterThan(0);
    expect(proxy.seen.filter((request) => 'idempotency-key' in request.headers || request.requestedHeaders.includes('idempotency-key'))).toEqual([]);
  });

  test('F45 to the local server directly: the page asks before its first write, then sends Idempotency-Key; a create whose answer is lost is stored once', async ({
    page,
    context,
    polyaxonServer,
  }) => {
    test.setTimeout(120_000);
    await serverData(polyaxonServer).createProject('f45-local');
    const traffic = await watchServerTraffic(context, polyaxonServer);
    // The server stores the first create; its answer never reaches the page, which times out
    // (timeoutMs below) and sends the create again.
    const lost = traffic.holdNext((request) => request.method === 'POST' && request.path.endsWith('/f45-local/experiments/'), { forward: true });
    await page.goto('/pages/script-tag.html');

    const run = await trackFiftyPoints(page, {
      host: polyaxonServer.host,
      port: polyaxonServer.port,
      token: polyaxonServer.token,
      project: 'f45-local',
      timeoutMs: 3_000,
    });
    expect(run).toMatchObject({ closed: true, dropped: 0 });
    const held = await lost;
    expect(held.outcome).toBe('lost');
    const id = await expectRunArrived(polyaxonServer, 'f45-local');
    expect(run.id).toBe(id);

    const creates = traffic.seen.filter((request) => request.method === 'POST' && request.path.endsWith('/experiments/'));
    expect(creates.length).toBeGreaterThanOrEqual(2);
    expect(new Set(creates.map((request) => request.idempotencyKey))).toEqual(new Set([held.idempotencyKey]));
    expect(held.idempotencyKey).toEqual(expect.any(String));
    // The answer to `GET users/` (who owns the project) told the page what the server takes: one
    // request, before the first write.
    const lookups = traffic.seen.filter((request) => request.method === 'GET' && request.path === 'users/');
    expect(lookups).toHaveLength(1);
    expect(traffic.seen.indexOf(lookups[0])).toBeLessThan(traffic.seen.indexOf(creates[0]));
    // Every write carried a key.
    expect(traffic.seen.filter((request) => request.method !== 'GET' && !request.idempotencyKey)).toEqual([]);
  });
});

/** Headers Chromium adds itself (not set by the page), besides those on the allowed list. */
function isBrowserOwn(name: string): boolean {
  return /^(host|connection|content-length|referer|sec-.*|accept-language|pragma|cache-control)$/.test(name);
}
