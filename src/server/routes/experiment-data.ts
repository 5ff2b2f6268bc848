import { experimentFromPath } from '../access';
import { badRequest, json, notFound } from '../http';
import { arrayElements, compactJson, memberText } from '../json/raw-json';
import { metricBodies } from '../metric-bodies';
import type { MetricRecord } from '../model';
import { largePageWindow } from '../pagination';
import type { RequestContext, Route } from '../router';
import { codeReferenceBody, metricBody, metricPageJson } from '../serialize';
import { drfDateTime, normalizeTimestamp } from '../time';
import { bodyObject, codeReferenceFields, parseOrRefuse } from '../validation';

/**
 * Metrics arrive as a JSON array of points or one point; each `values` is merged into
 * `last_metric`. As in Polyaxon 0.6.1 (api/experiments/views.py ExperimentMetricListView.create),
 * a list is answered 201 with no body (0.6.1 hands it to a task) and one point with the stored
 * metric. Nothing of a list is echoed, stored for a replay or serialised.
 */
function createMetrics(context: RequestContext) {
  const { experiment } = experimentFromPath(context, 'write');
  const many = Array.isArray(context.body);
  const points = metricBodies(many ? context.body : bodyObject(context.body));
  // Each point's values as sent, so `1.0` and `true` are listed back as they came.
  const sent = compactJson(context.bodyJson);
  const valuesTexts = many ? arrayElements(sent).map((point) => memberText(point, 'values') as string) : [memberText(sent, 'values') as string];
  const ids = context.state.peekIds('metric', points.length);
  const now = drfDateTime(context.now);
  const metrics: MetricRecord[] = points.map((point, index) => ({
    id: ids[index],
    experiment: experiment.id,
    createdAt: point.created_at ? (normalizeTimestamp(point.created_at) as string) : now,
    values: point.values,
    valuesJson: valuesTexts[index],
  }));
  context.apply({ type: 'metrics.create', experiment: experiment.id, metrics, at: context.now });
  return many ? { status: 201 } : json(201, metricBody(metrics[0]));
}

/** Log lines arrive as a JSON array of strings or one string; GET answers them as text, as Polyaxon does. */
function appendLogs(context: RequestContext) {
  const { experiment } = experimentFromPath(context, 'write');
  const lines = typeof context.body === 'string' ? [context.body] : context.body;
  if (!Array.isArray(lines) || lines.some((line) => typeof line !== 'string')) {
    throw badRequest({ non_field_errors: ['Logs must be a string or a list of strings.'] });
  }
  if (lines.length > 0) context.apply({ type: 'logs.append', experiment: experiment.id, lines, at: context.now });
  return { status: 200 };
}

/**
 * A code reference with CodeReference's defaults (db/models/repos.py): `branch` 'master' and
 * `is_dirty` false when not sent, the rest null. The Python client posts no body at all outside
 * a git repository, which stores exactly those defaults.
 */
function setCodeReference(context: RequestContext) {
  const { experiment } = experimentFromPath(context, 'write');
  const body = parseOrRefuse(codeReferenceFields, bodyObject(context.body));
  const codeReference = {
    id: context.state.nextId('codeReference'),
    commit: body.commit ?? null,
    head: body.head ?? null,
    branch: body.branch === undefined ? 'master' : body.branch,
    git_url: body.git_url ?? null,
    is_dirty: body.is_dirty === undefined ? false : body.is_dirty,
  };
  context.apply({ type: 'coderef.set', experiment: experiment.id, codeReference, at: context.now });
  return json(201, codeReferenceBody(codeReference));
}

export function experimentDataRoutes(): Route[] {
  const base = ':user/:project/experiments/:id';
  return [
    {
      method: 'GET',
      path: `${base}/metrics`,
      mutates: false,
      handle: (context) => {
        const { experiment } = experimentFromPath(context, 'read');
        // LargeLimitOffsetPagination (api/paginator.py): 300,000 points a page unless `limit` says.
        const page = largePageWindow(context.state.metricCount(experiment.id), context.query, context.pageUrl);
        const rows = context.state.metricsPage(experiment.id, page.offset, page.limit);
        return { status: 200, text: metricPageJson(page, rows), headers: { 'Content-Type': 'application/json' } };
      },
    },
    { method: 'POST', path: `${base}/metrics`, mutates: true, handle: createMetrics },
    {
      method: 'GET',
      path: `${base}/logs`,
      mutates: false,
      handle: (context) => {
        const { experiment } = experimentFromPath(context, 'read');
        const lines = context.state.logsOf(experiment.id);
        return { status: 200, text: lines.map((line) => `${line}\n`).join('') };
      },
    },
    { method: 'POST', path: `${base}/logs`, mutates: true, handle: appendLogs },
    {
      method: 'GET',
      path: `${base}/coderef`,
      mutates: false,
      handle: (context) => {
        const { experiment } = experimentFromPath(context, 'read');
        if (!experiment.codeReference) throw notFound();
        return json(200, codeReferenceBody(experiment.codeReference));
      },
    },
    { method: 'POST', path: `${base}/coderef`, mutates: true, handle: setCodeReference },
  ];
}
