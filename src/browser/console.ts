import type { ConsoleLevel } from '../runtime/environment';
import { LOG_PREFIX, writingOwnMessage } from '../runtime/logger';

const LEVELS: readonly ConsoleLevel[] = ['log', 'info', 'warn', 'error', 'debug'];

/** One captured line at most this long; a logged tensor dump must not fill the queue. */
export const MAX_LINE_CHARS = 16_384;

type ConsoleMethod = (...args: unknown[]) => void;

/** Our wrappers, so an uninstall restores a method only while ours is still the installed one. */
const wrappers = new WeakMap<ConsoleMethod, ConsoleLevel>();

/**
 * Mirrors console.log/info/warn/error/debug into `sink`. The console itself behaves exactly as
 * before (the original method runs first, with the same arguments and `this`). The library's own
 * messages are skipped, and a sink that logs cannot recurse. Returns the uninstaller; when other
 * code wrapped the console after us, our wrapper stays in its chain but stops forwarding.
 */
export function captureBrowserConsole(
  sink: (level: ConsoleLevel, line: string) => void,
  target: Record<string, unknown> = console as never,
): () => void {
  const originals = new Map<ConsoleLevel, ConsoleMethod>();
  let active = true;
  let inSink = false;

  for (const level of LEVELS) {
    const original = target[level];
    if (typeof original !== 'function') continue;
    originals.set(level, original as ConsoleMethod);
    const wrapper: ConsoleMethod = function (this: unknown, ...args: unknown[]) {
      (original as ConsoleMethod).apply(this, args);
      if (!active || inSink || writingOwnMessage || isOwnMessage(args)) return;
      inSink = true;
      try {
        sink(level, formatConsoleArgs(args));
      } catch {
        // A failing sink must never break the page's logging.
      } finally {
        inSink = false;
      }
    };
    target[level] = wrapper;
    wrappers.set(wrapper, level);
  }

  return () => {
    if (!active) return;
    active = false;
    for (const [level, original] of originals) {
      const current = target[level] as ConsoleMethod;
      if (wrappers.get(current) === level) target[level] = original;
    }
  };
}

function isOwnMessage(args: unknown[]): boolean {
  return typeof args[0] === 'string' && args[0].startsWith(LOG_PREFIX);
}

/**
 * Formats console arguments roughly as a browser console prints them: a leading format string's
 * `%s %d %i %f %o %O %j %c` substitutions, strings as they are, Errors with their stack, other
 * objects as JSON (cycles marked), everything joined by spaces.
 */
export function formatConsoleArgs(args: readonly unknown[]): string {
  const rest = [...args];
  const parts: string[] = [];
  if (typeof rest[0] === 'string' && rest.length > 1 && rest[0].includes('%')) {
    parts.push(substitute(rest.shift() as string, rest));
  }
  for (const value of rest) parts.push(formatValue(value));
  const line = parts.join(' ');
  return line.length > MAX_LINE_CHARS ? `${line.slice(0, MAX_LINE_CHARS)}… [truncated]` : line;
}

function substitute(format: string, rest: unknown[]): string {
  return format.replace(/%([sdifoOjc%])/g, (match, directive: string) => {
    if (directive === '%') return '%';
    if (rest.length === 0) return match;
    const value = rest.shift();
    switch (directive) {
      case 's':
        return typeof value === 'string' ? value : formatValue(value);
      case 'd':
      case 'i':
        return typeof value === 'bigint' ? `${value}n` : String(directive === 'i' ? Math.trunc(Number(value)) : Number(value));
      case 'f':
        return String(Number(value));
      case 'c':
        return '';
      default:
        return formatValue(value);
    }
  });
}

export function formatValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Error) return errorText(value);
  if (typeof value === 'function') return `[Function ${value.name || '(anonymous)'}]`;
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'symbol' || typeof value !== 'object' || value === null) return String(value);
  return safeJson(value);
}

function errorText(error: Error): string {
  const stack = typeof error.stack === 'string' ? error.stack : '';
  const head = `${error.name}: ${error.message}`;
  // V8 stacks start with "Name: message"; Firefox and Safari stacks hold only the frames.
  return stack.startsWith(head) || stack.startsWith(error.name) ? stack : stack ? `${head}\n${stack}` : head;
}

function safeJson(value: object): string {
  const ancestors: object[] = [];
  try {
    return JSON.stringify(value, function (this: unknown, _key, item: unknown) {
      if (typeof item === 'bigint') return `${item}n`;
      if (typeof item === 'function') return `[Function ${item.name || '(anonymous)'}]`;
      if (typeof item === 'symbol') return item.toString();
      if (item instanceof Error) return errorText(item);
      if (item === null || typeof item !== 'object') return item;
      // Only a true ancestor is a cycle; the same object twice side by side is printed twice.
      while (ancestors.length > 0 && ancestors[ancestors.length - 1] !== this) ancestors.pop();
      if (ancestors.includes(item)) return '[Circular]';
      ancestors.push(item);
      return item;
    }) ?? String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
