/**
 * The library's one logger. Silent by default except for one warning per kind of trouble,
 * so a training loop's console is never flooded. Messages are tagged so console capture can
 * recognise and skip them.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };
export const LOG_PREFIX = '[polyaxon-tracking]';

let level: LogLevel = 'warn';
const warnedKinds = new Set<string>();

/** Messages written by the library itself; console capture checks this flag to skip them. */
export let writingOwnMessage = false;

export function setLogLevel(next: LogLevel): void {
  level = next;
}

function emit(at: LogLevel, message: string, detail?: unknown): void {
  if (ORDER[at] < ORDER[level]) return;
  const method = at === 'debug' ? 'debug' : at === 'info' ? 'info' : at === 'warn' ? 'warn' : 'error';
  writingOwnMessage = true;
  try {
    if (detail === undefined) console[method](`${LOG_PREFIX} ${message}`);
    else console[method](`${LOG_PREFIX} ${message}`, detail);
  } finally {
    writingOwnMessage = false;
  }
}

export const logger = {
  debug: (message: string, detail?: unknown) => emit('debug', message, detail),
  info: (message: string, detail?: unknown) => emit('info', message, detail),
  error: (message: string, detail?: unknown) => emit('error', message, detail),
  /** Warns once per `kind` for the life of the process or page. */
  warnOnce(kind: string, message: string, detail?: unknown): void {
    if (warnedKinds.has(kind)) return;
    warnedKinds.add(kind);
    emit('warn', message, detail);
  },
  /** Tests reset the once-per-kind memory between cases. */
  resetWarnings(): void {
    warnedKinds.clear();
  },
};
