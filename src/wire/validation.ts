/**
 * Input checks at the API edge (reliability F21): bad input is refused at the call with a
 * ValidationError naming the field and the rule, before anything is queued. With `strict: false`
 * the Experiment wraps each check in `guard`, which turns the refusal into one warning per kind.
 */
import { ValidationError } from '../runtime/errors';
import { logger } from '../runtime/logger';
import { assertName } from './names';

/** Longest metric name accepted. The server has no limit; this only catches runaway keys. */
export const METRIC_KEY_MAX_LENGTH = 256;
/** Longest tag, per the wire contract. */
export const TAG_MAX_LENGTH = 64;
/** `framework` and `backend` are `CharField(max_length=16)` columns on the Polyaxon server. */
export const FRAMEWORK_MAX_LENGTH = 16;
/** `ExperimentStatus.message` is a `CharField(max_length=256)` on Polyaxon 0.6.1 (db/models/statuses.py). */
export const STATUS_MESSAGE_MAX_LENGTH = 256;
/** `CodeReference.commit` is a `CharField(max_length=40)` on Polyaxon 0.6.1 (db/models/repos.py): a SHA-1 in hex. */
export const COMMIT_MAX_LENGTH = 40;
/** Cap on the serialised params of one call: 256 KiB of UTF-8 JSON. */
export const MAX_PARAMS_BYTES = 256 * 1024;

/** The experiment statuses a Polyaxon 0.6 server accepts. */
export const EXPERIMENT_STATUSES = [
  'created', 'resuming', 'warning', 'building', 'scheduled', 'starting', 'running',
  'succeeded', 'failed', 'upstream_failed', 'stopped', 'skipped', 'unknown',
] as const;
export type ExperimentStatus = (typeof EXPERIMENT_STATUSES)[number];
const STATUS_SET: ReadonlySet<string> = new Set(EXPERIMENT_STATUSES);

/**
 * Why a value was sent changed rather than refused, counted in `stats().adjusted`:
 * `non_finite_as_null`, a NaN or Infinity from the TF.js callback sent as null; `message_cut`, a
 * status message cut to 256 characters.
 */
export type AdjustedReason = 'non_finite_as_null' | 'message_cut';
export const ADJUSTED_REASONS: readonly AdjustedReason[] = ['non_finite_as_null', 'message_cut'];

/** Statuses after which the server considers the run finished. */
export const DONE_STATUSES: ReadonlySet<ExperimentStatus> = new Set<ExperimentStatus>([
  'succeeded', 'failed', 'upstream_failed', 'stopped', 'skipped',
]);

export function isDoneStatus(status: string): boolean {
  return DONE_STATUSES.has(status as ExperimentStatus);
}

