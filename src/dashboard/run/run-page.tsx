import { useEffect, useState } from 'preact/hooks';
import { listAll } from '../api/client';
import { entriesOf, loadCodeReference, loadRunDetail, projectPath, toRun, type ProjectRef, type Run } from '../api/runs';
import type { CodeReferenceBody, ExperimentDetailBody, StatusBody } from '../api/types';
import { ChartControls } from '../charts/chart-controls';
import { ChartGrid } from '../charts/chart-grid';
import { updateView } from '../state/view-store';
import type { ViewState } from '../state/url-state';
import { formatDuration, formatTime, formatValue } from '../ui/format';
import { StatusBadge } from '../ui/status-badge';
import { commitUrl } from './code-link';
import { KeyValues } from './key-values';
import { LogsPanel } from './logs-panel';
import { OutputsPanel } from './outputs-panel';
import { flattenEnv, runEnvSummary } from './run-env';

export interface RunPageProps {
  project: ProjectRef;
  id: number;
  view: ViewState;
  themeVersion: number;
  /** Live versions: metrics (per run), the run's record and statuses, its logs. */
  versions: ReadonlyMap<number, number>;
  detailVersion: number;
  logsVersion: number;
  onBack(): void;
}

const kv = (object: Record<string, unknown> | null): Array<[string, string]> =>
  [...entriesOf(object)].map(([key, value]) => [key, formatValue(value)]);

/** Everything about one run: statuses, failure, charts, params, code, environment, logs, outputs. */
export function RunPage(props: RunPageProps) {
  const { project, id, view } = props;
  const path = `${projectPath(project)}/experiments/${id}`;
  const [detail, setDetail] = useState<ExperimentDetailBody | null>(null);
  const [reference, setReference] = useState<CodeReferenceBody | null>(null);
  const [statuses, setStatuses] = useState<StatusBody[]>([]);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    const withReference = loadRunDetail(project, id, controller.signal).then(
      async (body) => [body, await loadCodeReference(project, body, controller.signal)] as const,
    );
    Promise.all([withReference, listAll<StatusBody>(`${path}/statuses/`, controller.signal)]).then(
      ([[body, codeReference], list]) => {
        setDetail(body);
        setReference(codeReference);
        setStatuses(list);
        setError(null);
      },
      (failure: Error) => !controller.signal.aborted && setError(failure.message),
    );
    return () => controller.abort();
  }, [path, props.detailVersion, props.versions.get(id) ?? 0]);

  if (error) return <div class="run-page"><BackLink onBack={props.onBack} /><p class="error">{error}</p></div>;
  if (!detail) return <div class="run-page"><BackLink onBack={props.onBack} /><p class="empty">Loading run {id}…</p></div>;
  const run: Run = toRun(detail);
  const failure = [...statuses].reverse().find((status) => /failed/.test(status.status) && (status.message || status.traceback));
  const link = reference ? commitUrl(reference) : null;
  const env = detail.run_env ?? {};
  const endMs = run.finishedMs ?? Date.now();

  return (
    <div class="run-page" data-run={id}>
      <BackLink onBack={props.onBack} />
      <header class="run-head">
        <h1>{run.name}</h1>
        <StatusBadge status={run.status} />
        <span class="muted">#{run.id} · {run.user}</span>
        {run.tags.map((tag) => <span class="tag" key={tag}>{tag}</span>)}
        <span class="muted">
          {run.startedMs ? `started ${formatTime(run.startedMs)} · ran ${formatDuration((endMs - run.startedMs) / 1000)}` : `created ${formatTime(run.createdMs)}`}
        </span>
      </header>
      {run.description ? <p class="description">{run.description}</p> : null}
      {failure ? (
        <section class="panel failure">
          <h2>{failure.status}: {failure.message ?? ''}</h2>
          {failure.traceback ? <pre>{failure.traceback}</pre> : null}
        </section>
      ) : null}
      <div class="run-grid">
        <section class="panel">
          <header class="panel-head"><h2>Statuses</h2></header>
          <table class="kv">
            <tbody>
              {statuses.map((status) => (
                <tr key={status.id}>
                  <th scope="row"><StatusBadge status={status.status} /></th>
                  <td>{formatTime(Date.parse(status.created_at))}{status.message ? ` · ${status.message}` : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <section class="panel">
          <header class="panel-head"><h2>Params</h2></header>
          <KeyValues rows={kv(detail.params)} empty="No params." />
        </section>
        <section class="panel">
          <header class="panel-head"><h2>Code</h2></header>
          {reference ? (
            <>
              <KeyValues
                empty=""
                rows={[
                  ['commit', reference.commit ?? ''], ['branch', reference.branch ?? ''],
                  ['dirty', reference.is_dirty === null ? '' : reference.is_dirty ? 'yes (uncommitted changes)' : 'no'],
                  ['remote', reference.git_url ?? ''],
                ].filter(([, value]) => value) as Array<[string, string]>}
              />
              {link ? <a class="external" href={link} target="_blank" rel="noopener noreferrer">open the commit on {new URL(link).host}</a> : null}
            </>
          ) : (
            <p class="empty">No code reference.</p>
          )}
        </section>
        <section class="panel">
          <header class="panel-head"><h2>Run environment</h2></header>
          <KeyValues rows={runEnvSummary(env)} empty="No run environment." />
          {Object.keys(env).length > 0 ? (
            <details>
              <summary>all {flattenEnv(env).length} entries</summary>
              <KeyValues rows={flattenEnv(env)} empty="" />
            </details>
          ) : null}
        </section>
        <section class="panel">
          <header class="panel-head"><h2>Data refs</h2></header>
          <KeyValues rows={kv(detail.data_refs)} empty="No data refs." />
        </section>
        <OutputsPanel path={path} />
      </div>
      <section class="panel">
        <header class="panel-head"><h2>Metrics</h2></header>
        <ChartControls x={view.x} smoothing={view.smoothing} logY={view.logY} zoom={view.zoom} onChange={updateView} />
        <ChartGrid
          project={project} runs={[run]} x={view.x} smoothing={view.smoothing} logY={view.logY} zoom={view.zoom}
          onZoom={(zoom) => updateView({ zoom })} highlight={null} themeVersion={props.themeVersion} versions={props.versions}
        />
      </section>
      <LogsPanel path={path} version={props.logsVersion} />
    </div>
  );
}

function BackLink({ onBack }: { onBack(): void }) {
  return (
    <a href="?" class="back" onClick={(event) => { event.preventDefault(); onBack(); }}>← runs</a>
  );
}
