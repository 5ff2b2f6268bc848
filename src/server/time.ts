/**
 * Metric timestamps arrive in Python's `str(datetime)` form (`2020-03-04 10:33:50.123456+00:00`,
 * microseconds omitted when zero) or as ISO 8601. They are kept as ISO 8601 in UTC with the
 * microseconds the client sent, so nothing the client measured is rounded away.
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
  const micros = fraction.padEnd(6, '0');
  return `${iso.slice(0, 20)}${micros}Z`;
}

function normalizeZone(zone: string): string {
  if (zone.toUpperCase() === 'Z') return 'Z';
  return zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
}
