import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createExperiment, startTestServer, type TestServer } from '../helpers/server-api';

/** The series endpoint for charts: every point when few, min/max per bucket when many. */
let t: TestServer;
beforeEach(async () => {
  t = await startTestServer();
});
afterEach(async () => {
  await t.dispose();
});

interface Point {
  x: number;
  y: number;
}

/** The contract's downsampling written out point by point: the reference the store must match. */
function reference(points: Point[], maxPoints: number, low?: number, high?: number) {
  const inRange = points
    .map((point, order) => ({ ...point, order }))
    .filter((point) => (low === undefined || point.x >= low) && (high === undefined || point.x <= high))
    .sort((a, b) => a.x - b.x || a.order - b.order)
    // Kept points come out in x order (ties in arrival order).
    .map((point, order) => ({ ...point, order }));
  if (inRange.length <= maxPoints) return { total: inRange.length, x: inRange.map((p) => p.x), y: inRange.map((p) => p.y) };
  const lo = low ?? inRange[0].x;
  const hi = high ?? inRange[inRange.length - 1].x;
  const count = Math.max(1, Math.floor(maxPoints / 4));
  const width = (hi - lo) / count;
  const buckets: Array<typeof inRange> = Array.from({ length: count }, () => []);
  for (const point of inRange) buckets[Math.max(0, Math.min(count - 1, Math.floor((point.x - lo) / width)))].push(point);
  const kept = buckets.flatMap((bucket) => {
    if (bucket.length === 0) return [];
    const min = bucket.reduce((a, b) => (b.y < a.y ? b : a));
    const max = bucket.reduce((a, b) => (b.y > a.y ? b : a));
    return [...new Set([bucket[0], min, max, bucket[bucket.length - 1]])].sort((a, b) => a.order - b.order);
  });
  return { total: inRange.length, x: kept.map((p) => p.x), y: kept.map((p) => p.y) };
}

async function post(path: string, values: Array<Record<string, number>>) {
  for (let start = 0; start < values.length; start += 1000) {
    const answer = await t.call('POST', `${path}/metrics/`, values.slice(start, start + 1000).map((v) => ({ values: v })));
    expect(answer.status).toBe(201);
  }
}

const series = (path: string, query: string) => t.call('GET', `${path}/metrics/series/?${query}`);

describe('GET .../metrics/series/', () => {
  it('keeps spikes, first and last: matches the point-by-point reference for every bucket size and zoom', async () => {
    const { path } = await createExperiment(t.call);
    const points = Array.from({ length: 5000 }, (_, step) => ({ step, loss: Math.sin(step / 50) + (step % 7) / 10 }));
    points[3333].loss = 100;
    points[1234].loss = -100;
    await post(path, points);
    const all = points.map((p) => ({ x: p.step, y: p.loss }));
    for (const [maxPoints, low, high] of [[2000], [100], [8], [2], [40, 1000, 4321], [5000], [40, 4999.5, 6000]] as Array<[number, number?, number?]>) {
      const range = `${low === undefined ? '' : `&x_min=${low}`}${high === undefined ? '' : `&x_max=${high}`}`;
      const answer = await series(path, `names=loss&max_points=${maxPoints}${range}`);
      expect(answer.status).toBe(200);
      const [loss] = answer.body.series;
      const expected = reference(all, maxPoints, low, high);
      expect({ total: loss.total, x: loss.x, y: loss.y }, `max_points=${maxPoints}${range}`).toEqual(expected);
      expect(loss.downsampled).toBe(expected.total > maxPoints);
      // max_points/4 buckets, at least one: four points at most per bucket.
      expect(loss.x.length).toBeLessThanOrEqual(Math.max(4, maxPoints));
      if (expected.total > maxPoints && low === undefined) expect(loss.y).toEqual(expect.arrayContaining([100, -100]));
    }
  });

  it('x=step without a step is the point\'s position in the run; steps that go back are sorted by x', async () => {
    const { path } = await createExperiment(t.call);
    const values: Array<Record<string, number>> = [{ acc: 1 }, { acc: 2 }, { step: 10, acc: 3 }, { step: 5, acc: 4 }, { acc: 5 }];
    await post(path, values);
    const answer = await series(path, 'names=acc');
    expect(answer.body.series[0]).toEqual({ name: 'acc', total: 5, downsampled: false, x: [0, 1, 4, 5, 10], y: [1, 2, 5, 4, 3] });
    // Many points going up and down in step: still the reference.
    const wavy = Array.from({ length: 3000 }, (_, index) => ({ step: (index * 7919) % 1000, v: (index * 31) % 97 }));
    const other = await createExperiment(t.call);
    await post(other.path, wavy);
    const downsampled = (await series(other.path, 'names=v&max_points=60')).body.series[0];
    const expected = reference(wavy.map((p) => ({ x: p.step, y: p.v })), 60);
    expect({ total: downsampled.total, x: downsampled.x, y: downsampled.y }).toEqual(expected);
  });

  it('x=time is created_at in Unix seconds, x=relative counts from the run\'s first point', async () => {
    const { path } = await createExperiment(t.call);
    const answer = await t.call('POST', `${path}/metrics/`, [
      { values: { loss: 3 }, created_at: '2020-03-04 10:33:50.123456+00:00' },
      { values: { loss: 2 }, created_at: '2020-03-04T10:33:52.5Z' },
    ]);
    expect(answer.status).toBe(201);
    const time = (await series(path, 'x=time')).body;
    expect(time.x).toBe('time');
    expect(time.series[0].x[0]).toBeCloseTo(Date.UTC(2020, 2, 4, 10, 33, 50) / 1000 + 0.123456, 6);
    const relative = (await series(path, 'x=relative')).body.series[0];
    expect(relative.x[0]).toBe(0);
    expect(relative.x[1]).toBeCloseTo(2.376544, 6);
  });

  it('answers names in the order asked, any name included; all names by name when omitted; a missing one empty', async () => {
    const { id, path } = await createExperiment(t.call);
    await post(path, [{ 'b/c': 1, __proto__x: 2, constructor: 3, a: 4 } as Record<string, number>]);
    const asked = await series(path, `names=${encodeURIComponent('constructor,nothing,b/c,__proto__')}`);
    expect(asked.body).toEqual({
      experiment: id,
      x: 'step',
      series: [
        { name: 'constructor', total: 1, downsampled: false, x: [0], y: [3] },
        { name: 'nothing', total: 0, x: [], y: [] },
        { name: 'b/c', total: 1, downsampled: false, x: [0], y: [1] },
        // Looked up as a name like any other (no metric of the run has it).
        { name: '__proto__', total: 0, x: [], y: [] },
      ],
    });
    const every = await series(path, '');
    expect(every.body.series.map((entry: { name: string }) => entry.name)).toEqual(['__proto__x', 'a', 'b/c', 'constructor']);
  });

  it('refuses a bad x, max_points or range with 400 naming the field; an unknown run is 404', async () => {
    const { path } = await createExperiment(t.call);
    expect((await series(path, 'x=epoch')).body).toEqual({ x: [expect.stringMatching(/not a valid choice/)] });
    for (const bad of ['1', '100001', 'abc', '2.5']) {
      expect((await series(path, `max_points=${bad}`)).status).toBe(400);
    }
    expect(Object.keys((await series(path, 'x_min=abc&x_max=1')).body)).toEqual(['x_min']);
    expect(Object.keys((await series(path, 'x_min=5&x_max=1')).body)).toEqual(['x_min']);
    expect((await series('local/demo/experiments/999', '')).status).toBe(404);
  });
});
