import { jsonMembers, objectText, RawJson } from './json/raw-json';
import { pythonRoundedText } from './json/python-round';
import type {
  CodeReference,
  ExperimentRecord,
  MetricRecord,
  ProjectRecord,
  StatusRecord,
  UserAccount,
} from './model';
import type { Page } from './pagination';
import type { StoredMetric } from './store/metrics';
import type { ServerStore } from './store/store';
import { drfDateTime } from './time';

/** Response bodies with the field names and shapes of Polyaxon 0.6's serializers. */

export function userBody(user: UserAccount) {
  return { username: user.username, email: user.email, is_superuser: user.isSuperuser };
}

export const projectUniqueName = (project: ProjectRecord): string => `${project.user}.${project.name}`;

/**
 * A project with every field of ProjectDetailSerializer (api/projects/serializers.py at 0.6.1), in
 * its order. Create answers and list rows carry the same body: 0.6.1 sends fewer fields there
 * (ProjectCreateSerializer, BookmarkedProjectSerializer), and a reader of the local server gets
 * the counts with the list (the dashboard's project picker).
 */
export function projectBody(project: ProjectRecord, state: ServerStore) {
  const experiments = state.experimentCount(project.id);
  return {
    id: project.id,
    uuid: project.uuid,
    user: project.user,
    name: project.name,
    owner: project.user,
    unique_name: projectUniqueName(project),
    description: project.description,
    tags: project.tags,
    created_at: drfDateTime(project.createdAt),
    updated_at: drfDateTime(project.updatedAt),
    is_public: project.isPublic,
    bookmarked: false,
    readme: project.readme,
    has_code: false,
    // No tensorboard or notebook job exists here: their ids are null, and so are `has_*`
    // (db/models/projects.py: `return notebook and notebook.is_stoppable`).
    tensorboard: null,
    notebook: null,
    has_tensorboard: null,
    has_notebook: null,
    // No groups on the local server: every experiment is independent.
    num_experiment_groups: 0,
    num_independent_experiments: experiments,
    num_experiments: experiments,
    num_jobs: 0,
    num_builds: 0,
  };
}

const experimentUniqueName = (project: ProjectRecord, experiment: { id: number }): string =>
  `${projectUniqueName(project)}.${experiment.id}`;

/** The 201 answer of a create: exactly ExperimentCreateSerializer's fields (no uuid, no status). */
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

/** The unique name of the experiment this one was cloned from, when it still exists. */
function originalName(experiment: ExperimentRecord, state: ServerStore): string | null {
  if (experiment.original_experiment === null) return null;
  const original = state.experiment(experiment.original_experiment);
  const project = original && state.project(original.projectId);
  return original && project ? experimentUniqueName(project, original) : null;
}

/**
 * A list row: BookmarkedExperimentSerializer's fields (api/experiments/serializers.py at 0.6.1).
 * `last_metric` as stored, `{}` before the first point (the model's default).
 */
export function experimentListBody(experiment: ExperimentRecord, project: ProjectRecord, state: ServerStore) {
  return {
    id: experiment.id,
    uuid: experiment.uuid,
    name: experiment.name,
    unique_name: experimentUniqueName(project, experiment),
    user: experiment.user,
    description: experiment.description,
    created_at: drfDateTime(experiment.createdAt),
    updated_at: drfDateTime(experiment.updatedAt),
    started_at: drfDateTime(experiment.startedAt),
    finished_at: drfDateTime(experiment.finishedAt),
    last_status: experiment.lastStatus,
    original: originalName(experiment, state),
    cloning_strategy: null,
    project: projectUniqueName(project),
    experiment_group: null,
    build_job: null,
    backend: experiment.backend,
    is_managed: experiment.is_managed,
    framework: experiment.framework,
    tags: experiment.tags,
    last_metric: experiment.lastMetric ?? EMPTY_OBJECT,
    params: experiment.params,
    bookmarked: false,
  };
}

const EMPTY_OBJECT = new RawJson('{}');

const text = (value: string | null): string => (value === null ? 'null' : JSON.stringify(value));

/**
 * A list row as JSON text, byte for byte `stringifyJson(experimentListBody(...))` (the unit test
 * holds them together): a page of 1000 rows is written without building and walking 1000 objects.
 */
export function experimentListRowJson(experiment: ExperimentRecord, project: ProjectRecord, state: ServerStore): string {
  return `{"id":${experiment.id},"uuid":${text(experiment.uuid)},"name":${text(experiment.name)},`
    + `"unique_name":${text(experimentUniqueName(project, experiment))},"user":${text(experiment.user)},`
    + `"description":${text(experiment.description)},"created_at":${text(drfDateTime(experiment.createdAt))},`
    + `"updated_at":${text(drfDateTime(experiment.updatedAt))},"started_at":${text(drfDateTime(experiment.startedAt))},`
    + `"finished_at":${text(drfDateTime(experiment.finishedAt))},"last_status":${text(experiment.lastStatus)},`
    + `"original":${text(originalName(experiment, state))},"cloning_strategy":null,"project":${text(projectUniqueName(project))},`
    + `"experiment_group":null,"build_job":null,"backend":${text(experiment.backend)},"is_managed":${experiment.is_managed},`
    + `"framework":${text(experiment.framework)},"tags":${experiment.tags === null ? 'null' : JSON.stringify(experiment.tags)},`
    + `"last_metric":${(experiment.lastMetric ?? EMPTY_OBJECT).text},"params":${experiment.params?.text ?? 'null'},"bookmarked":false}`;
}

