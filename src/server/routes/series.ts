import { experimentFromPath } from '../access';
import { badRequest, json } from '../http';
import type { RequestContext, Route } from '../router';
import { readSeries, type SeriesAnswer, type SeriesAxis } from '../series/read-series';
import { unixSeconds } from '../store/series-ingest';

const AXES: readonly SeriesAxis[] = ['step', 'time', 'relative'];
const DEFAULT_MAX_POINTS = 2000;
const MAX_POINTS_RANGE = [2, 100_000] as const;

/**
 * `GET {user}/{project}/experiments/{id}/metrics/series/?names=loss,acc&x=step&max_points=2000
 * &x_min=..&x_max=..`: each metric's points for a chart, downsampled to at most `max_points`
 * (a local-server extension for the dashboard; the contract is in the README's server section).
 */
export function seriesRoutes(): Route[] {
  return [{ method: 'GET', path: ':user/:project/experiments/:id/metrics/series', mutates: false, handle: answerSeries }];
}

function answerSeries(context: RequestContext) {
  const { experiment } = experimentFromPath(context, 'read');
  const { names, axis, maxPoints, xMin, xMax } = parseQuery(context.query);
  const blocks = context.state.series;
  const counts = new Map(blocks.names(experiment.id).map((entry) => [entry.name, entry.count]));
  const wanted = names ?? [...counts.keys()].sort();
  const first = axis === 'relative' ? context.state.metricsPage(experiment.id, 0, 1)[0] : undefined;
  const origin = first ? unixSeconds(first.createdAt) : 0;
  const series = wanted.map((name) => {
    if (!counts.has(name)) return { name, total: 0, x: [], y: [] };
    const answer: SeriesAnswer = readSeries(
      { summaries: () => blocks.summaries(experiment.id, name), data: (blockNo) => blocks.data(experiment.id, name, blockNo) },
      { axis, maxPoints, xMin, xMax, origin },
    );
    return { name, ...answer };
  });
  return json(200, { experiment: experiment.id, x: axis, series });
}

function parseQuery(query: URLSearchParams) {
  const errors: Record<string, string[]> = {};
  const namesText = query.get('names');
  const names = namesText ? [...new Set(namesText.split(','))].filter((name) => name !== '') : undefined;
  const axis = (query.get('x') || 'step') as SeriesAxis;
  if (!AXES.includes(axis)) errors.x = [`"${axis}" is not a valid choice (step, time or relative).`];
  const maxPointsText = query.get('max_points');
  const maxPoints = maxPointsText === null || maxPointsText === '' ? DEFAULT_MAX_POINTS : Number(maxPointsText);
  if (!Number.isInteger(maxPoints) || maxPoints < MAX_POINTS_RANGE[0] || maxPoints > MAX_POINTS_RANGE[1]) {
    errors.max_points = [`Must be an integer from ${MAX_POINTS_RANGE[0]} to ${MAX_POINTS_RANGE[1]}.`];
  }
  const bound = (field: 'x_min' | 'x_max') => {
    const text = query.get(field);
    if (text === null || text === '') return undefined;
    const value = Number(text);
    if (!Number.isFinite(value)) errors[field] = ['A valid number is required.'];
    return value;
  };
  const xMin = bound('x_min');
  const xMax = bound('x_max');
  if (xMin !== undefined && xMax !== undefined && xMin > xMax && !errors.x_min) errors.x_min = ['Must not be greater than x_max.'];
  if (Object.keys(errors).length > 0) throw badRequest(errors);
  return { names, axis, maxPoints, xMin, xMax };
}
