import * as z from 'zod';
import { brokenNameRule, NAME_MAX_LENGTH, type NameRule } from '../wire/names';
import { badRequest, HttpError } from './http';

/**
 * Request validation with Django REST framework's error shape and wording, so clients written
 * against Polyaxon read the local server's refusals the same way: `{"field": ["message"]}`.
 */

/**
 * Parses `value` with `schema`, or throws a 400 listing each broken field. An error about one
 * item of a list field is keyed by the item's position, as DRF's ListField does:
 * `{"tags": {"1": ["..."]}}`.
 */
export function parseOrRefuse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const errors: Record<string, string[] | Record<string, string[]>> = {};
  for (const issue of result.error.issues) {
    // In a list body (a metrics batch) the item's position leads the path and the message.
    const [first, second] = issue.path;
    const item = typeof first === 'number' ? first : undefined;
    const fieldPart = item === undefined ? first : second;
    const field = fieldPart === undefined ? 'non_field_errors' : String(fieldPart);
    if (item === undefined && typeof second === 'number') {
      const byIndex = (errors[field] ??= {}) as Record<string, string[]>;
      (byIndex[second] ??= []).push(issue.message);
      continue;
    }
    ((errors[field] ??= []) as string[]).push(item === undefined ? issue.message : `Item ${item}: ${issue.message}`);
  }
  throw new HttpError(400, errors);
}

/** The JSON body as an object; no body counts as `{}` (a PATCH may send nothing). */
export function bodyObject(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null) return {};
  if (typeof body === 'object' && !Array.isArray(body)) return body as Record<string, unknown>;
  throw badRequest({
    non_field_errors: [`Invalid data. Expected a dictionary, but got ${Array.isArray(body) ? 'list' : typeof body}.`],
  });
}

const required = (kind: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? 'This field is required.' : `Not a valid ${kind}.`;

export const text = z.string({ error: required('string') });
export const optionalText = text.nullable().optional();
export const optionalBoolean = z.boolean({ error: 'Must be a valid boolean.' }).optional();

/**
 * The messages of the validators on Polyaxon's `name` fields (db/models/abstract/nameable.py:
 * max_length 128, Django's validate_slug, libs/blacklist.py validate_blacklist_name).
 */
const NAME_MESSAGES: Record<NameRule, string> = {
  type: 'Not a valid string.',
  empty: 'This field may not be blank.',
  length: `Ensure this field has no more than ${NAME_MAX_LENGTH} characters.`,
  slug: "Enter a valid 'slug' consisting of letters, numbers, underscores or hyphens.",
  reserved: 'The name is a reserved word or already taken.',
};

/** Polyaxon's entity name: slug, not reserved, at most 128 characters. */
export const entityName = text.superRefine((name, context) => {
  const rule = brokenNameRule(name);
  if (rule) context.addIssue({ code: 'custom', message: NAME_MESSAGES[rule] });
});

// Python's str.strip() whitespace, which DRF's CharField trims (trim_whitespace=True).
const PYTHON_SPACE = '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const OUTER_SPACE = new RegExp(`^[${PYTHON_SPACE}]+|[${PYTHON_SPACE}]+$`, 'g');

/** Python's len(): code points, not UTF-16 units (a surrogate pair is one character). */
function characterCount(value: string): number {
  let count = value.length;
  for (let index = 0; index < value.length - 1; index += 1) {
    const code = value.charCodeAt(index);
    const next = value.charCodeAt(index + 1);
    if (code >= 0xd800 && code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      count -= 1;
      index += 1;
    }
  }
  return count;
}

/**
 * DRF's CharField for a model field with `max_length`: trimmed of surrounding whitespace, then
 * at most `maxLength` characters, refused with DRF's message (rest_framework/fields.py).
 */
export function limitedText(maxLength: number) {
  return text
    .transform((value) => value.replace(OUTER_SPACE, ''))
    .refine((value) => characterCount(value) <= maxLength, `Ensure this field has no more than ${maxLength} characters.`);
}

/** One tag: abstract/tag.py `ArrayField(CharField(max_length=64))`. */
const tag = limitedText(64).refine((value) => value.length > 0, 'This field may not be blank.');

/**
 * Tags: a list of non-empty strings of at most 64 characters each, errors keyed by position
 * (a comma string is split, as Polyaxon does).
 */
export const tags = z
  .union([z.string(), z.array(z.unknown())], { error: 'Expected a list of items.' })
  .transform((value) => (typeof value === 'string' ? value.split(',').map((item) => item.trim()) : value))
  .pipe(z.array(tag));

/** CodeReference's fields (db/models/repos.py): their lengths, all optional. */
export const codeReferenceFields = z.object({
  commit: limitedText(40).nullable().optional(),
  head: limitedText(40).nullable().optional(),
  branch: limitedText(124).nullable().optional(),
  git_url: limitedText(256).nullable().optional(),
  // 0.6.1 refuses a null is_dirty (a BooleanField without null=True); this library's own client
  // sends null when `git status` fails, so it is kept as unknown here.
  is_dirty: z.boolean({ error: 'Must be a valid boolean.' }).nullable().optional(),
});

export const dictionary = z.record(z.string(), z.unknown(), {
  error: (issue) => `Expected a dictionary of items but got type "${describe(issue.input)}".`,
});

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'list';
  if (value === null) return 'null';
  return typeof value === 'string' ? 'str' : typeof value;
}

/** Tags kept in order, new ones appended once (Polyaxon's `merge: true` for tags). */
export function mergeTags(current: readonly string[] | null, added: readonly string[]): string[] {
  const result = [...(current ?? [])];
  for (const tag of added) if (!result.includes(tag)) result.push(tag);
  return result;
}

