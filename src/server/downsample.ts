/**
 * Min/max downsampling of one chart series, as the series endpoint promises: a line drawn from
 * the result keeps every spike of the full series. Pure, so any store can answer with it.
 */

export interface SeriesPoints {
  x: number[];
  y: Array<number | null>;
}

/** Smallest and largest `max_points` the series endpoint accepts. */
export const MIN_SERIES_POINTS = 2;
export const MAX_SERIES_POINTS = 100_000;

/**
 * `points` in x order, cut to at most `maxPoints`: when more are given, the x range is split into
 * `maxPoints / 4` equal buckets (at least 1) and each bucket keeps its first, min-y, max-y and last
 * point, in x order without duplicates, so the range's first and last points always stay. `null`
 * ys are skipped for min/max. With `maxPoints` points or fewer, the points come back unchanged.
 */
export function downsample(points: SeriesPoints, maxPoints: number): SeriesPoints {
  const count = points.x.length;
  if (count <= maxPoints) return points;
  const { x, y } = points;
  const buckets = Math.max(1, Math.floor(maxPoints / 4));
  const first = x[0];
  const span = x[count - 1] - first;
  const scale = span > 0 ? buckets / span : 0;
  const out: SeriesPoints = { x: [], y: [] };
  const keep = (index: number) => {
    out.x.push(x[index]);
    out.y.push(y[index]);
  };
  // Walk bucket by bucket: `start` is the bucket's first index, `end` one past its last.
  let start = 0;
  while (start < count) {
    const bucket = Math.min(buckets - 1, Math.floor((x[start] - first) * scale));
    let end = start + 1;
    let minAt = -1;
    let maxAt = -1;
    let minY = Infinity;
    let maxY = -Infinity;
    for (let index = start; index < count; index += 1) {
      if (index > start && Math.min(buckets - 1, Math.floor((x[index] - first) * scale)) !== bucket) break;
      end = index + 1;
      const value = y[index];
      if (value === null) continue;
      if (value < minY) {
        minY = value;
        minAt = index;
      }
      if (value > maxY) {
        maxY = value;
        maxAt = index;
      }
    }
    // First, min, max, last of the bucket in x order, each once.
    const last = end - 1;
    const low = minAt < 0 ? start : Math.min(minAt, maxAt);
    const high = minAt < 0 ? start : Math.max(minAt, maxAt);
    keep(start);
    if (low > start) keep(low);
    if (high > low) keep(high);
    if (last > high && last > start) keep(last);
    start = end;
  }
  return out;
}
