import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api/client';
import { takeEarlyRuns } from '../api/early';
import { followProject } from '../api/live';
import { entriesOf, loadRunDetail, loadRuns, projectKey, projectPath, toRun, type ProjectRef, type Run } from '../api/runs';
import type { LiveMessage } from '../api/types';

/** Live changes are gathered and applied together at most this often (a run may post every few ms). */
const APPLY_EVERY_MS = 200;
const DONE = /^(succeeded|failed|upstream_failed|stopped|skipped)$/;

export interface LiveRuns {
  runs: Run[] | null;
  error: ApiError | null;
  connected: boolean;
  /** Per run, bumped when new points arrived (charts refetch). */
  metricVersions: ReadonlyMap<number, number>;
  /** Per run, bumped when its record or statuses changed (the run page refetches). */
  detailVersions: ReadonlyMap<number, number>;
  logVersions: ReadonlyMap<number, number>;
  reload(): void;
}

const bump = (versions: ReadonlyMap<number, number>, ids: Iterable<number>): Map<number, number> => {
  const next = new Map(versions);
  for (const id of ids) next.set(id, (next.get(id) ?? 0) + 1);
  return next;
};

/**
 * The project's runs, loaded once and then kept current from the live event stream: new points
 * update the last values in place, statuses move, created runs appear and deleted ones go; only
 * what changed is fetched. A lost stream reloads everything once it is back.
 */
export function useLiveRuns(project: ProjectRef | null): LiveRuns {
  const [runs, setRuns] = useState<Run[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [connected, setConnected] = useState(false);
  const [reloads, setReloads] = useState(0);
  const [metricVersions, setMetricVersions] = useState<ReadonlyMap<number, number>>(new Map());
  const [detailVersions, setDetailVersions] = useState<ReadonlyMap<number, number>>(new Map());
  const [logVersions, setLogVersions] = useState<ReadonlyMap<number, number>>(new Map());
  const pending = useRef<LiveMessage[]>([]);
  const key = project ? projectKey(project) : '';

  useEffect(() => {
    if (!project) return;
    const controller = new AbortController();
    (takeEarlyRuns(key) ?? loadRuns(project, controller.signal)).then(
      (loaded) => {
        setRuns(loaded);
        setError(null);
      },
      (failure: unknown) => !controller.signal.aborted && setError(failure instanceof ApiError ? failure : new ApiError(0, String(failure))),
    );
    return () => controller.abort();
  }, [key, reloads]);

  useEffect(() => {
    if (!project) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const apply = () => {
      timer = undefined;
      const messages = pending.current;
      pending.current = [];
      applyMessages(project, messages, { setRuns, setMetricVersions, setDetailVersions, setLogVersions });
    };
    const stop = followProject(projectPath(project), {
      onMessage(message) {
        pending.current.push(message);
        timer ??= setTimeout(apply, APPLY_EVERY_MS);
      },
      onReconnect: () => setReloads((count) => count + 1),
      onState: setConnected,
    });
    return () => {
      stop();
      if (timer) clearTimeout(timer);
    };
  }, [key]);

  return { runs, error, connected, metricVersions, detailVersions, logVersions, reload: () => setReloads((count) => count + 1) };
}

interface Setters {
  setRuns(update: (runs: Run[] | null) => Run[] | null): void;
  setMetricVersions(update: (versions: ReadonlyMap<number, number>) => ReadonlyMap<number, number>): void;
  setDetailVersions(update: (versions: ReadonlyMap<number, number>) => ReadonlyMap<number, number>): void;
  setLogVersions(update: (versions: ReadonlyMap<number, number>) => ReadonlyMap<number, number>): void;
}

function applyMessages(project: ProjectRef, messages: LiveMessage[], set: Setters): void {
  const lastMetrics = new Map<number, Record<string, number> | null>();
  const statuses = new Map<number, { status: string; atMs: number }>();
  const changed = new Set<number>();
  const deleted = new Set<number>();
  const logs = new Set<number>();
  for (const message of messages) {
    if (message.event === 'metrics') lastMetrics.set(message.data.experiment, message.data.last_metric);
    else if (message.event === 'status') statuses.set(message.data.experiment, { status: message.data.status, atMs: Date.parse(message.data.created_at) });
    else if (message.event === 'logs') logs.add(message.data.experiment);
    else if (message.data.change === 'deleted') deleted.add(message.data.id);
    else changed.add(message.data.id);
  }
  if (lastMetrics.size > 0 || statuses.size > 0 || deleted.size > 0) {
    set.setRuns((runs) =>
      runs === null
        ? runs
        : runs.filter((run) => !deleted.has(run.id)).map((run) => {
            const metrics = lastMetrics.get(run.id);
            const status = statuses.get(run.id);
            if (metrics === undefined && status === undefined) return run;
            const next = { ...run };
            if (metrics !== undefined) next.metrics = entriesOf(metrics);
            if (status) {
              next.status = status.status;
              if (/^(starting|running)$/.test(status.status) && next.startedMs === null) next.startedMs = status.atMs;
              if (DONE.test(status.status) && next.finishedMs === null) next.finishedMs = status.atMs;
            }
            return next;
          }),
    );
  }
  if (lastMetrics.size > 0) set.setMetricVersions((versions) => bump(versions, lastMetrics.keys()));
  if (statuses.size > 0 || changed.size > 0) set.setDetailVersions((versions) => bump(versions, [...statuses.keys(), ...changed]));
  if (logs.size > 0) set.setLogVersions((versions) => bump(versions, logs));
  for (const id of changed) {
    // A created or edited run: its list fields and params come from its detail.
    loadRunDetail(project, id).then(
      (detail) =>
        set.setRuns((runs) => {
          if (runs === null) return runs;
          const run = toRun(detail);
          return runs.some((other) => other.id === id) ? runs.map((other) => (other.id === id ? run : other)) : [run, ...runs];
        }),
      () => undefined,
    );
  }
}
