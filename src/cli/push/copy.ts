/**
 * What a source row becomes on the target: the create body, the fields a later PATCH may change,
 * a metric point with its time in the form the metrics endpoint takes, a code reference body.
 */
import { createHash } from 'node:crypto';
import type { CodeReferenceResponse, ExperimentResponse, MetricResponse } from '../../wire/schemas';

/**
 * The experiment fields copied, in the order a create sends them. Each is also what one PATCH
 * sends when it changed on the source after a push (polyaxon-v0-api.md: one field per PATCH).
 */
export const COPIED_FIELDS = ['name', 'description', 'tags', 'params', 'data_refs', 'run_env', 'framework', 'backend'] as const;
export type CopiedField = (typeof COPIED_FIELDS)[number];

/**
 * The create body: `is_managed: false` (a real server's default is true, which then asks for a
 * polyaxonfile: 400 "Experiment expects a `content`"), and the fields the source has.
 */
export function createBody(experiment: ExperimentResponse): Record<string, unknown> {
  const body: Record<string, unknown> = { is_managed: false };
  for (const field of COPIED_FIELDS) {
    const value = experiment[field];
    if (value !== null && value !== undefined) body[field] = value;
  }
  return body;
}

/** A short hash of each copied field's value, kept in the state to tell later what changed. */
export function fieldHashes(experiment: ExperimentResponse): Record<CopiedField, string> {
  const hashes = {} as Record<CopiedField, string>;
  for (const field of COPIED_FIELDS) hashes[field] = shortHash(experiment[field] ?? null);
  return hashes;
}

export function shortHash(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}

const ISO_TIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * A point's time as the metrics endpoint takes it: Python's `str(datetime)` in UTC,
 * `2020-03-04 10:33:50.123456+00:00`, microseconds omitted when zero. Servers answer ISO 8601
 * (`2020-03-04T10:33:50.123456Z`); the fraction is kept as digits, never rounded through a Date.
 */
export function pythonTime(text: string): string {
  const match = ISO_TIME.exec(text.trim());
  if (!match) return text;
  const [, date, time, fraction = '', zone = 'Z'] = match;
  let day = date;
  let clock = time;
  if (!/^(z|[+-]00:?00)$/i.test(zone)) {
    const utc = new Date(Date.parse(`${date}T${time}${zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`}`)).toISOString();
    day = utc.slice(0, 10);
    clock = utc.slice(11, 19);
  }
  const micros = fraction.padEnd(6, '0');
  return `${day} ${clock}${/^0+$/.test(micros) ? '' : `.${micros}`}+00:00`;
}

/** A source point as the target's metrics endpoint takes it. */
export function metricPointOf(point: MetricResponse): { values: Record<string, unknown>; created_at?: string } {
  return point.created_at ? { values: point.values, created_at: pythonTime(point.created_at) } : { values: point.values };
}

/**
 * The code reference as the coderef endpoint takes it: the fields that are set, or undefined when
 * none is (the run recorded a reference outside git: posted with no body, as it was).
 */
export function codeRefBody(ref: CodeReferenceResponse): Record<string, unknown> | undefined {
  const body: Record<string, unknown> = {};
  for (const field of ['commit', 'head', 'branch', 'git_url', 'is_dirty'] as const) {
    const value = ref[field];
    if (value !== null && value !== undefined && value !== '') body[field] = value;
  }
  return Object.keys(body).length > 0 ? body : undefined;
}
