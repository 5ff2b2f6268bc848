import type { ProjectBody } from './types';
import { listProjects, loadRuns, parseProjectKey, projectKey, type Run } from './runs';
import { adoptTokenFromFragment } from './token';

/**
 * The first requests, sent while the module is still starting rather than after the first paint
 * (where effects run): the projects, and the runs of the project named in the URL. Each is taken
 * once by the code that would otherwise have asked for it.
 */
let projects: Promise<ProjectBody[]> | undefined;
let runs: { key: string; promise: Promise<Run[]> } | undefined;

/** Takes the token from the address bar, then sends the first requests (boot.ts, before the app starts). */
export function startPage(): void {
  // Before anything reads the address bar or sends a request.
  adoptTokenFromFragment();
  startEarly(location.search);
}

function startEarly(search: string): void {
  projects = listProjects();
  const project = parseProjectKey(new URLSearchParams(search).get('project'));
  if (project) runs = { key: projectKey(project), promise: loadRuns(project) };
  // A request nobody takes (the page changed first) must not report an unhandled rejection.
  projects.catch(() => undefined);
  runs?.promise.catch(() => undefined);
}

export function takeEarlyProjects(): Promise<ProjectBody[]> | undefined {
  const taken = projects;
  projects = undefined;
  return taken;
}

export function takeEarlyRuns(key: string): Promise<Run[]> | undefined {
  if (runs?.key !== key) return undefined;
  const taken = runs.promise;
  runs = undefined;
  return taken;
}
