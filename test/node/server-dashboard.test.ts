import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawJson } from '../../src/server/json/raw-json';
import { LiveHub } from '../../src/server/live';
import { startTestServer, type TestServer } from '../helpers/server-api';

/**
 * The server side of the dashboard: the series endpoint and the live events endpoint of the
 * agreed contract (local-server extensions), and the static dashboard with its headers.
 */

let t: TestServer;
const BASE = 'local/charts/experiments';

async function newExperiment(project = 'charts'): Promise<number> {
  const created = await t.call('POST', `local/${project}/experiments/`, { is_managed: false });
  return created.body.id as number;
}

beforeAll(async () => {
  t = await startTestServer({ metricsRequestsPerSecond: 0 });
  await t.call('POST', 'projects/', { name: 'charts' });
  await t.call('POST', 'projects/', { name: 'other' });
});
afterAll(() => t.dispose());

describe('series endpoint', () => {
  it('answers each named series in the order asked, a name the run lacks as empty', async () => {
    const id = await newExperiment();
    await t.call('POST', `${BASE}/${id}/metrics/`, [
      { values: { step: 10, loss: 0.9, acc: 0.1 } },
      { values: { step: 20, loss: 0.5 } },
      { values: { step: 30, loss: 0.2, acc: 0.7 } },
    ]);
    const answer = await t.call('GET', `${BASE}/${id}/metrics/series/?names=acc,loss,missing`);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      experiment: id,
      x: 'step',
      series: [
        { name: 'acc', total: 2, downsampled: false, x: [10, 30], y: [0.1, 0.7] },
        { name: 'loss', total: 3, downsampled: false, x: [10, 20, 30], y: [0.9, 0.5, 0.2] },
        { name: 'missing', total: 0, x: [], y: [] },
      ],
    });
    const all = await t.call('GET', `${BASE}/${id}/metrics/series/`);
    expect(all.body.series.map((series: { name: string }) => series.name)).toEqual(['acc', 'loss', 'step']);
  });

  it('uses the post index without a step, wall time in seconds, and time since the first point', async () => {
    const id = await newExperiment();
    await t.call('POST', `${BASE}/${id}/metrics/`, [
      { values: { loss: 3 }, created_at: '2026-01-01T00:00:00Z' },
      { values: { loss: 2 }, created_at: '2026-01-01T00:00:02.5Z' },
      { values: { loss: 1 }, created_at: '2026-01-01T00:01:00Z' },
    ]);
    const series = async (x: string) => (await t.call('GET', `${BASE}/${id}/metrics/series/?names=loss&x=${x}`)).body.series[0].x;
    expect(await series('step')).toEqual([0, 1, 2]);
    expect(await series('time')).toEqual([1767225600, 1767225602.5, 1767225660]);
    expect(await series('relative')).toEqual([0, 2.5, 60]);
  });

  it('downsamples to max_points keeping the spike, and narrows to an inclusive x range', async () => {
    const id = await newExperiment();
    const points = Array.from({ length: 5000 }, (_, step) => ({ values: { step, loss: step === 3333 ? 99 : 1 / (step + 1) } }));
    await t.call('POST', `${BASE}/${id}/metrics/`, points);
    const cut = (await t.call('GET', `${BASE}/${id}/metrics/series/?names=loss&max_points=100`)).body.series[0];
    expect(cut.total).toBe(5000);
    expect(cut.downsampled).toBe(true);
    expect(cut.x.length).toBeLessThanOrEqual(100);
    expect(cut.x[0]).toBe(0);
    expect(cut.x.at(-1)).toBe(4999);
    expect(cut.y).toContain(99);
    const zoomed = (await t.call('GET', `${BASE}/${id}/metrics/series/?names=loss&x_min=100&x_max=199`)).body.series[0];
    expect(zoomed).toMatchObject({ total: 100, downsampled: false });
    expect([zoomed.x[0], zoomed.x.at(-1)]).toEqual([100, 199]);
  });

  it('takes metric names that are object keys elsewhere (__proto__, constructor) as plain names', async () => {
    const id = await newExperiment();
    await t.call('POST', `${BASE}/${id}/metrics/`, JSON.parse('[{"values": {"step": 1, "__proto__": 0.5, "constructor": 2}}]'));
    const answer = await t.call('GET', `${BASE}/${id}/metrics/series/?names=${encodeURIComponent('__proto__,constructor,toString')}`);
    expect(answer.body.series).toEqual([
      { name: '__proto__', total: 1, downsampled: false, x: [1], y: [0.5] },
      { name: 'constructor', total: 1, downsampled: false, x: [1], y: [2] },
      { name: 'toString', total: 0, x: [], y: [] },
    ]);
    const detail = await t.call('GET', `${BASE}/${id}/`);
    expect(JSON.parse(detail.text).last_metric).toEqual(JSON.parse('{"step": 1, "__proto__": 0.5, "constructor": 2}'));
  });

  it('refuses a bad x, max_points or range naming the field; 404 for a run of another project', async () => {
    const id = await newExperiment();
    for (const [query, field] of [['x=epoch', 'x'], ['max_points=1', 'max_points'], ['max_points=100001', 'max_points'], ['max_points=2.5', 'max_points'], ['x_min=abc', 'x_min'], ['x_max=Infinity', 'x_max']]) {
      const answer = await t.call('GET', `${BASE}/${id}/metrics/series/?${query}`);
      expect(answer.status, query).toBe(400);
      expect(Object.keys(answer.body), query).toEqual([field]);
    }
    expect((await t.call('GET', `local/other/experiments/${id}/metrics/series/`)).status).toBe(404);
    expect((await t.call('GET', `${BASE}/${id}/metrics/series/`, undefined, { token: null })).status).toBe(401);
  });
});

