/**
 * Text formats on the wire that come from Python: metric `created_at` and log lines
 * (polyaxon-v0-api.md, "What each tracking method sends").
 */
import type { ConsoleLevel } from '../runtime/environment';

/** Level names as Python's logging module writes them. */
export type PythonLogLevel = 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR' | 'CRITICAL';

const CONSOLE_TO_PYTHON: Record<ConsoleLevel, PythonLogLevel> = {
  debug: 'DEBUG',
  log: 'INFO',
  info: 'INFO',
  warn: 'WARNING',
  error: 'ERROR',
};

/** The Python logging level a console method's output is filed under. */
export function pythonLogLevel(level: ConsoleLevel | PythonLogLevel): PythonLogLevel {
  return CONSOLE_TO_PYTHON[level as ConsoleLevel] ?? (level as PythonLogLevel);
}

/** `YYYY-MM-DD`, `HH:MM:SS` and the millisecond digits of a UTC instant. */
function utcParts(ms: number): { day: string; clock: string; millis: string } {
  const date = new Date(Math.floor(ms));
  if (Number.isNaN(date.getTime())) throw new RangeError(`not a valid time: ${ms}`);
  const iso = date.toISOString();
  const split = iso.indexOf('T');
  return { day: iso.slice(0, split), clock: iso.slice(split + 1, split + 9), millis: iso.slice(split + 10, split + 13) };
}

/**
 * Python `str(datetime)` of a UTC instant given in ms since the epoch:
 * `2020-03-04 10:33:50.123000+00:00`, or `2020-03-04 10:33:50+00:00` when the sub-second part is
 * zero (Python omits zero microseconds). JS clocks give milliseconds, so the last three
 * microsecond digits are always 0; a fractional `ms` is truncated.
 */
export function pythonDatetime(ms: number): string {
  // logMetrics stamps every point: points logged in the same millisecond share one string.
  if (ms === lastDatetimeMs) return lastDatetime;
  const { day, clock, millis } = utcParts(ms);
  lastDatetime = `${day} ${clock}${millis === '000' ? '' : `.${millis}000`}+00:00`;
  lastDatetimeMs = ms;
  return lastDatetime;
}

let lastDatetimeMs = Number.NaN;
let lastDatetime = '';

/** `pythonDatetime`'s two forms: without and with the sub-second digits. */
const PYTHON_DATETIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{3})000)?\+00:00$/;

/** The instant (ms) `pythonDatetime` writes as `text`; NaN when it writes no instant so. */
export function pythonDatetimeMs(text: string): number {
  const parts = PYTHON_DATETIME.exec(text);
  if (!parts) return Number.NaN;
  const [, year, month, day, hours, minutes, seconds, millis] = parts;
  const ms = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hours), Number(minutes), Number(seconds), Number(millis ?? 0));
  // What Date.UTC accepts but pythonDatetime never writes (a 13th month, years before 100, ...) fails here.
  return Number.isFinite(ms) && pythonDatetime(ms) === text ? ms : Number.NaN;
}

/** The length of `pythonDatetime(ms)`, without writing it. */
export function pythonDatetimeLength(ms: number): number {
  return Math.floor(ms) % 1000 === 0 ? 25 : 32;
}

/** One log line as the logs endpoint takes it: `2020-03-04 10:33:50 UTC INFO -- message`. */
export function logLine(level: ConsoleLevel | PythonLogLevel, message: string, ms: number): string {
  const { day, clock } = utcParts(ms);
  return `${day} ${clock} UTC ${pythonLogLevel(level)} -- ${message}`;
}
