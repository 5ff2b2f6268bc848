import { ValidationError } from '../runtime/errors';

/** Polyaxon's name rules (server `validate_slug`, `validate_blacklist_name`, max_length 128). */
export const NAME_MAX_LENGTH = 128;
export const SLUG_PATTERN = /^[-a-zA-Z0-9_]+$/;

const RESERVED = [
  'user', 'admin', 'experiment', 'project', 'api', 'polyaxon', 'data', 'model', 'job', 'status',
  'group', 'build', 'notebook', 'tensorboard', 'pipeline', 'operation', 'run', 'search',
  'activity', 'bookmark', 'cluster', 'node', 'option', 'owner', 'team', 'organization',
];
// Singular and plural, any case.
const RESERVED_NAMES = new Set(RESERVED.flatMap((word) => [word, `${word}s`]));

export function isReservedName(name: string): boolean {
  return RESERVED_NAMES.has(name.toLowerCase());
}

/** Returns the rule `name` breaks, or null when it is a valid Polyaxon entity name. */
export function nameProblem(name: unknown): string | null {
  if (typeof name !== 'string') return 'must be a string';
  if (name.length === 0) return 'must not be empty';
  if (name.length > NAME_MAX_LENGTH) return `must be at most ${NAME_MAX_LENGTH} characters (got ${name.length})`;
  if (!SLUG_PATTERN.test(name)) return 'must be a slug: letters, digits, "-" and "_" only';
  if (isReservedName(name)) return `"${name}" is a reserved name`;
  return null;
}

/** Throws a ValidationError naming `field` when `name` is not a valid entity name. */
export function assertName(field: string, name: unknown): asserts name is string {
  const problem = nameProblem(name);
  if (problem) throw new ValidationError(field, problem);
}

/** A user or project path segment: a slug, never anything that could walk a file path. */
export function isSlug(segment: string): boolean {
  return segment.length > 0 && segment.length <= NAME_MAX_LENGTH && SLUG_PATTERN.test(segment);
}
