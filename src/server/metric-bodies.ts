import * as z from 'zod';
import { badRequest } from './http';
import { normalizeTimestamp } from './time';
import { parseOrRefuse } from './validation';

/** One metrics point as the metrics endpoint takes it, once validated. */
export interface MetricBody {
  values: Record<string, unknown>;
  created_at?: string | null;
}

/**
 * A metric value: a finite number, a boolean or null. Polyaxon 0.6.1 stores any JSON there
 * (ExperimentMetric.values is a JSONField) and its Python client sends None for a value it cannot
 * read as a number (`parse_numbers`, polyaxon_client/api/experiment.py); text and objects are
 * still refused here, since a chart has nothing to draw from them.
 */
const isMetricValue = (value: unknown): boolean =>
  value === null || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));

const VALUE_RULE = 'Every metric value must be a finite number, a boolean or null.';
const metricValue = z.custom<unknown>(isMetricValue, { error: VALUE_RULE });

const metricBodySchema = z.object({
  values: z.record(z.string(), metricValue, { error: 'Expected a dictionary of metric values.' }),
  created_at: z
    .string({ error: 'Datetime has wrong format.' })
    .nullable()
    .optional()
    .refine((text) => !text || normalizeTimestamp(text) !== null, 'Datetime has wrong format.'),
});

/**
 * The points of a metrics body (a list, or one object) as they are, or a 400 naming each broken
 * field. Checking by hand first keeps validation off the ingest profile (a schema parse cost more
 * per point than storing it) and keeps every name, `__proto__` included (a schema's record drops
 * that one).
 */
export function metricBodies(body: unknown): MetricBody[] {
  const items = Array.isArray(body) ? body : [body];
  if (items.every(isMetricBody)) return items as MetricBody[];
  if (Array.isArray(body)) parseOrRefuse(z.array(metricBodySchema), body);
  else parseOrRefuse(metricBodySchema, body);
  // Only a value named `__proto__`, which the schema's record does not see, gets here.
  throw badRequest({ values: [VALUE_RULE] });
}

function isMetricBody(item: unknown): boolean {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return false;
  const { values, created_at: createdAt } = item as Record<string, unknown>;
  if (typeof values !== 'object' || values === null || Array.isArray(values)) return false;
  for (const name in values) if (!isMetricValue((values as Record<string, unknown>)[name])) return false;
  if (createdAt === undefined || createdAt === null || createdAt === '') return true;
  return typeof createdAt === 'string' && normalizeTimestamp(createdAt) !== null;
}