/** A plain object: `{}` literal, `JSON.parse` output or `Object.create(null)`; not arrays, Dates, Maps or class instances. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** `metrics.loss`, or `metrics["val loss"]` when a dot would misread (dots, brackets, quotes, spaces, empty). */
export function fieldPath(parent: string, key: string): string {
  return /^[^\s.[\]"']+$/.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}

/** What a refused value was, for the rule text. Never the value itself beyond its kind. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN';
    if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
    return 'a number';
  }
  if (typeof value === 'bigint') return 'a BigInt';
  if (typeof value === 'object') {
    if (Array.isArray(value)) return 'an array';
    const name = (value as object).constructor?.name;
    return name && name !== 'Object' ? `a ${name}` : 'an object';
  }
  if (typeof value === 'undefined') return 'undefined';
  return `a ${typeof value}`;
}

/**
 * Metric values for one `logMetrics` call: one plain copy of the caller's values, each property
 * read exactly once (F33), and it is the copy that is checked and returned to be queued: a getter
 * that answers differently on its second read, a Proxy, or a mutation after the call cannot make
 * what is queued differ from what was validated. Booleans count as 0/1 (wire contract); `null` is
 * kept and sent as JSON `null`, as Polyaxon 0.6.1 and its Python client accept it (F35);
 * `undefined` keys are left out, as `JSON.stringify` would leave them; `step` is one more key.
 */
export function validateMetrics(values: unknown, field = 'metrics'): Record<string, number | null> {
  if (!isPlainObject(values)) {
    throw new ValidationError(field, `must be a plain object of name: number, got ${describeValue(values)}`);
  }
  // The copy and the checks in one pass over the keys: this runs on every training step.
  const copy: Record<string, number | null> = {};
  let kept = 0;
  for (const key of Object.keys(values)) {
    let value = values[key];
    if (value === undefined) continue;
    if (key.length === 0 || key.length > METRIC_KEY_MAX_LENGTH) {
      throw new ValidationError(fieldPath(field, key), `name must be 1 to ${METRIC_KEY_MAX_LENGTH} characters`);
    }
    if (typeof value === 'boolean') value = value ? 1 : 0;
    else if (value !== null && (typeof value !== 'number' || !Number.isFinite(value))) {
      throw new ValidationError(fieldPath(field, key), `must be a finite number, a boolean or null, got ${describeValue(value)}`);
    }
    // Assignment to "__proto__" would set the prototype; define it as data instead.
    if (key === '__proto__') Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
    else copy[key] = value as number | null;
    kept++;
  }
  if (kept === 0) throw new ValidationError(field, 'must have at least one key with a value');
  return copy;
}

/**
 * Params for `logParams`/create: a plain object of JSON data, at most MAX_PARAMS_BYTES once
 * serialised. Refuses what JSON.stringify would silently drop or mangle (undefined, functions,
 * symbols, NaN, Infinity, Dates, class instances) and what it would throw on (BigInt, cycles).
 * Returns a JSON copy, detached from the caller's object.
 */
export function validateParams(params: unknown, field = 'params'): Record<string, unknown> {
  if (!isPlainObject(params)) {
    throw new ValidationError(field, `must be a plain object, got ${describeValue(params)}`);
  }
  for (const key of Object.keys(params)) {
    if (key.length === 0) throw new ValidationError(fieldPath(field, key), 'name must not be empty');
  }
  assertJsonData(params, field, new Map());
  const json = JSON.stringify(params);
  const bytes = utf8ByteLength(json);
  if (bytes > MAX_PARAMS_BYTES) {
    throw new ValidationError(field, `must serialise to at most 256 KiB of JSON, got ${(bytes / 1024).toFixed(1)} KiB`);
  }
  return JSON.parse(json) as Record<string, unknown>;
}

/** `open` maps each container on the current path to its field path, to name a cycle's target. */
function assertJsonData(value: unknown, path: string, open: Map<object, string>): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (Number.isFinite(value)) return;
      throw new ValidationError(path, `must be a finite number (JSON has no NaN or Infinity), got ${describeValue(value)}`);
    case 'object': {
      if (value === null) return;
      const isArray = Array.isArray(value);
      if (!isArray && !isPlainObject(value)) break;
      const target = open.get(value);
      if (target !== undefined) throw new ValidationError(path, `circular reference to ${target}`);
      open.set(value, path);
      if (isArray) {
        for (let i = 0; i < value.length; i++) assertJsonData(value[i], `${path}[${i}]`, open);
      } else {
        const record = value as Record<string, unknown>;
        for (const key of Object.keys(record)) assertJsonData(record[key], fieldPath(path, key), open);
      }
      open.delete(value);
      return;
    }
  }
  throw new ValidationError(
    path,
    `must be JSON data (string, finite number, boolean, null, array or plain object), got ${describeValue(value)}`,
  );
}

/** UTF-8 size of a string without encoding it (surrogate pairs: 2 + 2 = 4 bytes). */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800 || (code >= 0xd800 && code <= 0xdfff)) bytes += 2;
    else bytes += 3;
  }
  return bytes;
}

/**
 * Tags: a string is split on commas and each piece trimmed; empty pieces of a split are ignored,
 * so `'a,,b'` gives `['a', 'b']` and `''` gives `[]`. Array entries are trimmed too, but an entry
 * that is not a string or is empty is refused (it is a bug in the caller, not a separator slip).
 * Every tag is at most TAG_MAX_LENGTH characters.
 */
export function validateTags(tags: unknown, field = 'tags'): string[] {
  if (typeof tags === 'string') {
    const pieces = tags.split(',').map((piece) => piece.trim()).filter((piece) => piece.length > 0);
    pieces.forEach((tag, index) => assertTagLength(tag, `${field}[${index}]`));
    return pieces;
  }
  if (!Array.isArray(tags)) {
    throw new ValidationError(field, `must be a comma-separated string or an array of strings, got ${describeValue(tags)}`);
  }
  const result: string[] = [];
  for (let index = 0; index < tags.length; index++) {
    const tag: unknown = tags[index];
    if (typeof tag !== 'string') {
      throw new ValidationError(`${field}[${index}]`, `must be a non-empty string, got ${describeValue(tag)}`);
    }
    const trimmed = tag.trim();
    if (trimmed.length === 0) throw new ValidationError(`${field}[${index}]`, 'must be a non-empty string');
    assertTagLength(trimmed, `${field}[${index}]`);
    result.push(trimmed);
  }
  return result;
}

