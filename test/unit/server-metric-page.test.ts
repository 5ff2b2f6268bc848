import { describe, expect, it } from 'vitest';
import { stringifyJson } from '../../src/server/json/raw-json';
import type { MetricRecord } from '../../src/server/model';
import { metricBody, metricPageJson } from '../../src/server/serialize';

describe('metrics page as JSON text', () => {
  it('is byte for byte the page of metric bodies, from the stored values text as sent', () => {
    const points: MetricRecord[] = [
      { id: 7, experiment: 3, createdAt: '2020-03-04T10:33:50.123456Z', values: { step: 1, loss: 0.1 }, valuesJson: '{"step":1,"loss":0.10}' },
      {
        id: 8, experiment: 3, createdAt: '2020-03-04T10:33:51.000Z', values: { 'a "quoted"\nkey': -1e-7, 'ü/ß': 2 },
        valuesJson: '{"a \\"quoted\\"\\nkey":-1E-7,"ü/ß":2.0}',
      },
    ];
    const page = { count: 40, next: 'http://127.0.0.1:1/api/v1/x/?offset=2&q="', previous: null };
    const rows = points.map(({ values, ...rest }) => rest);
    const text = metricPageJson(page, rows);
    expect(text).toBe(stringifyJson({ ...page, results: points.map(metricBody) }));
    // Datetimes as DRF writes them; values as sent.
    expect(text).toContain('"created_at":"2020-03-04T10:33:51Z","values":{"a \\"quoted\\"\\nkey":-1E-7,"ü/ß":2.0}');
    expect(JSON.parse(text).results[1].values).toEqual(points[1].values);
    expect(metricPageJson({ count: 0, next: null, previous: null }, [])).toBe('{"count":0,"next":null,"previous":null,"results":[]}');
  });
});