/** A page of list rows as JSON text: `stringifyJson({...page, results: rows.map(experimentListBody)})`. */
export function experimentListPageJson(page: Page<ExperimentRecord>, project: ProjectRecord, state: ServerStore): string {
  const rows = page.results.map((experiment) => experimentListRowJson(experiment, project, state));
  return `{"count":${page.count},"next":${text(page.next)},"previous":${text(page.previous)},"results":[${rows.join(',')}]}`;
}

/** GET/PATCH answer: ExperimentDetailSerializer's fields; `last_metric` rounded to 7 digits. */
export function experimentDetailBody(experiment: ExperimentRecord, project: ProjectRecord, state: ServerStore) {
  return {
    ...experimentListBody(experiment, project, state),
    last_metric: roundedLastMetric(experiment.lastMetric),
    original_experiment: experiment.original_experiment,
    readme: experiment.readme,
    content: experiment.content,
    // No job specification, hence no resources, jobs or tensorboard (`has_tensorboard` is
    // `tensorboard and tensorboard.is_stoppable`: null without one, db/models/abstract/job.py).
    resources: null,
    run_env: experiment.run_env,
    data_refs: experiment.data_refs,
    num_jobs: 0,
    is_clone: experiment.original_experiment !== null,
    code_reference: experiment.codeReference?.id ?? null,
    tensorboard: null,
    has_tensorboard: null,
  };
}

/**
 * `{k: round(v, 7) for k, v in obj.last_metric.items()} if obj.last_metric else None`
 * (ExperimentDetailSerializer.get_last_metric), with Python's rounding and number writing.
 */
function roundedLastMetric(lastMetric: RawJson | null): RawJson | null {
  if (lastMetric === null || lastMetric.text === '{}') return null;
  const rounded = new Map<string, string>();
  for (const [name, text] of jsonMembers(lastMetric.text)) rounded.set(name, pythonRoundedText(text) ?? text);
  return new RawJson(objectText(rounded));
}

/** `?metrics=true` rows (ExperimentLastMetricSerializer): last_metric as stored. */
export function experimentMetricsRow(experiment: ExperimentRecord, project: ProjectRecord) {
  return {
    id: experiment.id,
    uuid: experiment.uuid,
    name: experiment.name,
    unique_name: experimentUniqueName(project, experiment),
    last_metric: experiment.lastMetric ?? EMPTY_OBJECT,
    started_at: drfDateTime(experiment.startedAt),
    finished_at: drfDateTime(experiment.finishedAt),
  };
}

/** `?params=true` rows (ExperimentDeclarationsSerializer). */
export function experimentParamsRow(experiment: ExperimentRecord, project: ProjectRecord) {
  return { id: experiment.id, uuid: experiment.uuid, name: experiment.name, unique_name: experimentUniqueName(project, experiment), params: experiment.params };
}

/** ExperimentStatusSerializer (`exclude = []`). */
export function statusBody(status: StatusRecord) {
  return {
    id: status.id,
    uuid: status.uuid,
    created_at: drfDateTime(status.createdAt),
    message: status.message,
    traceback: status.traceback,
    status: status.status,
    experiment: status.experiment,
  };
}

/** ExperimentMetricSerializer: the model's fields (it has no uuid, so DRF skips the declared one). */
export function metricBody(metric: MetricRecord) {
  return { id: metric.id, created_at: drfDateTime(metric.createdAt), values: new RawJson(metric.valuesJson), experiment: metric.experiment };
}

/** CodeReferenceSerializer (`exclude = ['created_at', 'updated_at']`); no repositories here. */
export function codeReferenceBody(reference: CodeReference) {
  return {
    id: reference.id,
    branch: reference.branch,
    commit: reference.commit,
    head: reference.head,
    is_dirty: reference.is_dirty,
    git_url: reference.git_url,
    repo: null,
    external_repo: null,
  };
}

/**
 * A metrics page as JSON text, byte for byte `stringifyJson({...page, results: rows.map(metricBody)})`,
 * built from each point's stored values text: a page of 300,000 points is never parsed and
 * re-serialised.
 */
export function metricPageJson(page: Omit<Page<unknown>, 'results'>, rows: readonly StoredMetric[]): string {
  const results = rows.map(
    (row) => `{"id":${row.id},"created_at":${JSON.stringify(drfDateTime(row.createdAt))},"values":${row.valuesJson},"experiment":${row.experiment}}`,
  );
  return `{"count":${page.count},"next":${JSON.stringify(page.next)},"previous":${JSON.stringify(page.previous)},"results":[${results.join(',')}]}`;
}
