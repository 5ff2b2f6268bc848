import { ValidationError } from '../runtime/errors';
import { assertName } from '../wire/names';
import { validateMetrics, validateStatus, validateTags, type ExperimentStatus } from '../wire/validation';
import type { ClientOptions, EnvLookup } from '../runtime/settings';

/** Polyaxon's list page size (`settings.PAGE_SIZE` of its client and server). */
export const PAGE_SIZE = 20;

export { EXPERIMENT_STATUSES, TAG_MAX_LENGTH, type ExperimentStatus } from '../wire/validation';

// Django's username rule (`[\w.@+-]+`, 150 chars); "." and ".." would walk the URL path.
const USERNAME_PATTERN = /^[\w.@+-]+$/;
const USERNAME_MAX_LENGTH = 150;

/** A user path segment, checked so it can never change which URL is requested. */
export function assertUserName(field: string, value: unknown): asserts value is string {
  if (typeof value !== 'string' || value.length === 0) throw new ValidationError(field, 'must be a non-empty string');
  if (value.length > USERNAME_MAX_LENGTH) {
    throw new ValidationError(field, `must be at most ${USERNAME_MAX_LENGTH} characters (got ${value.length})`);
  }
  if (!USERNAME_PATTERN.test(value) || value === '.' || value === '..') {
    throw new ValidationError(field, 'must contain only letters, digits and "@.+-_"');
  }
}

/** Project (and experiment) names follow the server's slug, reserved-word and length rules. */
export function assertEntityName(field: string, value: unknown): asserts value is string {
  assertName(field, value);
}

export function assertExperimentId(value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new ValidationError('id', `must be a positive integer (got ${String(value)})`);
  }
}

/** `page` is 1-based; Polyaxon lists take `?offset=(page-1)*20` (or `*limit` for pages of `limit` rows). */
export function pageOffset(page: unknown = 1, pageSize = PAGE_SIZE): number {
  if (typeof page !== 'number' || !Number.isSafeInteger(page) || page < 1) {
    throw new ValidationError('page', `must be an integer of at least 1 (got ${String(page)})`);
  }
  return (page - 1) * pageSize;
}

/**
 * The paging part of a list query: `offset` always (as the Python client sends it), `limit` only
 * when asked for, so a caller that gives only `page` sends what the Python client sends.
 */
export function pageQuery(options: { page?: number; limit?: number; offset?: number }): { offset: number; limit?: number } {
  const { limit, offset } = options;
  if (limit !== undefined && (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 1)) {
    throw new ValidationError('limit', `must be an integer of at least 1 (got ${String(limit)})`);
  }
  if (offset !== undefined && (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0)) {
    throw new ValidationError('offset', `must be an integer of at least 0 (got ${String(offset)})`);
  }
  const start = offset ?? pageOffset(options.page, limit ?? PAGE_SIZE);
  return limit === undefined ? { offset: start } : { offset: start, limit };
}

export function assertTags(field: string, tags: unknown): void {
  if (tags === undefined || tags === null) return;
  if (!Array.isArray(tags)) throw new ValidationError(field, 'must be an array of strings');
  validateTags(tags, field);
}

export function assertStatus(value: unknown): asserts value is ExperimentStatus {
  validateStatus(value);
}

export function assertMetricPoints(points: unknown): void {
  if (!Array.isArray(points)) throw new ValidationError('metrics', 'must be an array of {values, created_at}');
  points.forEach((point, index) => {
    validateMetrics((point as { values?: unknown } | null)?.values, `metrics[${index}].values`);
    const createdAt = (point as { created_at?: unknown }).created_at;
    if (createdAt !== undefined && typeof createdAt !== 'string') {
      throw new ValidationError(`metrics[${index}].created_at`, 'must be a string');
    }
  });
}

export function assertLogLines(lines: unknown): asserts lines is string[] {
  if (!Array.isArray(lines)) throw new ValidationError('lines', 'must be an array of strings');
  lines.forEach((line, index) => {
    if (typeof line !== 'string') throw new ValidationError(`lines[${index}]`, 'must be a string');
  });
}

// A name or IPv4 address, or a bracketed IPv6 address: nothing that could smuggle in a path.
const HOST_PATTERN = /^(\[[0-9a-fA-F:.]+\]|[^\s/:?#@[\]]+)$/;

/** Refuses options that would build a broken URL or a request that never ends. */
export function assertClientOptions(options: ClientOptions, getEnv: EnvLookup): void {
  if (options.port !== undefined) assertPort('port', options.port);
  else {
    const portText = getEnv('POLYAXON_HTTP_PORT');
    if (portText !== undefined && portText !== '') assertPort('POLYAXON_HTTP_PORT', Number(portText));
  }
  if (options.timeoutMs !== undefined && !(Number.isFinite(options.timeoutMs) && options.timeoutMs > 0)) {
    throw new ValidationError('timeoutMs', `must be a positive number of milliseconds (got ${String(options.timeoutMs)})`);
  }
  if (options.host !== undefined && (typeof options.host !== 'string' || !HOST_PATTERN.test(options.host))) {
    throw new ValidationError('host', 'must be a host name without scheme, port or path');
  }
}

function assertPort(field: string, port: unknown): void {
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ValidationError(field, `must be an integer between 1 and 65535 (got ${String(port)})`);
  }
}
