import { PolyaxonError, type PolyaxonErrorKind } from '../runtime/errors';
import { logger } from '../runtime/logger';
import { serverOrigin, troubleKey, troubleLine, type Trouble } from '../runtime/trouble';
import type { ResolvedOutboxOptions } from './options';
import type { OutboxRequest } from './requests';

/**
 * How the sender tells of trouble: one warning line per kind and server (runtime/trouble.ts),
 * every failure kept for `stats().lastError`, and `onError` told once per kind of trouble (and for
 * every drop), never once per retry.
 */
export class TroubleReport {
  readonly #told = new Set<string>();

  constructor(
    private readonly settings: ResolvedOutboxOptions['settings'],
    private readonly record: (error: PolyaxonError, notify: boolean) => void,
  ) {}

  /** Warns once per kind and server with the line for `trouble`, and gives that line. */
  tell(trouble: Trouble): string {
    const origin = serverOrigin(this.settings().baseUrl);
    const line = troubleLine(origin, trouble);
    logger.warnOnce(troubleKey(origin, trouble), line);
    return line;
  }

  failed(error: PolyaxonError, notify: boolean): void {
    const once = error.help === undefined || !this.#told.has(error.help);
    if (error.help !== undefined) this.#told.add(error.help);
    this.record(error, notify && once);
  }
}

export function errorFor(kind: PolyaxonErrorKind, status: number, request: OutboxRequest | undefined, message: string, help?: string): PolyaxonError {
  return new PolyaxonError(kind, status, request?.method ?? 'POST', request?.url ?? '', message, undefined, help);
}

/** The path of a request's URL, for a line that names what was refused. */
export function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}
