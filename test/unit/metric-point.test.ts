import { expect, it } from 'vitest';
import { metricPoint } from '../../src/wire/metric-point';
import { copyAtCall } from '../../src/wire/validation';

it('writes by hand exactly the JSON that JSON.stringify gives for the body', () => {
  const hostile = copyAtCall(JSON.parse('{"__proto__": 1, "constructor": 2, "a\\"b\\\\c\\n": 3, "ünï": 4, "2": 5, "10": 6}'));
  const cases: Array<Record<string, number | null>> = [
    { step: 1, loss: 0.5 },
    { step: 123456, loss: -2.2250738585072014e-308, acc: 1 / 3, val_loss: Number.MAX_VALUE, tiny: 5e-324, big: 1e21 },
    { x: 0, y: -0, z: null },
    hostile as Record<string, number>,
  ];
  for (const values of cases) {
    const { body, json } = metricPoint(values, Date.UTC(2024, 0, 2, 3, 4, 5, 678));
    expect(body).toEqual({ values, created_at: '2024-01-02 03:04:05.678000+00:00' });
    expect(json).toBe(JSON.stringify(body));
    expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(body)));
  }
});
