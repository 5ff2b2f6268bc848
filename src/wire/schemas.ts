import * as z from 'zod/mini';

/**
 * Response shapes of the Polyaxon v0 API (polyaxon-v0-api.md). Field names stay snake_case as the
 * server sends them, like Polyaxon's own Python client. Every object is loose: fields this library
 * does not know are kept, so a newer server loses nothing. Only the fields a caller cannot do
 * without are required; the rest may be absent or null, since the create answer of an experiment
 * has fewer fields than its detail answer.
 */

const maybeString = z.optional(z.nullable(z.string()));
const maybeNumber = z.optional(z.nullable(z.number()));
const maybeBoolean = z.optional(z.nullable(z.boolean()));
const maybeDict = z.optional(z.nullable(z.record(z.string(), z.unknown())));
const maybeTags = z.optional(z.nullable(z.array(z.string())));

export const userSchema = z.looseObject({
  username: z.string(),
  email: maybeString,
  is_superuser: maybeBoolean,
});
export type UserResponse = z.infer<typeof userSchema>;

export const tokenSchema = z.looseObject({ token: z.string() });
export type TokenResponse = z.infer<typeof tokenSchema>;

export const projectSchema = z.looseObject({
  name: z.string(),
  id: maybeNumber,
  uuid: maybeString,
  unique_name: maybeString,
  user: maybeString,
  description: maybeString,
  tags: maybeTags,
  is_public: maybeBoolean,
  created_at: maybeString,
  updated_at: maybeString,
  num_experiments: maybeNumber,
});
export type ProjectResponse = z.infer<typeof projectSchema>;

/** An id, as Polyaxon 0.6.1 sends it; local servers before 0.6.1's shapes sent the whole object. */
const codeReferenceId = z.pipe(
  z.unknown(),
  z.transform((value): number | null => {
    if (typeof value === 'number') return value;
    const id = typeof value === 'object' && value !== null ? (value as { id?: unknown }).id : undefined;
    return typeof id === 'number' ? id : null;
  }),
);

export const experimentSchema = z.looseObject({
  id: z.number(),
  unique_name: z.string(),
  uuid: maybeString,
  project: maybeString,
  user: maybeString,
  name: maybeString,
  description: maybeString,
  readme: maybeString,
  tags: maybeTags,
  params: maybeDict,
  data_refs: maybeDict,
  run_env: maybeDict,
  backend: maybeString,
  framework: maybeString,
  is_managed: maybeBoolean,
  experiment_group: z.optional(z.unknown()),
  last_status: maybeString,
  last_metric: maybeDict,
  created_at: maybeString,
  updated_at: maybeString,
  started_at: maybeString,
  finished_at: maybeString,
  /** The code reference's id (Polyaxon 0.6.1's detail serializer); read it with `getCodeReference`. */
  code_reference: z.optional(codeReferenceId),
});
export type ExperimentResponse = z.infer<typeof experimentSchema>;

export const statusSchema = z.looseObject({
  status: z.string(),
  id: maybeNumber,
  uuid: maybeString,
  experiment: z.optional(z.unknown()),
  created_at: maybeString,
  message: maybeString,
  traceback: maybeString,
});
export type StatusResponse = z.infer<typeof statusSchema>;

export const codeReferenceSchema = z.looseObject({
  id: maybeNumber,
  commit: maybeString,
  head: maybeString,
  branch: maybeString,
  git_url: maybeString,
  is_dirty: maybeBoolean,
});
export type CodeReferenceResponse = z.infer<typeof codeReferenceSchema>;

/** A stored metric point (Polyaxon's metrics have no uuid). */
export const metricSchema = z.looseObject({
  values: z.record(z.string(), z.unknown()),
  id: maybeNumber,
  experiment: z.optional(z.unknown()),
  created_at: maybeString,
});
export type MetricResponse = z.infer<typeof metricSchema>;

/** Polyaxon's list answer: page size 20, `next`/`previous` are full URLs or null. */
export interface Paginated<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

export function paginatedSchema<T extends z.ZodMiniType>(item: T) {
  return z.looseObject({
    count: z.number(),
    next: z._default(z.nullable(z.string()), null),
    previous: z._default(z.nullable(z.string()), null),
    results: z.array(item),
  });
}
