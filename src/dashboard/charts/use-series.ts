import { useEffect, useRef, useState } from 'preact/hooks';
import { projectKey, type ProjectRef, type Run } from '../api/runs';
import type { SeriesBody, XAxis } from '../api/types';
import { CHART_POINTS, fetchSeries } from './series-data';

export type RunSeries = Map<number, Map<string, SeriesBody>>;

/** A run's chartable metric names: every key of its last values but `step`, the x axis. */
export const chartNames = (run: Run): string[] => [...run.metrics.keys()].filter((name) => name !== 'step');

/**
 * The downsampled series of `runs` for the x axis and zoom range, fetched in parallel; a run is
 * fetched again when its `versions` entry changes (new points heard live) or its metric names do.
 * Old data stays drawn until the new answer replaces it, so zooming never flashes an empty chart.
 */
export function useRunSeries(project: ProjectRef | null, runs: readonly Run[], x: XAxis, zoom: [number, number] | null, versions: ReadonlyMap<number, number>) {
  const [data, setData] = useState<RunSeries>(() => new Map());
  const [error, setError] = useState<string | null>(null);
  const fetched = useRef(new Map<number, string>());
  const base = project ? `${projectKey(project)}|${x}|${zoom ? zoom.join('..') : ''}` : '';
  const wanted = runs.map((run) => `${run.id}#${versions.get(run.id) ?? 0}#${chartNames(run).join('\n')}`).join('|');

  useEffect(() => {
    setData(new Map());
    fetched.current.clear();
  }, [project ? projectKey(project) : '', x]);

  // One request per run at a time: a newer one for the same run replaces it.
  const inFlight = useRef(new Map<number, AbortController>());
  useEffect(() => () => inFlight.current.forEach((controller) => controller.abort()), []);

  useEffect(() => {
    if (!project) return;
    for (const run of runs) {
      const names = chartNames(run);
      const key = `${base}#${versions.get(run.id) ?? 0}#${names.join('\n')}`;
      if (fetched.current.get(run.id) === key) continue;
      fetched.current.set(run.id, key);
      inFlight.current.get(run.id)?.abort();
      const controller = new AbortController();
      inFlight.current.set(run.id, controller);
      fetchSeries({ project, run: run.id, names, x, range: zoom, maxPoints: CHART_POINTS }, controller.signal).then(
        (series) => {
          if (fetched.current.get(run.id) !== key) return;
          setError(null);
          setData((previous) => new Map(previous).set(run.id, series));
        },
        (failure: Error) => {
          if (controller.signal.aborted) return;
          if (fetched.current.get(run.id) === key) fetched.current.delete(run.id);
          setError(failure.message);
          // Answered, if with nothing: the charts need not wait for this run.
          setData((previous) => (previous.has(run.id) ? previous : new Map(previous).set(run.id, new Map())));
        },
      );
    }
  }, [base, wanted]);

  // Every run has answered (for this project and axis): charts are built once, with all their lines.
  const complete = runs.every((run) => data.has(run.id));
  return { data, error, complete };
}
