import type {
  CodeReference,
  ExperimentRecord,
  MetricRecord,
  ProjectRecord,
  StatusRecord,
  UserAccount,
} from './model';
import { DONE_STATUSES } from './model';
import type { Page } from './pagination';
import type { StoredMetric } from './store/metrics';
import type { ServerStore } from './store/store';

/** Response bodies with the field names and shapes of Polyaxon 0.6's serializers. */

export function userBody(user: UserAccount) {
  return { username: user.username, email: user.email, is_superuser: user.isSuperuser };
}

export const projectUniqueName = (project: ProjectRecord): string => `${project.user}.${project.name}`;

export function projectBody(project: ProjectRecord, state: ServerStore) {
  const experiments = state.experimentCount(project.id);
  return {
    id: project.id,
    uuid: project.uuid,
    name: project.name,
    unique_name: projectUniqueName(project),
    user: project.user,
    owner: project.user,
    description: project.description,
    readme: project.readme,
    tags: project.tags,
    is_public: project.isPublic,
    created_at: project.createdAt,
    updated_at: project.updatedAt,
    bookmarked: false,
    has_code: false,
    has_tensorboard: false,
    has_notebook: false,
    num_experiments: experiments,
    // No groups on the local server: every experiment is independent.
    num_independent_experiments: experiments,
    num_experiment_groups: 0,
    num_jobs: 0,
    num_builds: 0,
  };
}

const experimentUniqueName = (project: ProjectRecord, experiment: ExperimentRecord): string =>
  `${projectUniqueName(project)}.${experiment.id}`;

/** The 201 answer of a create: exactly the create serializer's fields (no uuid, no status). */
export function experimentCreateBody(experiment: ExperimentRecord, project: ProjectRecord) {
  return {
    id: experiment.id,
    unique_name: experimentUniqueName(project, experiment),
    project: projectUniqueName(project),
    user: experiment.user,
    name: experiment.name,
    description: experiment.description,
    readme: experiment.readme,
    original_experiment: experiment.original_experiment,
    experiment_group: null,
    build_job: null,
    content: experiment.content,
    params: experiment.params,
    backend: experiment.backend,
    framework: experiment.framework,
    is_managed: experiment.is_managed,
    run_env: experiment.run_env,
    data_refs: experiment.data_refs,
    tags: experiment.tags,
  };
}

/** A list row (ExperimentSerializer); `last_metric` is included so tables need one call. */
export function experimentListBody(experiment: ExperimentRecord, project: ProjectRecord) {
  return {
    id: experiment.id,
    uuid: experiment.uuid,
    name: experiment.name,
    unique_name: experimentUniqueName(project, experiment),
    user: experiment.user,
    description: experiment.description,
    created_at: experiment.createdAt,
    updated_at: experiment.updatedAt,
    started_at: experiment.startedAt,
    finished_at: experiment.finishedAt,
    last_status: experiment.lastStatus,
    last_metric: experiment.lastMetric,
    original: null,
    project: projectUniqueName(project),
    experiment_group: null,
    build_job: null,
    backend: experiment.backend,
    framework: experiment.framework,
    is_managed: experiment.is_managed,
    tags: experiment.tags,
    is_running: experiment.lastStatus === 'running',
    is_done: DONE_STATUSES.has(experiment.lastStatus ?? ''),
  };
}

/** GET/PATCH answer (ExperimentDetailSerializer). */
export function experimentDetailBody(experiment: ExperimentRecord, project: ProjectRecord) {
  return {
    ...experimentListBody(experiment, project),
    readme: experiment.readme,
    original_experiment: experiment.original_experiment,
    content: experiment.content,
    params: experiment.params,
    run_env: experiment.run_env,
    data_refs: experiment.data_refs,
    ttl: experiment.ttl,
    code_reference: experiment.codeReference ? codeReferenceBody(experiment.codeReference) : null,
    num_jobs: 0,
    bookmarked: false,
    has_tensorboard: false,
    resources: null,
    is_clone: experiment.original_experiment !== null,
  };
}

/** `?metrics=true` rows (ExperimentLastMetricSerializer). */
export function experimentMetricsRow(experiment: ExperimentRecord, project: ProjectRecord) {
  return { id: experiment.id, unique_name: experimentUniqueName(project, experiment), last_metric: experiment.lastMetric };
}

/** `?params=true` rows (ExperimentDeclarationsSerializer). */
export function experimentParamsRow(experiment: ExperimentRecord, project: ProjectRecord) {
  return { id: experiment.id, unique_name: experimentUniqueName(project, experiment), params: experiment.params };
}

export function statusBody(status: StatusRecord) {
  return {
    id: status.id,
    uuid: status.uuid,
    experiment: status.experiment,
    created_at: status.createdAt,
    status: status.status,
    message: status.message,
    traceback: status.traceback,
  };
}

export function metricBody(metric: MetricRecord) {
  return {
    id: metric.id,
    uuid: metric.uuid,
    experiment: metric.experiment,
    created_at: metric.createdAt,
    values: metric.values,
  };
}

export function codeReferenceBody(reference: CodeReference) {
  return { ...reference };
}

/**
 * A metrics page as JSON text, byte for byte `JSON.stringify({...page, results: rows.map(metricBody)})`,
 * built from each point's stored values text: a page of 300,000 points is never parsed and
 * re-serialised.
 */
export function metricPageJson(page: Omit<Page<unknown>, 'results'>, rows: readonly StoredMetric[]): string {
  const results = rows.map(
    (row) =>
      `{"id":${row.id},"uuid":"${row.uuid}","experiment":${row.experiment},"created_at":${JSON.stringify(row.createdAt)},"values":${row.valuesJson}}`,
  );
  return `{"count":${page.count},"next":${JSON.stringify(page.next)},"previous":${JSON.stringify(page.previous)},"results":[${results.join(',')}]}`;
}
