/**
 * The metrics endpoints answer as Polyaxon 0.6.1 does (server at tag 0.6.1, paths under `polyaxon/`).
 * Each case names the source file it follows.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createExperiment, startTestServer, type TestServer } from '../helpers/server-api';

let t: TestServer;
let path: string;
beforeEach(async () => {
  t = await startTestServer();
  ({ path } = await createExperiment(t.call));
});
afterEach(async () => {
  await t.dispose();
});

const rawPost = (target: string, text: string, headers: Record<string, string> = {}) =>
  t.call('POST', target, undefined, { raw: text, headers: { 'Content-Type': 'application/json', ...headers } });

describe('metric values of any JSON number type, null and any name (item a, item j)', () => {
  it('stores a null value and lists it as null; last_metric leaves it out (0.6.1 would answer the detail with 500)', async () => {
    // The Python client's parse_numbers lets None through; 0.6.1 stores it (db/models/experiments.py
    // ExperimentMetric.values is a JSONField) and merges it into last_metric, after which the
    // detail's round(None, 7) (api/experiments/serializers.py get_last_metric) raises: a 500 on
    // every GET and PATCH of the run. Here a null never enters last_metric, and the number before
    // it stays: a deliberate difference that keeps the run readable.
    expect((await rawPost(`${path}/metrics/`, '[{"values": {"loss": 0.5}}, {"values": {"loss": null, "acc": 0.25}}]')).status).toBe(201);
    const listed = await t.call('GET', `${path}/metrics/`);
    expect(listed.body.results.map((point: { values: unknown }) => point.values)).toEqual([{ loss: 0.5 }, { loss: null, acc: 0.25 }]);
    const detail = await t.call('GET', `${path}/`);
    expect(detail.status).toBe(200);
    expect(detail.body.last_metric).toEqual({ loss: 0.5, acc: 0.25 });
    const row = (await t.call('GET', 'local/demo/experiments/')).body.results[0];
    expect(row.last_metric).toEqual({ loss: 0.5, acc: 0.25 });
  });

  it('a metric named __proto__ or constructor is stored, listed and merged like any other name', async () => {
    const single = await rawPost(`${path}/metrics/`, '{"values": {"__proto__": 1, "constructor": 2}}');
    expect(single.status).toBe(201);
    expect(single.text).toContain('"values":{"__proto__":1,"constructor":2}');
    expect((await rawPost(`${path}/metrics/`, '[{"values": {"__proto__": 3, "toString": 4}}]')).status).toBe(201);
    const listed = await t.call('GET', `${path}/metrics/`);
    expect(listed.text).toContain('"values":{"__proto__":1,"constructor":2}');
    expect(listed.text).toContain('"values":{"__proto__":3,"toString":4}');
    const detail = await t.call('GET', `${path}/`);
    expect(detail.text).toContain('"last_metric":{"__proto__":3,"constructor":2,"toString":4}');
  });

  it('1.0 stays 1.0, 1 stays 1 and true stays true in the listing, the list row and the single answer', async () => {
    // JSONField values round-trip through Python's json: a float keeps its `.0`, a bool stays a
    // bool (db/models/experiments.py ExperimentMetric.values, ExperimentSerializer last_metric raw).
    const single = await rawPost(`${path}/metrics/`, '{"values": {"a": 1.0, "b": 1, "c": true, "d": 2.50}}');
    expect(single.text).toContain('"values":{"a":1.0,"b":1,"c":true,"d":2.50}');
    await rawPost(`${path}/metrics/`, '[{"values": {"e": 1E-7, "f": -0.0}}]');
    const listed = await t.call('GET', `${path}/metrics/`);
    expect(listed.text).toContain('"values":{"a":1.0,"b":1,"c":true,"d":2.50}');
    expect(listed.text).toContain('"values":{"e":1E-7,"f":-0.0}');
    const row = await t.call('GET', 'local/demo/experiments/');
    expect(row.text).toContain('"last_metric":{"a":1.0,"b":1,"c":true,"d":2.50,"e":1E-7,"f":-0.0}');
    const metricsRow = await t.call('GET', 'local/demo/experiments/?metrics=true');
    expect(metricsRow.text).toContain('"last_metric":{"a":1.0,"b":1,"c":true,"d":2.50,"e":1E-7,"f":-0.0}');
  });
});

describe('last_metric in the detail is rounded to 7 digits as Python rounds (item d)', () => {
  it('round(v, 7) with ties to even, floats written as Python writes them; list rows stay raw', async () => {
    // api/experiments/serializers.py ExperimentDetailSerializer.get_last_metric:
    // {k: round(v, 7) for k, v in obj.last_metric.items()}. Expected texts are python3's.
    const values =
      '{"tie": 0.00390625, "negtie": -0.00390625, "up": 0.01171875, "long": 0.123456789, "one": 1.0, "tiny": 1e-9,' +
      ' "negtiny": -1e-9, "big": 123456789.123456789, "below": 2.5e-7, "huge": 1e16, "int": 12345678901234567890, "flag": true}';
    expect((await rawPost(`${path}/metrics/`, `[{"values": ${values}}]`)).status).toBe(201);
    const detail = await t.call('GET', `${path}/`);
    expect(detail.text).toContain(
      '"last_metric":{"tie":0.0039062,"negtie":-0.0039062,"up":0.0117188,"long":0.1234568,"one":1.0,"tiny":0.0,' +
        '"negtiny":-0.0,"big":123456789.1234568,"below":2e-07,"huge":1e+16,"int":12345678901234567890,"flag":1}',
    );
    const row = await t.call('GET', 'local/demo/experiments/');
    expect(row.text).toContain(
      '"last_metric":{"tie":0.00390625,"negtie":-0.00390625,"up":0.01171875,"long":0.123456789,"one":1.0,"tiny":1e-9,' +
        '"negtiny":-1e-9,"big":123456789.123456789,"below":2.5e-7,"huge":1e16,"int":12345678901234567890,"flag":true}',
    );
    const patched = await t.call('PATCH', `${path}/`, { description: 'd' });
    expect(patched.text).toContain('"tie":0.0039062');
  });
});

describe('metrics listing with LargeLimitOffsetPagination (item b)', () => {
  it('answers up to 300,000 points a page by default, honours limit and offset, caps nothing', async () => {
    // api/paginator.py LargeLimitOffsetPagination(default_limit = 300000), on
    // ExperimentMetricListView (api/experiments/views.py); DRF's LimitOffsetPagination has no max_limit.
    for (let start = 0; start < 1500; start += 750) {
      const batch = Array.from({ length: 750 }, (_, index) => ({ values: { step: start + index } }));
      expect((await t.call('POST', `${path}/metrics/`, batch)).status).toBe(201);
    }
    const all = await t.call('GET', `${path}/metrics/`);
    expect(all.body.count).toBe(1500);
    expect(all.body.results).toHaveLength(1500);
    expect(all.body.next).toBeNull();
    expect(all.body.results[1499].values).toEqual({ step: 1499 });
    const big = await t.call('GET', `${path}/metrics/?limit=1200`);
    expect(big.body.results).toHaveLength(1200);
    expect(big.body.next).toContain('offset=1200');
    const window = await t.call('GET', `${path}/metrics/?offset=1480&limit=50`);
    expect(window.body.results.map((point: { values: { step: number } }) => point.values.step)).toEqual(
      Array.from({ length: 20 }, (_, index) => 1480 + index),
    );
    // DRF's _positive_int(strict=True): 0 or a word is no limit at all, so the default applies.
    expect((await t.call('GET', `${path}/metrics/?limit=0`)).body.results).toHaveLength(1500);
    expect((await t.call('GET', `${path}/metrics/?limit=abc&offset=1490`)).body.results).toHaveLength(10);
    expect((await t.call('GET', `${path}/metrics/?offset=5000`)).body.results).toEqual([]);
  });
});

describe('the metrics POST answers as 0.6.1 (issue 13 part 4)', () => {
  it('a list answers 201 with an empty body and no Content-Type; a replay of its key stores nothing twice', async () => {
    // api/experiments/views.py ExperimentMetricListView.create: a list is handed to a task and
    // answered `Response(status=HTTP_201_CREATED)`: no body, so DRF drops the Content-Type.
    const headers = { 'Idempotency-Key': 'metrics-batch-1' };
    const first = await rawPost(`${path}/metrics/`, '[{"values": {"loss": 0.5}}, {"values": {"loss": 0.25}}]', headers);
    expect(first.status).toBe(201);
    expect(first.text).toBe('');
    expect(first.headers.get('content-type')).toBeNull();
    const again = await rawPost(`${path}/metrics/`, '[{"values": {"loss": 0.5}}, {"values": {"loss": 0.25}}]', headers);
    expect(again.status).toBe(201);
    expect(again.text).toBe('');
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect((await t.call('GET', `${path}/metrics/`)).body.count).toBe(2);
  });

  it('a single object answers 201 with the stored metric: id, created_at, values, experiment', async () => {
    // ExperimentMetricSerializer (exclude = []; its declared uuid names no model field, so DRF skips it).
    const answer = await rawPost(`${path}/metrics/`, '{"values": {"loss": 0.5}, "created_at": "2020-03-04 10:33:50.123456+00:00"}');
    expect(answer.status).toBe(201);
    expect(answer.body).toEqual({
      id: expect.any(Number), created_at: '2020-03-04T10:33:50.123456Z', values: { loss: 0.5 }, experiment: Number(path.split('/').pop()),
    });
    const keyed = await rawPost(`${path}/metrics/`, '{"values": {"loss": 1.0}}', { 'Idempotency-Key': 'one-point' });
    const replayed = await rawPost(`${path}/metrics/`, '{"values": {"loss": 1.0}}', { 'Idempotency-Key': 'one-point' });
    expect(replayed.text).toBe(keyed.text);
    expect(replayed.text).toContain('"values":{"loss":1.0}');
    expect((await t.call('GET', `${path}/metrics/`)).body.count).toBe(2);
  });
});
