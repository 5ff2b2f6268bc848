import { apiJson, listAll, segment } from './client';
import type { CodeReferenceBody, ExperimentBody, ExperimentDetailBody, ProjectBody } from './types';

/** One experiment as the dashboard shows it. Data-named values live in Maps, never as object keys. */
export interface Run {
  id: number;
  name: string;
  status: string;
  tags: string[];
  user: string;
  description: string;
  createdMs: number;
  startedMs: number | null;
  finishedMs: number | null;
  metrics: Map<string, number>;
  params: Map<string, unknown>;
}

export interface ProjectRef {
  user: string;
  name: string;
}

export const projectPath = (project: ProjectRef): string => `${segment(project.user)}/${segment(project.name)}`;
export const projectKey = (project: ProjectRef): string => `${project.user}/${project.name}`;

export function parseProjectKey(text: string | null): ProjectRef | null {
  const slash = text ? text.indexOf('/') : -1;
  if (!text || slash <= 0 || slash === text.length - 1) return null;
  return { user: text.slice(0, slash), name: text.slice(slash + 1) };
}

const ms = (iso: string | null): number | null => (iso ? Date.parse(iso) : null);

/** Own entries only (a JSON object may hold `__proto__` or `constructor` as plain keys). */
export const entriesOf = <T>(object: Record<string, T> | null | undefined): Map<string, T> => new Map(object ? Object.entries(object) : []);

export function toRun(body: ExperimentBody): Run {
  return {
    id: body.id,
    name: body.name ?? `#${body.id}`,
    status: body.last_status ?? 'created',
    tags: body.tags ?? [],
    user: body.user,
    description: body.description ?? '',
    createdMs: Date.parse(body.created_at),
    startedMs: ms(body.started_at),
    finishedMs: ms(body.finished_at),
    metrics: entriesOf(body.last_metric),
    params: entriesOf(body.params),
  };
}

export async function listProjects(signal?: AbortSignal): Promise<ProjectBody[]> {
  const me = await apiJson<{ username: string }>('users/', signal);
  return listAll<ProjectBody>(`${segment(me.username)}/`, signal);
}

/**
 * Every run of a project. The list rows carry status, tags, last metrics and params together
 * (BookmarkedExperimentSerializer's fields), so one paged list is the whole table.
 */
export async function loadRuns(project: ProjectRef, signal?: AbortSignal): Promise<Run[]> {
  const bodies = await listAll<ExperimentBody>(`${projectPath(project)}/experiments/?sort=-id`, signal);
  // Marks read by the benchmark (bench/dashboard.mjs): where a long load's time went.
  performance.mark('runs:fetched');
  const runs = bodies.map(toRun);
  performance.mark('runs:built');
  return runs;
}

export function loadRunDetail(project: ProjectRef, id: number, signal?: AbortSignal): Promise<ExperimentDetailBody> {
  return apiJson<ExperimentDetailBody>(`${projectPath(project)}/experiments/${id}/`, signal);
}

/** The run's code reference, or null when it has none (the detail carries only its id). */
export async function loadCodeReference(project: ProjectRef, detail: ExperimentDetailBody, signal?: AbortSignal): Promise<CodeReferenceBody | null> {
  if (detail.code_reference === null) return null;
  return apiJson<CodeReferenceBody>(`${projectPath(project)}/experiments/${detail.id}/coderef/`, signal);
}