function assertTagLength(tag: string, field: string): void {
  if (tag.length > TAG_MAX_LENGTH) {
    throw new ValidationError(field, `must be at most ${TAG_MAX_LENGTH} characters`);
  }
}

export function validateStatus(status: unknown, field = 'status'): ExperimentStatus {
  if (typeof status === 'string' && STATUS_SET.has(status)) return status as ExperimentStatus;
  throw new ValidationError(field, `must be one of ${EXPERIMENT_STATUSES.join(', ')}`);
}

/**
 * A status message as the server keeps it: at most STATUS_MESSAGE_MAX_LENGTH characters. A longer
 * one (an exception message with a long repr) is cut, ending with an ellipsis, rather than refused:
 * the status matters more than the message's tail (F43). Never splits a surrogate pair.
 */
export function cutStatusMessage(message: string): string {
  if (message.length <= STATUS_MESSAGE_MAX_LENGTH) return message;
  let end = STATUS_MESSAGE_MAX_LENGTH - 1;
  const last = message.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${message.slice(0, end)}…`;
}

/** A code reference given by the caller: `commit`, when set, a string of at most COMMIT_MAX_LENGTH characters (F43). */
export function validateCodeRef<T>(codeRef: T, field = 'codeRef'): T {
  if (codeRef === null || codeRef === undefined) return codeRef;
  if (!isPlainObject(codeRef)) throw new ValidationError(field, `must be a plain object, got ${describeValue(codeRef)}`);
  const commit = codeRef.commit;
  if (commit === undefined || commit === null) return codeRef;
  if (typeof commit !== 'string') throw new ValidationError(`${field}.commit`, `must be a string, got ${describeValue(commit)}`);
  if (commit.length > COMMIT_MAX_LENGTH) {
    throw new ValidationError(`${field}.commit`, `must be at most ${COMMIT_MAX_LENGTH} characters (a git commit id), got ${commit.length}`);
  }
  return codeRef;
}

/** An entity name (experiment, project): slug, at most 128 characters, not reserved. */
export function validateName(field: string, name: unknown): string {
  assertName(field, name);
  return name;
}

/** A free-text field such as a description, a status message or a traceback. */
export function validateText(field: string, value: unknown): string {
  if (typeof value !== 'string') throw new ValidationError(field, `must be a string, got ${describeValue(value)}`);
  return value;
}

export function validateDescription(description: unknown, field = 'description'): string {
  return validateText(field, description);
}

/** `framework` (or another field with the same rule): 1 to 16 characters. Field first, like validateName. */
export function validateFramework(field: string, framework: unknown): string {
  return validateShortLabel(field, framework);
}

/** `backend`: 1 to 16 characters. Field first, like validateName. */
export function validateBackend(field: string, backend: unknown): string {
  return validateShortLabel(field, backend);
}

function validateShortLabel(field: string, value: unknown): string {
  const text = validateText(field, value);
  if (text.length === 0 || text.length > FRAMEWORK_MAX_LENGTH) {
    throw new ValidationError(field, `must be 1 to ${FRAMEWORK_MAX_LENGTH} characters`);
  }
  return text;
}

/**
 * The kind of a refusal, for one warning per kind: the top-level field and the rule with its
 * details (quoted names, lengths) blurred. A loop logging NaN as `loss` at every step, or
 * under a new key each time, warns once.
 */
export function refusalKind(error: ValidationError): string {
  const root = error.field.split(/[.[]/, 1)[0];
  return `refused:${root}:${error.rule.replace(/"[^"]*"|\d+/g, '#')}`;
}

/**
 * Runs a check. Strict: a ValidationError propagates to the caller. Not strict: it becomes one
 * warning per kind (see refusalKind), `onRefused` is told (for counting), and the result is
 * undefined so the caller queues nothing and the training loop goes on. Other errors always
 * propagate.
 */
export function guard<T>(strict: boolean, check: () => T, onRefused?: (error: ValidationError) => void): T | undefined {
  if (strict) return check();
  try {
    return check();
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    onRefused?.(error);
    logger.warnOnce(
      refusalKind(error),
      `refused ${error.message}; nothing was queued (strict: false; further refusals of this kind are not shown)`,
    );
    return undefined;
  }
}
