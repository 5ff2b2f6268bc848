import { expect, it } from 'vitest';
import { metricPoint } from '../../src/wire/metric-point';

it('bounds the JSON size of a point from above, for short and longest-form numbers', () => {
  const cases: Array<Record<string, number>> = [
    { step: 1, loss: 0.5 },
    { step: 123456, loss: -2.2250738585072014e-308, acc: 1 / 3, val_loss: Number.MAX_VALUE },
    { x: 0 },
  ];
  for (const values of cases) {
    const { body, bytes } = metricPoint(values, Date.UTC(2024, 0, 2, 3, 4, 5, 678));
    expect(body).toEqual({ values, created_at: '2024-01-02 03:04:05.678000+00:00' });
    expect(bytes).toBeGreaterThanOrEqual(JSON.stringify(body).length);
    expect(bytes).toBeLessThan(JSON.stringify(body).length + 25 * Object.keys(values).length);
  }
});
