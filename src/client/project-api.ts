import type { RunEnv } from '../runtime/environment';
import type { HttpCaller } from './http';
import {
  experimentSchema,
  paginatedSchema,
  projectSchema,
  type ExperimentResponse,
  type Paginated,
  type ProjectResponse,
} from '../wire/schemas';
import { assertEntityName, assertTags, assertUserName, pageQuery } from './validate';

export interface ProjectCreate {
  /** Slug, at most 128 characters, not a reserved word. */
  name: string;
  description?: string;
  tags?: string[];
  /** Default (server side): true. */
  is_public?: boolean;
}

export interface ProjectPatch {
  name?: string;
  description?: string;
  tags?: string[];
  is_public?: boolean;
  /** `true` appends unseen tags to the old ones; otherwise the list is replaced. */
  merge?: boolean;
  [field: string]: unknown;
}

export interface ExperimentCreate {
  name?: string;
  description?: string;
  tags?: string[];
  framework?: string;
  /** Default: `"other"`, as the Python tracking client sends. */
  backend?: string;
  /**
   * Default: false. A real server defaults to true and then answers 400 "Experiment expects a
   * `content`" (polyaxon-v0-api.md, create-experiment body).
   */
  is_managed?: boolean;
  run_env?: RunEnv;
  params?: Record<string, unknown>;
  data_refs?: Record<string, unknown>;
  [field: string]: unknown;
}

export interface ListOptions {
  /** 1-based; default 1. Sent as `?offset=(page-1)*20` (`*limit` when `limit` is given). */
  page?: number;
  /**
   * Rows per page, sent as `?limit=`. Default: none sent, so the server's own: 20, or 300,000 for
   * metrics on Polyaxon 0.6 (a server may answer fewer: read `results.length`, not `limit`).
   */
  limit?: number;
  /** Rows to skip, sent as `?offset=`; when given, `page` is ignored. Default: from `page`. */
  offset?: number;
}

export interface ListExperimentsOptions extends ListOptions {
  /** Include `last_metric` in each result. */
  metrics?: boolean;
  /** Include `params` in each result. */
  params?: boolean;
  /** Polyaxon query language, e.g. `status:running`. */
  query?: string;
  /** e.g. `-created_at`. */
  sort?: string;
  /** Only experiments outside any group. */
  independent?: boolean;
  /** Only experiments of this group id. */
  group?: number;
}

const projectPage = paginatedSchema(projectSchema);
const experimentPage = paginatedSchema(experimentSchema);

/** Projects and the experiments inside them (Polyaxon's `ProjectApi`). */
export class ProjectApi {
  /** @internal Built by PolyaxonClient. */
  constructor(private readonly http: HttpCaller) {}

  async createProject(project: ProjectCreate): Promise<ProjectResponse> {
    assertEntityName('name', project?.name);
    assertTags('tags', project.tags);
    return this.http.call({ method: 'POST', path: ['projects'], json: project }, projectSchema);
  }

  async getProject(user: string, project: string): Promise<ProjectResponse> {
    checkProjectPath(user, project);
    return this.http.call({ method: 'GET', path: [user, project] }, projectSchema);
  }

  async updateProject(user: string, project: string, patch: ProjectPatch): Promise<ProjectResponse> {
    checkProjectPath(user, project);
    if (patch.name !== undefined) assertEntityName('name', patch.name);
    assertTags('tags', patch.tags);
    return this.http.call({ method: 'PATCH', path: [user, project], json: withMergeFlag(patch) }, projectSchema);
  }

  async deleteProject(user: string, project: string): Promise<void> {
    checkProjectPath(user, project);
    await this.http.send({ method: 'DELETE', path: [user, project] });
  }

  async listProjects(user: string, options: ListOptions = {}): Promise<Paginated<ProjectResponse>> {
    assertUserName('user', user);
    return this.http.call({ method: 'GET', path: [user], query: pageQuery(options) }, projectPage);
  }

  async listExperiments(user: string, project: string, options: ListExperimentsOptions = {}): Promise<Paginated<ExperimentResponse>> {
    checkProjectPath(user, project);
    // Like the Python client, flags go out only when set (the server reads any value as "on").
    const query = {
      metrics: options.metrics ? true : undefined,
      params: options.params ? true : undefined,
      query: options.query || undefined,
      sort: options.sort || undefined,
      independent: options.independent ? true : undefined,
      group: options.group,
      ...pageQuery(options),
    };
    return this.http.call({ method: 'GET', path: [user, project, 'experiments'], query }, experimentPage);
  }

  async createExperiment(user: string, project: string, experiment: ExperimentCreate = {}): Promise<ExperimentResponse> {
    checkProjectPath(user, project);
    if (experiment.name !== undefined && experiment.name !== null) assertEntityName('name', experiment.name);
    assertTags('tags', experiment.tags);
    const json = { backend: 'other', is_managed: false, ...experiment };
    return this.http.call({ method: 'POST', path: [user, project, 'experiments'], json }, experimentSchema);
  }
}

export function checkProjectPath(user: string, project: string): void {
  assertUserName('user', user);
  assertEntityName('project', project);
}

/** The contract's "with reset: no `merge` key": only `merge: true` goes on the wire. */
export function withMergeFlag<T extends { merge?: boolean }>(patch: T): T {
  if (patch.merge === true || !('merge' in patch)) return patch;
  const { merge: _dropped, ...rest } = patch;
  return rest as T;
}
