import { experimentFromPath } from '../access';
import { badRequest, json } from '../http';
import { MAX_SERIES_POINTS, MIN_SERIES_POINTS, downsample, type SeriesPoints } from '../downsample';
import type { MetricRecord } from '../model';
import type { RequestContext, Route } from '../router';

/**
 * `GET {user}/{project}/experiments/{id}/metrics/series/`: a local-server extension for charts
 * (Polyaxon 0.6 has none). One series per metric name, x as step, wall time or time since the
 * run's first point, cut to `max_points` by min/max downsampling (downsample.ts).
 */

export type SeriesAxis = 'step' | 'time' | 'relative';
const AXES: readonly SeriesAxis[] = ['step', 'time', 'relative'];
const DEFAULT_MAX_POINTS = 2000;

export interface SeriesQuery {
  names: string[] | null;
  x: SeriesAxis;
  maxPoints: number;
  xMin: number | null;
  xMax: number | null;
}

/** Reads the query string, or refuses it with DRF's `{field: [message]}`. */
export function parseSeriesQuery(query: URLSearchParams): SeriesQuery {
  const names = query.get('names');
  const x = query.get('x') || 'step';
  if (!AXES.includes(x as SeriesAxis)) throw badRequest({ x: [`"${x}" is not a valid choice (step, time, relative).`] });
  const maxText = query.get('max_points');
  const maxPoints = maxText === null || maxText === '' ? DEFAULT_MAX_POINTS : Number(maxText);
  if (!Number.isInteger(maxPoints) || maxPoints < MIN_SERIES_POINTS || maxPoints > MAX_SERIES_POINTS) {
    throw badRequest({ max_points: [`Must be an integer from ${MIN_SERIES_POINTS} to ${MAX_SERIES_POINTS}.`] });
  }
  return {
    names: names ? names.split(',') : null,
    x: x as SeriesAxis,
    maxPoints,
    xMin: bound(query, 'x_min'),
    xMax: bound(query, 'x_max'),
  };
}

function bound(query: URLSearchParams, field: 'x_min' | 'x_max'): number | null {
  const text = query.get(field);
  if (text === null || text === '') return null;
  const value = Number(text);
  if (!Number.isFinite(value)) throw badRequest({ [field]: ['A valid number is required.'] });
  return value;
}

const seconds = (iso: string): number => Date.parse(iso) / 1000;

/** x of each stored point: its numeric `step` value, else its index among the run's posts. */
function xOf(metrics: readonly MetricRecord[], axis: SeriesAxis): (metric: MetricRecord, index: number) => number {
  if (axis === 'time') return (metric) => seconds(metric.createdAt);
  if (axis === 'relative') {
    const origin = metrics.length > 0 ? seconds(metrics[0].createdAt) : 0;
    return (metric) => seconds(metric.createdAt) - origin;
  }
  return (metric, index) => {
    const step = Object.hasOwn(metric.values, 'step') ? metric.values.step : undefined;
    return typeof step === 'number' ? step : index;
  };
}

/** One metric's points in x order within the query's range (before downsampling). */
export function seriesPoints(metrics: readonly MetricRecord[], name: string, query: SeriesQuery): SeriesPoints {
  const x = xOf(metrics, query.x);
  const xs: number[] = [];
  const ys: Array<number | null> = [];
  let sorted = true;
  metrics.forEach((metric, index) => {
    // Own keys only: a metric named `constructor` must not read Object.prototype.constructor.
    if (!Object.hasOwn(metric.values, name)) return;
    const at = x(metric, index);
    if ((query.xMin !== null && at < query.xMin) || (query.xMax !== null && at > query.xMax)) return;
    if (xs.length > 0 && at < xs[xs.length - 1]) sorted = false;
    xs.push(at);
    const value = metric.values[name];
    ys.push(typeof value === 'number' && Number.isFinite(value) ? value : null);
  });
  if (sorted) return { x: xs, y: ys };
  const order = xs.map((_, index) => index).sort((a, b) => xs[a] - xs[b] || a - b);
  return { x: order.map((index) => xs[index]), y: order.map((index) => ys[index]) };
}

function allNames(metrics: readonly MetricRecord[]): string[] {
  const names = new Set<string>();
  for (const metric of metrics) for (const name of Object.keys(metric.values)) names.add(name);
  return [...names].sort();
}

function readSeries(context: RequestContext) {
  const { experiment } = experimentFromPath(context, 'read');
  const query = parseSeriesQuery(context.query);
  const metrics = context.state.metrics.get(experiment.id) ?? [];
  const series = (query.names ?? allNames(metrics)).map((name) => {
    const points = seriesPoints(metrics, name, query);
    const kept = downsample(points, query.maxPoints);
    return { name, total: points.x.length, downsampled: kept !== points, x: kept.x, y: kept.y };
  });
  return json(200, { experiment: experiment.id, x: query.x, series });
}

export function seriesRoutes(): Route[] {
  return [{ method: 'GET', path: ':user/:project/experiments/:id/metrics/series', mutates: false, handle: readSeries }];
}
