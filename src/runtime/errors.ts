/** What went wrong with a request, as a closed set so callers can switch on it. */
export type PolyaxonErrorKind =
  | 'bad_request'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'over_limit'
  | 'server'
  | 'network'
  | 'timeout';

/** Error raised by PolyaxonClient for a failed request. Never carries the token. */
export class PolyaxonError extends Error {
  override readonly name = 'PolyaxonError';
  constructor(
    readonly kind: PolyaxonErrorKind,
    /** HTTP status, or 0 when no response arrived (network, timeout). */
    readonly status: number,
    readonly method: string,
    readonly url: string,
    /** The server's own message (its `detail`, field errors, or body text). */
    readonly serverMessage: string,
    /** The response body as parsed JSON, when there was one. */
    readonly body?: unknown,
    /**
     * For the outbox's own requests: one line naming the server (`http://host:port`), what it
     * answered and what to do about it. It is then the error's message.
     */
    readonly help?: string,
  ) {
    super(help ?? `${method} ${url} failed: ${status ? `${status} ` : ''}${kind}${serverMessage ? `: ${serverMessage}` : ''}`);
  }
}

/** Maps an HTTP status to the error kind. */
export function errorKindForStatus(status: number): PolyaxonErrorKind {
  if (status === 401) return 'unauthenticated';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 408) return 'timeout';
  if (status === 413 || status === 429) return 'over_limit';
  if (status >= 500) return 'server';
  return 'bad_request';
}

/** Input refused before anything was queued or sent: names the field and the rule it broke. */
export class ValidationError extends Error {
  override readonly name = 'ValidationError';
  constructor(
    readonly field: string,
    readonly rule: string,
  ) {
    super(`${field}: ${rule}`);
  }
}
