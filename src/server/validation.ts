import * as z from 'zod';
import { nameProblem } from '../wire/names';
import { badRequest } from './http';

/**
 * Request validation with Django REST framework's error shape and wording, so clients written
 * against Polyaxon read the local server's refusals the same way: `{"field": ["message"]}`.
 */

/** Parses `value` with `schema`, or throws a 400 listing each broken field. */
export function parseOrRefuse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const errors: Record<string, string[]> = {};
  for (const issue of result.error.issues) {
    // In a list body (a metrics batch) the item's position leads the path and the message.
    const [first, second] = issue.path;
    const item = typeof first === 'number' ? first : undefined;
    const fieldPart = item === undefined ? first : second;
    const field = fieldPart === undefined ? 'non_field_errors' : String(fieldPart);
    (errors[field] ??= []).push(item === undefined ? issue.message : `Item ${item}: ${issue.message}`);
  }
  throw badRequest(errors);
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

/** Polyaxon's entity name: slug, not reserved, at most 128 characters. */
export const entityName = text.superRefine((name, context) => {
  const problem = nameProblem(name);
  if (problem) context.addIssue({ code: 'custom', message: `Name ${problem}.` });
});

/** Tags: a list of non-empty strings of at most 64 characters (a comma string is split, as Polyaxon does). */
export const tags = z
  .union([z.string(), z.array(z.unknown())], { error: 'Expected a list of items.' })
  .transform((value) => (typeof value === 'string' ? value.split(',').map((tag) => tag.trim()) : value))
  .superRefine((list, context) => {
    for (const tag of list) {
      if (typeof tag !== 'string' || tag.length === 0 || tag.length > 64) {
        context.addIssue({ code: 'custom', message: 'Every tag must be a non-empty string of at most 64 characters.' });
        return;
      }
    }
  })
  .transform((list) => list as string[]);

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

/**
 * `name` when no other entity in the scope uses it, else `name-<n>` with the smallest free n
 * (Polyaxon renames a duplicate experiment name instead of refusing it, on create and on PATCH).
 */
export function freeName(name: string, taken: ReadonlySet<string>): string {
  if (!taken.has(name)) return name;
  let suffix = 1;
  while (taken.has(`${name}-${suffix}`)) suffix += 1;
  return `${name}-${suffix}`;
}
