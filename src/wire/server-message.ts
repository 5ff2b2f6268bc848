/** Longest server text kept in an error: a proxy's HTML error page must not flood a log line. */
const MAX_MESSAGE_CHARS = 500;

/**
 * The human part of a Polyaxon error body (polyaxon-v0-api.md, "Errors"): `{"detail": "..."}` for
 * 401/403/404, `{"non_field_errors": [...]}` or `{"field": ["msg"]}` for 400 (DRF's shapes), a
 * bare list or a text body from anything in between (proxies, load balancers).
 */
export function serverMessage(body: unknown): string {
  return truncate(messagesOf(body, '').join('; '));
}

function messagesOf(value: unknown, field: string): string[] {
  if (value === undefined || value === null || value === '') return [];
  if (typeof value === 'string') return [field ? `${field}: ${value.trim()}` : value.trim()];
  if (typeof value === 'number' || typeof value === 'boolean') return messagesOf(String(value), field);
  if (Array.isArray(value)) return value.flatMap((item) => messagesOf(item, field));
  if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if ('detail' in record && !field) return messagesOf(record.detail, '');
    return Object.entries(record).flatMap(([key, inner]) => {
      // DRF puts errors that belong to no single field under `non_field_errors`.
      const path = key === 'non_field_errors' ? field : field ? `${field}.${key}` : key;
      return messagesOf(inner, path);
    });
  }
  return [];
}

function truncate(text: string): string {
  return text.length > MAX_MESSAGE_CHARS ? `${text.slice(0, MAX_MESSAGE_CHARS)}…` : text;
}
