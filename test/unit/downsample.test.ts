import { describe, expect, it } from 'vitest';
import { downsample } from '../../src/server/downsample';

const line = (count: number, y: (i: number) => number | null) => ({
  x: Array.from({ length: count }, (_, i) => i),
  y: Array.from({ length: count }, (_, i) => y(i)),
});

describe('min/max downsampling of a chart series', () => {
  it('returns the points unchanged when there are no more than max_points', () => {
    const points = line(100, (i) => i);
    expect(downsample(points, 100)).toBe(points);
  });

  it('keeps at most max_points, the first and last point, and every spike', () => {
    const points = line(1_000_000, (i) => (i === 123_457 ? 50 : i === 876_543 ? -50 : Math.sin(i / 1000)));
    const kept = downsample(points, 2000);
    expect(kept.x.length).toBeLessThanOrEqual(2000);
    expect(kept.x.length).toBeGreaterThan(1000);
    expect(kept.x[0]).toBe(0);
    expect(kept.x.at(-1)).toBe(999_999);
    expect(kept.y).toContain(50);
    expect(kept.y).toContain(-50);
    expect(kept.x).toContain(123_457);
    expect([...kept.x].sort((a, b) => a - b)).toEqual(kept.x);
    expect(new Set(kept.x).size).toBe(kept.x.length);
  });

  it('keeps per bucket first, min, max and last in x order, without duplicates', () => {
    // 8 points, max 4 → one bucket: first (0), min (5 → -3), max (2 → 9), last (7).
    const points = { x: [0, 1, 2, 3, 4, 5, 6, 7], y: [1, 2, 9, 3, 2, -3, 4, 5] };
    expect(downsample(points, 4)).toEqual({ x: [0, 2, 5, 7], y: [1, 9, -3, 5] });
    // The first point is also the max: kept once.
    expect(downsample({ x: [0, 1, 2, 3, 4], y: [9, 2, 1, 3, 4] }, 4)).toEqual({ x: [0, 2, 4], y: [9, 1, 4] });
  });

  it('skips null values for min and max but keeps a null first or last point', () => {
    const points = { x: [0, 1, 2, 3, 4, 5], y: [null, 5, null, -1, 2, null] };
    expect(downsample(points, 4)).toEqual({ x: [0, 1, 3, 5], y: [null, 5, -1, null] });
  });

  it('puts points with one x value into one bucket', () => {
    const points = { x: [3, 3, 3, 3, 3, 3], y: [1, 0, 7, 2, 2, 4] };
    expect(downsample(points, 4)).toEqual({ x: [3, 3, 3, 3], y: [1, 0, 7, 4] });
  });
});