interface Heard {
  event: string;
  data: any;
}

/** Reads `GET {project}/events/` until `count` events arrived (comments skipped). */
async function listen(project: string, count: number, start: () => Promise<unknown>): Promise<{ heard: Heard[]; headers: Headers }> {
  const controller = new AbortController();
  const response = await fetch(`${t.server.url}/api/v1/local/${project}/events/`, { headers: { Authorization: 'Token test-token' }, signal: controller.signal });
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const heard: Heard[] = [];
  let text = '';
  await start();
  while (heard.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
    const blocks = text.split('\n\n');
    text = blocks.pop() ?? '';
    for (const block of blocks) {
      const event = /^event: (.+)$/m.exec(block)?.[1];
      const data = /^data: (.+)$/m.exec(block)?.[1];
      if (event && data) heard.push({ event, data: JSON.parse(data) });
    }
  }
  controller.abort();
  return { heard, headers: response.headers };
}

describe('live events endpoint', () => {
  it('streams committed creates, statuses, metrics and logs of its project only', async () => {
    let id = 0;
    const { heard, headers } = await listen('charts', 5, async () => {
      await newExperiment('other');
      id = await newExperiment();
      await t.call('POST', `${BASE}/${id}/statuses/`, { status: 'running' });
      await t.call('POST', `${BASE}/${id}/metrics/`, [{ values: { step: 1, loss: 0.5 } }, { values: { step: 2, loss: 0.25 } }]);
      await t.call('POST', `${BASE}/${id}/logs/`, ['a', 'b', 'c']);
    });
    expect(headers.get('content-type')).toContain('text/event-stream');
    expect(headers.get('cache-control')).toBe('no-store');
    expect(heard).toEqual([
      { event: 'experiment', data: { id, change: 'created' } },
      { event: 'status', data: { experiment: id, status: 'created', created_at: expect.any(String) } },
      { event: 'status', data: { experiment: id, status: 'running', created_at: expect.any(String) } },
      { event: 'metrics', data: { experiment: id, count: 2, last_metric: { step: 2, loss: 0.25 } } },
      { event: 'logs', data: { experiment: id, count: 3 } },
    ]);
  });

  it('tells of a deleted run, and needs the token', async () => {
    const id = await newExperiment();
    const { heard } = await listen('charts', 1, () => t.call('DELETE', `${BASE}/${id}/`));
    expect(heard).toEqual([{ event: 'experiment', data: { id, change: 'deleted' } }]);
    const refused = await t.call('GET', 'local/charts/events/', undefined, { token: null });
    expect(refused.status).toBe(401);
  });

  it('cuts the stream of a page that stops reading instead of buffering without bound', async () => {
    // The hub over a real socket; its events carry ~1 MB of last values each, so the loopback
    // socket buffers (several MB) fill within a few dozen events, then the hub's own 1 MiB.
    const wide = Object.fromEntries(Array.from({ length: 50_000 }, (_, index) => [`metric_${index}`, index]));
    const hub = new LiveHub({ experiment: () => ({ projectId: 1, lastMetric: new RawJson(JSON.stringify(wide)) }) });
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      hub.subscribe(1, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const paused = await new Promise<IncomingMessage>((resolve, reject) => {
        const req = request(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, (res) => {
          res.pause();
          resolve(res);
        });
        req.on('error', reject);
        req.end();
      });
      const event = { type: 'metrics.create' as const, experiment: 7, metrics: [], at: '' };
      for (let count = 0; count < 100; count += 1) {
        hub.publish([event]);
        await new Promise((resolve) => setImmediate(resolve));
      }
      // Read what got through: the stream ends cut short; a stream still open would never end.
      const ended = await new Promise<string>((resolve) => {
        paused.on('error', () => resolve('cut'));
        paused.on('close', () => resolve(paused.complete ? 'complete' : 'cut'));
        paused.resume();
      });
      expect(ended).toBe('cut');
    } finally {
      hub.close();
      server.closeAllConnections();
      server.close();
    }
  });
});

