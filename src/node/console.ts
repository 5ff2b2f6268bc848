import { format } from 'node:util';
import type { ConsoleLevel } from '../runtime/environment';
import { LOG_PREFIX, logger, writingOwnMessage } from '../runtime/logger';

export type ConsoleSink = (level: ConsoleLevel, line: string) => void;

const LEVELS: readonly ConsoleLevel[] = ['log', 'info', 'warn', 'error', 'debug'];

type ConsoleMethod = (...args: unknown[]) => void;

/**
 * A registry of sinks behind one wrapper per console method, rather than a wrapper per capture:
 * stacked captures can then be removed in any order without one restoring a method another
 * still relies on.
 */
const sinks = new Set<{ sink: ConsoleSink }>();
/** Each wrapper of ours and the method it wraps. */
const wrapped = new WeakMap<ConsoleMethod, ConsoleMethod>();
/** Wrapper calls in progress: only the outermost delivers, when another wrapper sits between two of ours. */
let depth = 0;
/** Set while sinks run, so a sink that logs to the console is not captured into itself. */
let delivering = false;

/**
 * Mirrors console.log/info/warn/error/debug into `sink` as `util.format` lines (what Node
 * prints). The console's own output is unchanged; the library's own messages are skipped; a
 * throwing sink is swallowed. Returns the uninstaller (idempotent).
 */
export function captureConsole(sink: ConsoleSink): () => void {
  const entry = { sink };
  sinks.add(entry);
  installWrappers();
  return () => {
    if (!sinks.delete(entry)) return;
    if (sinks.size === 0) removeWrappers();
  };
}

function installWrappers(): void {
  for (const level of LEVELS) {
    const current = console[level] as ConsoleMethod;
    if (wrapped.has(current)) continue;
    const wrapper = function capturedConsoleMethod(this: unknown, ...args: unknown[]): void {
      depth += 1;
      try {
        current.apply(this, args);
      } finally {
        depth -= 1;
      }
      if (depth === 0) deliver(level, args);
    };
    wrapped.set(wrapper, current);
    console[level] = wrapper;
  }
}

/**
 * Unwinds our wrappers from the top of each method. A wrapper someone else installed on top of
 * ours is left alone (restoring below it would throw theirs away), and ours beneath it stays as
 * a pass-through that delivers to no sink while the registry is empty.
 */
function removeWrappers(): void {
  for (const level of LEVELS) {
    let method = console[level] as ConsoleMethod;
    for (let inner = wrapped.get(method); inner; inner = wrapped.get(method)) method = inner;
    console[level] = method;
  }
}

function deliver(level: ConsoleLevel, args: unknown[]): void {
  if (sinks.size === 0 || delivering || writingOwnMessage) return;
  delivering = true;
  try {
    const line = format(...args);
    if (line.startsWith(LOG_PREFIX)) return;
    for (const { sink } of [...sinks]) {
      try {
        sink(level, line);
      } catch (error) {
        logger.debug('console capture: a sink threw', error);
      }
    }
  } catch (error) {
    // util.format runs user code (custom inspect, getters); its failure must not reach the caller.
    logger.debug('console capture: formatting failed', error);
  } finally {
    delivering = false;
  }
}
