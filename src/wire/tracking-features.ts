/**
 * What the local server promises beyond Polyaxon, and the request headers a page may send to a
 * server that promised nothing.
 */

/** The request header whose value names a write; a server that knows it stores a repeat once. */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

/**
 * On every answer of the local server, listed in `Access-Control-Expose-Headers` so a page can
 * read it: a comma-separated list of features. A Polyaxon 0.6.1 server sends none.
 */
export const TRACKING_FEATURES_HEADER = 'X-Polyaxon-Tracking';
/** The feature that lets a page send `Idempotency-Key` (the server deduplicates by it and allows it in CORS). */
export const IDEMPOTENCY_FEATURE = 'idempotency';

/**
 * The request headers a Polyaxon 0.6.1 deployment lets a page send: django-cors-headers 2.4.0
 * `default_headers` plus Polyaxon's three (polyaxon/polyaxon/config_settings/cors.py at tag
 * 0.6.1, `CORS_ALLOW_HEADERS`). Lowercase, as browsers compare them; the last three keep their
 * underscores, so no hyphenated custom header passes a preflight.
 */
export const POLYAXON_CORS_ALLOWED_HEADERS: readonly string[] = [
  'accept',
  'accept-encoding',
  'authorization',
  'content-type',
  'dnt',
  'origin',
  'user-agent',
  'x-csrftoken',
  'x-requested-with',
  'x_polyaxon_cli_version',
  'x_polyaxon_client_version',
  'x_polyaxon_internal',
];

/** Whether a `X-Polyaxon-Tracking` value (null: absent) lists `feature`; names fold case. */
export function announcesFeature(value: string | null | undefined, feature: string): boolean {
  if (!value) return false;
  return value.split(',').some((item) => item.trim().toLowerCase() === feature);
}
