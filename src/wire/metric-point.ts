import { pythonDatetime } from './format';

/** One metrics point as the metrics endpoint takes it. */
export interface MetricPointBody {
  /** `null` as Polyaxon stores it (F35). */
  values: Record<string, number | null>;
  created_at: string;
}

/** The JSON of a finite double is at most 24 characters (`-2.2250738585072014e-308`). */
const MAX_NUMBER_JSON_LENGTH = 24;
/** `{"values":{},"created_at":""}` */
const POINT_JSON_OVERHEAD = 29;

/**
 * The body of one `logMetrics` call and its JSON size, without serialising it: this runs once per
 * point on the training loop's hot path, where `JSON.stringify` cost more than everything else.
 * The size counts every number at its longest form, so it is a bound the batch byte limit can
 * rely on (metric names are counted as written: they are identifiers in practice).
 */
export function metricPoint(values: Record<string, number | null>, ms: number): { body: MetricPointBody; bytes: number } {
  const created_at = pythonDatetime(ms);
  let bytes = POINT_JSON_OVERHEAD + created_at.length;
  for (const key in values) bytes += key.length + 4 + MAX_NUMBER_JSON_LENGTH;
  return { body: { values, created_at }, bytes };
}

/**
 * Whether a point's keys, in `for...in` order (the order its body is written in), are exactly
 * `keys`: a training loop logs the same keys call after call, and what was worked out for the
 * last point's keys holds for this one.
 */
export function hasKeysInOrder(values: Record<string, unknown>, keys: readonly string[]): boolean {
  let count = 0;
  for (const key in values) {
    if (count === keys.length || key !== keys[count]) return false;
    count++;
  }
  return count === keys.length;
}