describe('static dashboard', () => {
  it('serves the page with a CSP without inline script, no framing, nosniff, and revalidation', async () => {
    const page = await fetch(`${t.server.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const html = await page.text();
    expect(html).not.toMatch(/<script>|<style>|\son\w+=/);
    const again = await fetch(`${t.server.url}/`, { headers: { 'If-None-Match': page.headers.get('etag') ?? '' } });
    expect(again.status).toBe(304);
  });

  it('serves hashed assets with their types, cached for good; an unknown asset is 404', async () => {
    const html = await (await fetch(`${t.server.url}/`)).text();
    const script = /src="(assets\/[^"]+\.js)"/.exec(html)?.[1];
    const style = /href="(assets\/[^"]+\.css)"/.exec(html)?.[1];
    for (const [path, type] of [[script, 'text/javascript; charset=utf-8'], [style, 'text/css; charset=utf-8']]) {
      const asset = await fetch(`${t.server.url}/${path}`);
      expect(asset.status, path).toBe(200);
      expect(asset.headers.get('content-type')).toBe(type);
      expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(asset.headers.get('x-content-type-options')).toBe('nosniff');
    }
    expect((await fetch(`${t.server.url}/assets/nothing.js`)).status).toBe(404);
    expect((await fetch(`${t.server.url}/assets/../token`)).status).toBe(404);
  });

  it('with --no-auth serves the page only under a loopback host name', async () => {
    const open = await startTestServer({ noAuth: true });
    try {
      const port = open.server.port;
      const get = (host: string) =>
        new Promise<number>((resolve, reject) => {
          const req = request({ host: '127.0.0.1', port, path: '/', headers: { Host: host } }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          });
          req.on('error', reject);
          req.end();
        });
      expect(await get(`127.0.0.1:${port}`)).toBe(200);
      expect(await get(`localhost:${port}`)).toBe(200);
      // A DNS-rebound name reaches 127.0.0.1 with a foreign Host.
      expect(await get(`attacker.example:${port}`)).toBe(403);
    } finally {
      await open.dispose();
    }
  });
});
