import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError } from './api/client';
import { takeEarlyProjects } from './api/early';
import { listProjects, parseProjectKey, projectKey, type Run } from './api/runs';
import type { ProjectBody } from './api/types';
import { CompareView } from './charts/compare-view';
import { darkQuery } from './charts/theme';
import { ParamsView } from './params/params-view';
import { RunPage } from './run/run-page';
import { sortRuns, visibleColumns } from './runs/columns';
import { compileFilter } from './runs/filter';
import { RunsView } from './runs/runs-view';
import { useLiveRuns } from './state/use-live-runs';
import { updateView, useView } from './state/view-store';
import type { Tab } from './state/url-state';
import { TokenForm } from './token-form';
import { assignColors } from './ui/colors';

const TABS: Array<[Tab, string]> = [['runs', 'Runs'], ['compare', 'Compare'], ['params', 'Params']];

export function App() {
  const view = useView();
  const [projects, setProjects] = useState<ProjectBody[] | null>(null);
  const [projectsError, setProjectsError] = useState<ApiError | null>(null);
  const [attempt, setAttempt] = useState(0);
  const [themeVersion, setThemeVersion] = useState(0);

  useEffect(() => {
    const query = darkQuery();
    const changed = () => setThemeVersion((version) => version + 1);
    query.addEventListener('change', changed);
    return () => query.removeEventListener('change', changed);
  }, []);

  useEffect(() => {
    (takeEarlyProjects() ?? listProjects()).then(
      (list) => {
        setProjects(list);
        setProjectsError(null);
      },
      (failure: unknown) => setProjectsError(failure instanceof ApiError ? failure : new ApiError(0, String(failure))),
    );
  }, [attempt]);

  const newest = projects?.[0];
  const project = parseProjectKey(view.project) ?? (newest ? { user: newest.user, name: newest.name } : null);
  const live = useLiveRuns(project);
  const runs = live.runs ?? [];
  assignColors(view.selected);

  const filter = useMemo(() => compileFilter(view.query, view.tag, view.status), [view.query, view.tag, view.status]);
  const columns = useMemo(() => visibleColumns(runs, view.columns, Date.now()), [runs, view.columns]);
  const filtered = useMemo(() => (filter.kind === 'ok' ? runs.filter(filter.matches) : runs), [runs, filter]);
  const shown = useMemo(() => sortRuns(filtered, view.sort, columns.shown), [filtered, view.sort, columns]);
  const byId = useMemo(() => new Map(runs.map((run) => [run.id, run])), [runs]);
  const selectedRuns = view.selected.map((id) => byId.get(id)).filter((run): run is Run => run !== undefined);

  const refused = [projectsError, live.error].find((error) => error && (error.status === 401 || error.status === 403));
  if (refused) return <TokenForm message={refused.message} onSaved={() => { setAttempt(attempt + 1); live.reload(); }} />;
  const open = (id: number) => updateView({ run: id, zoom: null });

  return (
    <div class="app">
      <header class="topbar">
        <span class="brand">polyaxon-tracking</span>
        <select
          class="project" aria-label="project" value={project ? projectKey(project) : ''}
          onChange={(event) => updateView({ project: (event.currentTarget as HTMLSelectElement).value, selected: [], hidden: [], run: null, zoom: null })}
        >
          {(projects ?? []).map((item) => <option key={item.id} value={`${item.user}/${item.name}`}>{item.unique_name} ({item.num_experiments})</option>)}
          {project && !projects?.some((item) => item.user === project.user && item.name === project.name) ? <option value={projectKey(project)}>{projectKey(project)}</option> : null}
        </select>
        <nav class="tabs" role="tablist">
          {TABS.map(([tab, label]) => (
            <button type="button" role="tab" key={tab} aria-selected={view.run === null && view.tab === tab} onClick={() => updateView({ tab, run: null })}>
              {label}{tab !== 'runs' && view.selected.length > 0 ? ` (${view.selected.length})` : ''}
            </button>
          ))}
        </nav>
        <span class={`live ${live.connected ? 'on' : 'off'}`} title={live.connected ? 'following live updates' : 'reconnecting to live updates'}>
          {live.connected ? 'live' : 'offline'}
        </span>
      </header>
      <main class="content">
        {projectsError && !refused ? <p class="error">{projectsError.message}</p> : null}
        {live.error && !refused ? <p class="error">{live.error.message}</p> : null}
        {projects !== null && !project ? <p class="empty">No projects yet: track a run with the library and it appears here.</p> : null}
        {project && live.runs === null && !live.error ? <p class="empty">Loading runs…</p> : null}
        {project && live.runs !== null ? (
          view.run !== null ? (
            <RunPage
              project={project} id={view.run} view={view} themeVersion={themeVersion} versions={live.metricVersions}
              detailVersion={live.detailVersions.get(view.run) ?? 0} logsVersion={live.logVersions.get(view.run) ?? 0}
              onBack={() => updateView({ run: null, zoom: null })}
            />
          ) : view.tab === 'compare' ? (
            <CompareView project={project} view={view} runs={selectedRuns} themeVersion={themeVersion} versions={live.metricVersions} onOpen={open} />
          ) : view.tab === 'params' ? (
            <ParamsView view={view} selected={selectedRuns} filtered={filtered} themeVersion={themeVersion} onOpen={open} />
          ) : (
            <RunsView view={view} all={runs} shown={shown} columns={columns} filterError={filter.kind === 'error' ? filter.message : null} onOpen={open} />
          )
        ) : null}
      </main>
    </div>
  );
}
