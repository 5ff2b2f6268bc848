import { ValidationError } from '../runtime/errors';

/** Polyaxon's name rules (server `validate_slug`, `validate_blacklist_name`, max_length 128). */
export const NAME_MAX_LENGTH = 128;
export const SLUG_PATTERN = /^[-a-zA-Z0-9_]+$/;

/**
 * Polyaxon 0.6.1's NAME_BLACKLIST (polyaxon/libs/blacklist.py at tag 0.6.1), word for word, in its
 * order. Its source lacks a comma between 'notebook' and 'bookmark', so Python joins them into
 * one word: `notebookbookmark` is reserved and `notebook` and `bookmark` are not. ('support'
 * appears twice there too.) The server and the client check names against this one list.
 */
const NAME_BLACKLIST = [
  'user', 'admin', 'experiment', 'experiment_group', 'experimentgroup', 'project', 'api', 'polyaxon',
  'dashboard', 'index', 'log', 'metric', 'portfolio', 'public', 'revision', 'version', 'support',
  'tryout', 'output', 'artifact', 'data', 'dataset', 'secret', 'config_map', 'pod', 'deployment',
  'model', 'management', 'dependency', 'dependencie', 'repo', 'cluster', 'event', 'manage', 'login',
  'account', 'register', 'accept', 'organization', 'team', 'help', 'doc', 'logout', '404', '500',
  'static', '_static', 'status', 'statuses', '_status', 'out', 'debug', 'remote', 'cli', 'blog',
  'welcome', 'feature', 'customer', 'integration', 'signup', 'pricing', 'subscribe', 'enterprise',
  'about', 'job', 'thank', 'guide', 'privacy', 'security', 'term', 'from', 'sponsorship', 'for',
  'at', 'platform', 'branding', 'vs', 'answers', '_admin', 'support', 'contact', 'ext', 'extension',
  'plugin', 'notebookbookmark', 'bookmarking', 'tensorboard', 'pipeline', 'dag', 'operation', 'action',
  'task', 'monitor', 'setting', 'legal', 'avatar', 'self', 'this',
];
// blacklist.py adds every word with an `s` (`NAME_BLACKLIST |= {'{}s'.format(b) ...}`) and
// compares `name.lower()`.
const RESERVED_NAMES = new Set(NAME_BLACKLIST.flatMap((word) => [word, `${word}s`]));

export function isReservedName(name: string): boolean {
  return RESERVED_NAMES.has(name.toLowerCase());
}

/** The rule a name breaks: each has its own message here and in Polyaxon's (server) wording. */
export type NameRule = 'type' | 'empty' | 'length' | 'slug' | 'reserved';

export function brokenNameRule(name: unknown): NameRule | null {
  if (typeof name !== 'string') return 'type';
  if (name.length === 0) return 'empty';
  if (name.length > NAME_MAX_LENGTH) return 'length';
  if (!SLUG_PATTERN.test(name)) return 'slug';
  if (isReservedName(name)) return 'reserved';
  return null;
}

/** Returns the rule `name` breaks, or null when it is a valid Polyaxon entity name. */
export function nameProblem(name: unknown): string | null {
  switch (brokenNameRule(name)) {
    case null: return null;
    case 'type': return 'must be a string';
    case 'empty': return 'must not be empty';
    case 'length': return `must be at most ${NAME_MAX_LENGTH} characters (got ${(name as string).length})`;
    case 'slug': return 'must be a slug: letters, digits, "-" and "_" only';
    case 'reserved': return `"${name as string}" is a reserved name`;
  }
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
