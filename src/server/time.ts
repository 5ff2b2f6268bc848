/**
 * Metric timestamps arrive in Python's `str(datetime)` form (`2020-03-04 10:33:50.123456+00:00`,
 * microseconds omitted when zero) or as ISO 8601. They are kept in DRF's form (`drfDateTime`) in
 * UTC with the microseconds the client sent, so nothing the client measured is rounded away.
 */
const TIMESTAMP = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?(Z|[+-]\d{2}:?\d{2})?$/i;

/** The ISO form of `text`, or null when it is not a timestamp. A missing zone means UTC. */
export function normalizeTimestamp(text: string): string | null {
  // Points logged in the same millisecond share one string (the client stamps them so).
  if (text === lastText) return lastResult;
  lastResult = parseTimestamp(text);
  lastText = text;
  return lastResult;
}

let lastText: string | undefined;
let lastResult: string | null = null;

function parseTimestamp(text: string): string | null {
  const match = TIMESTAMP.exec(text.trim());
  if (!match) return null;
  const [, date, time, fraction = '', zone = 'Z'] = match;
  const millis = Date.parse(`${date}T${time}.${fraction.padEnd(3, '0').slice(0, 3)}${normalizeZone(zone)}`);
  if (Number.isNaN(millis)) return null;
  const iso = new Date(millis).toISOString();
  // toISOString keeps milliseconds; the client's extra digits are put back.
  return withMicros(iso.slice(0, 19), fraction);
}

/**
 * An ISO 8601 UTC time as Django REST framework writes datetimes (DateTimeField.to_representation:
 * `isoformat()` with `+00:00` written `Z`): six fraction digits, none when they are all zero,
 * `2020-03-04T10:33:50.123000Z`, `2020-03-04T10:33:50Z`.
 */
export function drfDateTime(iso: string): string;
export function drfDateTime(iso: string | null): string | null;
export function drfDateTime(iso: string | null): string | null {
  if (iso === null) return null;
  if (isDrfForm(iso)) return iso;
  const match = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?Z$/.exec(iso);
  return match ? withMicros(match[1], match[2] ?? '') : iso;
}

/** `…:SSZ` or `…:SS.ffffffZ` (not all zeros): what the store writes, checked without a regex (a metrics page has 300,000). */
function isDrfForm(iso: string): boolean {
  if (iso.length === 20) return iso.charCodeAt(19) === 90;
  return iso.length === 27 && iso.charCodeAt(19) === 46 && iso.charCodeAt(26) === 90 && !iso.endsWith('.000000Z');
}

function withMicros(seconds: string, fraction: string): string {
  const micros = fraction.padEnd(6, '0');
  return micros === '000000' ? `${seconds}Z` : `${seconds}.${micros}Z`;
}

function normalizeZone(zone: string): string {
  if (zone.toUpperCase() === 'Z') return 'Z';
  return zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
}
