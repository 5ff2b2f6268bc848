import { HttpError } from '../http';
import type { ProjectRecord } from '../model';
import type { ServerStore } from '../store/store';

export type NamedBy = 'create' | 'update';

/**
 * The name an experiment gets when it asks for `name` in `project`: Polyaxon 0.6.1's
 * NamesMixin.validated_name (api/utils/serializers/names.py), called with `query=Experiment.all`
 * on create and on PATCH:
 *
 *     if name and query.filter(project=project, name=name).exists():
 *         count = query.exclude(name=name).filter(name__startswith=name).count() + 1
 *         validated_data['name'] = '{}-{}'.format(name, count)
 *
 * The collision is looked up in the project, but the count is over every experiment of every
 * project and user, and counts any name that starts with `name` (`dupe` too), case-sensitively.
 * On a single-user local server that reads oddly (a run in another project shifts the number, and
 * a PATCH to a run's own name renames it), but a run gets the name it would get on a cluster.
 *
 * The new name is not checked again in 0.6.1. On create its pre_save signal (signals/names.py)
 * refuses a taken one, and ExperimentCreateSerializer.create wraps that error in another, whose
 * text is the first one's repr: a 400 with that one string. On PATCH the database's unique
 * (project, name) answers 500 there; here the same refusal as the signal's, as a 400.
 */
export function experimentName(state: ServerStore, project: ProjectRecord, name: string, namedBy: NamedBy): string {
  if (!state.isExperimentNameTaken(project.id, name)) return name;
  const renamed = `${name}-${state.countExperimentNamesExtending(name) + 1}`;
  if (!state.isExperimentNameTaken(project.id, renamed)) return renamed;
  const message = `An instance with name \`${renamed}\` already exists in this project.`;
  throw new HttpError(400, [namedBy === 'create' ? `[ErrorDetail(string='${message}', code='invalid')]` : message]);
}
