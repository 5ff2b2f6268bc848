import { logger } from './logger';

/**
 * Reads one best-effort value (a run env field, a browser probe): whatever goes wrong gives
 * `fallback` and one debug note, never an exception (DESIGN "degrade gracefully").
 */
export function bestEffort<T, F>(what: string, read: () => T, fallback: F): T | F {
  try {
    return read();
  } catch (error) {
    logger.debug(`run env: ${what} unavailable`, error);
    return fallback;
  }
}
