import { normalizeTimestamp } from './time';

/** One metrics point as the metrics endpoint takes it, once validated. */
export interface MetricBody {
  values: Record<string, number | boolean>;
  created_at?: string | null;
}

/**
 * The metrics list as it is, when every point is plainly valid (values finite numbers or
 * booleans, created_at absent, null or a timestamp); otherwise null, and the caller's schema
 * parse produces the field errors. Checking by hand first keeps validation off the ingest
 * profile: the schema parse cost more per point than storing the point.
 */
export function wellFormedMetricBodies(body: unknown): MetricBody[] | null {
  if (!Array.isArray(body)) return null;
  for (const item of body) {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) return null;
    const { values, created_at: createdAt } = item as Record<string, unknown>;
    if (typeof values !== 'object' || values === null || Array.isArray(values)) return null;
    for (const key in values) {
      const value = (values as Record<string, unknown>)[key];
      if (typeof value === 'number' ? !Number.isFinite(value) : typeof value !== 'boolean') return null;
    }
    if (createdAt !== undefined && createdAt !== null && (typeof createdAt !== 'string' || (createdAt !== '' && normalizeTimestamp(createdAt) === null))) {
      return null;
    }
  }
  return body as MetricBody[];
}

/** The values with booleans counted as 0/1; the same object when there is none. */
export function numericValues(values: Record<string, number | boolean>): Record<string, number> {
  for (const key in values) {
    if (typeof values[key] === 'boolean') {
      return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, Number(value)]));
    }
  }
  return values as Record<string, number>;
}
