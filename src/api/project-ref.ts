import { ValidationError } from '../runtime/errors';
import { nameProblem, isSlug } from '../wire/names';

export interface ProjectRef {
  /** Owner; absent when the project is the current user's (resolved through `GET users/`). */
  user?: string;
  project: string;
}

/** Parses `name`, `user/name` or `user.name`, as the Python client accepts them. */
export function parseProjectRef(value: unknown, field = 'project'): ProjectRef {
  if (typeof value !== 'string' || value.length === 0) {
    throw new ValidationError(field, 'is required outside the cluster: "name", "user/name" or "user.name"');
  }
  const parts = value.split(/[/.]/);
  if (parts.length > 2) throw new ValidationError(field, `must be "name", "user/name" or "user.name" (got "${value}")`);
  const [user, project] = parts.length === 2 ? parts : [undefined, parts[0]];
  if (user !== undefined && !isSlug(user)) {
    throw new ValidationError(field, `user "${user}" must be a slug: letters, digits, "-" and "_" only`);
  }
  const problem = nameProblem(project);
  if (problem) throw new ValidationError(field, problem);
  return { user, project };
}
