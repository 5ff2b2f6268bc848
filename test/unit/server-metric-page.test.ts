import { describe, expect, it } from 'vitest';
import type { MetricRecord } from '../../src/server/model';
import { metricBody, metricPageJson } from '../../src/server/serialize';

describe('metrics page as JSON text', () => {
  it('is byte for byte JSON.stringify of the page of metric bodies, from the stored values text', () => {
    const points: MetricRecord[] = [
      { id: 7, uuid: 'a'.repeat(32), experiment: 3, createdAt: '2020-03-04T10:33:50.123456Z', values: { step: 1, loss: 0.1 } },
      { id: 8, uuid: 'b'.repeat(32), experiment: 3, createdAt: '2020-03-04T10:33:51.000Z', values: { 'a "quoted"\nkey': -1e-7, 'ü/ß': 2 } },
    ];
    const page = { count: 40, next: 'http://127.0.0.1:1/api/v1/x/?offset=2&q="', previous: null };
    const rows = points.map(({ values, ...rest }) => ({ ...rest, valuesJson: JSON.stringify(values) }));
    expect(metricPageJson(page, rows)).toBe(JSON.stringify({ ...page, results: points.map(metricBody) }));
    expect(metricPageJson({ count: 0, next: null, previous: null }, [])).toBe('{"count":0,"next":null,"previous":null,"results":[]}');
  });
});
