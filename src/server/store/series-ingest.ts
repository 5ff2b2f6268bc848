import type { MetricRecord } from '../model';
import type { SeriesPoints } from './series-blocks';

/**
 * Turns stored metric points into per-name series points, as the series endpoint reads them
 * (contract: x=step is the point's numeric `step`, else its 0-based position in the run; time is
 * `created_at` in Unix seconds; a y that is not a number is null, a boolean counts as 0/1).
 */
export function seriesPointsOf(metrics: readonly MetricRecord[], firstSeq: number): Map<string, SeriesPoints> {
  const byName = new Map<string, SeriesPoints>();
  let lastCreatedAt = '';
  let lastTime = 0;
  metrics.forEach((metric, index) => {
    const values = metric.values as Record<string, unknown>;
    const step = typeof values.step === 'number' && Number.isFinite(values.step) ? values.step : firstSeq + index;
    if (metric.createdAt !== lastCreatedAt) {
      lastCreatedAt = metric.createdAt;
      lastTime = unixSeconds(metric.createdAt);
    }
    for (const [name, value] of Object.entries(values)) {
      let points = byName.get(name);
      if (!points) {
        points = { step: [], time: [], y: [] };
        byName.set(name, points);
      }
      points.step.push(step);
      points.time.push(lastTime);
      points.y.push(typeof value === 'number' ? value : typeof value === 'boolean' ? Number(value) : Number.NaN);
    }
  });
  return byName;
}

/** `2020-01-02T03:04:05.123456Z` as Unix seconds, microseconds kept (Date.parse keeps milliseconds). */
export function unixSeconds(iso: string): number {
  const millis = Date.parse(iso);
  const fraction = /\.(\d+)/.exec(iso)?.[1] ?? '';
  const micros = fraction.length > 3 ? Number(fraction.slice(3, 6).padEnd(3, '0')) : 0;
  return millis / 1000 + micros / 1e6;
}
