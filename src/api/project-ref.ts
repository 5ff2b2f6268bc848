import { ValidationError } from '../runtime/errors';
import { getExperimentInfo, parseExperimentName, type InClusterEnvironment } from '../runtime/in-cluster';
import { nameProblem, isSlug } from '../wire/names';
import type { ExperimentOptions } from './options';

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

/**
 * Where an experiment lives: in the cluster, the run the platform names in
 * POLYAXON_EXPERIMENT_INFO (unless an `experimentId` is given); elsewhere `project`, and the
 * existing experiment `experimentId` when given.
 */
export function experimentTarget(
  options: Pick<ExperimentOptions, 'project' | 'experimentId'>,
  managed: boolean,
  environment: InClusterEnvironment,
): { ref: ProjectRef; id?: number } {
  if (managed && options.experimentId === undefined) {
    const info = getExperimentInfo(environment);
    const name = typeof info?.experiment_name === 'string' ? parseExperimentName(info.experiment_name) : null;
    if (!name) throw new ValidationError('POLYAXON_EXPERIMENT_INFO', 'must hold experiment_name "user.project[.group].id" in the cluster');
    return { ref: { user: name.user, project: name.project }, id: name.id };
  }
  const ref = parseProjectRef(options.project);
  if (options.experimentId !== undefined && !(Number.isInteger(options.experimentId) && options.experimentId > 0)) {
    throw new ValidationError('experimentId', 'must be a positive integer');
  }
  return { ref, id: options.experimentId };
}
