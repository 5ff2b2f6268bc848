import { apiJson } from '../api/client';
import { projectPath, type ProjectRef } from '../api/runs';
import type { SeriesBody, SeriesResponse, XAxis } from '../api/types';

/** Points asked for per series: about two per pixel of a wide chart, with min and max kept. */
export const CHART_POINTS = 2000;

export interface SeriesRequest {
  project: ProjectRef;
  run: number;
  names: readonly string[];
  x: XAxis;
  range: [number, number] | null;
  maxPoints: number;
}

export function seriesUrl(request: SeriesRequest): string {
  const query = new URLSearchParams({ x: request.x, max_points: String(request.maxPoints) });
  if (request.names.length > 0) query.set('names', request.names.join(','));
  if (request.range) {
    query.set('x_min', String(request.range[0]));
    query.set('x_max', String(request.range[1]));
  }
  return `${projectPath(request.project)}/experiments/${request.run}/metrics/series/?${query}`;
}

/** One run's series by metric name (a Map: metric names such as `constructor` are data, not keys). */
export async function fetchSeries(request: SeriesRequest, signal?: AbortSignal): Promise<Map<string, SeriesBody>> {
  const body = await apiJson<SeriesResponse>(seriesUrl(request), signal);
  return new Map(body.series.map((series) => [series.name, series]));
}

const MAX_SPLIT_DEPTH = 24;

/**
 * Every point of one metric in `range` (raw, for CSV): a range the server had to downsample is
 * split in halves until each half comes back whole.
 */
export async function fetchRawSeries(request: Omit<SeriesRequest, 'maxPoints' | 'names'> & { name: string }, depth = 0): Promise<{ x: number[]; y: Array<number | null> }> {
  const series = (await fetchSeries({ ...request, names: [request.name], maxPoints: 100_000 })).get(request.name);
  if (!series) return { x: [], y: [] };
  if (!series.downsampled || series.x.length < 2 || depth >= MAX_SPLIT_DEPTH) return { x: series.x, y: series.y };
  const low = request.range?.[0] ?? series.x[0];
  const high = request.range?.[1] ?? series.x[series.x.length - 1];
  const middle = (low + high) / 2;
  // Ranges are inclusive: the upper half starts just past the middle so no point comes twice.
  const upperStart = middle + Math.max(Number.EPSILON * Math.abs(middle), Number.MIN_VALUE);
  const [left, right] = await Promise.all([
    fetchRawSeries({ ...request, range: [low, middle] }, depth + 1),
    fetchRawSeries({ ...request, range: [upperStart, high] }, depth + 1),
  ]);
  return { x: left.x.concat(right.x), y: left.y.concat(right.y) };
}
