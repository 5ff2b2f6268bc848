import * as z from 'zod';
import { experimentFromPath, uuidHexes } from '../access';
import { badRequest, json, notFound } from '../http';
import { numericValues, wellFormedMetricBodies } from '../metric-bodies';
import type { MetricRecord } from '../model';
import { pageWindow } from '../pagination';
import type { RequestContext, Route } from '../router';
import { codeReferenceBody, metricBody, metricPageJson } from '../serialize';
import { normalizeTimestamp } from '../time';
import { bodyObject, optionalText, parseOrRefuse } from '../validation';

const metricValue = z.union([z.number().refine(Number.isFinite), z.boolean()], {
  error: 'Every metric value must be a finite number (or a boolean, counted as 0/1).',
});

const metricBodySchema = z.object({
  values: z.record(z.string(), metricValue, { error: 'Expected a dictionary of metric values.' }),
  created_at: z
    .string({ error: 'Datetime has wrong format.' })
    .nullable()
    .optional()
    .refine((text) => !text || normalizeTimestamp(text) !== null, 'Datetime has wrong format.'),
});

const codeReferenceSchema = z.object({
  commit: optionalText,
  head: optionalText,
  branch: optionalText,
  git_url: optionalText,
  is_dirty: z.boolean({ error: 'Must be a valid boolean.' }).nullable().optional(),
});

/** Metrics arrive as one object or a JSON array of them; each `values` is merged into `last_metric`. */
function createMetrics(context: RequestContext) {
  const { experiment } = experimentFromPath(context, 'write');
  const many = Array.isArray(context.body);
  const parsed = many
    ? (wellFormedMetricBodies(context.body) ?? parseOrRefuse(z.array(metricBodySchema), context.body))
    : [parseOrRefuse(metricBodySchema, bodyObject(context.body))];
  const raw = (many ? context.body : [context.body]) as Array<{ values: Record<string, unknown> }>;
  parsed.forEach((item, index) => keepProtoKey(raw[index].values, item.values));
  const ids = context.state.peekIds('metric', parsed.length);
  const uuids = uuidHexes(parsed.length);
  const metrics: MetricRecord[] = parsed.map((item, index) => ({
    id: ids[index],
    uuid: uuids[index],
    experiment: experiment.id,
    createdAt: item.created_at ? (normalizeTimestamp(item.created_at) as string) : context.now,
    values: numericValues(item.values),
  }));
  context.apply({ type: 'metrics.create', experiment: experiment.id, metrics, at: context.now });
  const bodies = metrics.map(metricBody);
  return json(201, many ? bodies : bodies[0]);
}

/**
 * zod's record drops a key named `__proto__` (its guard against prototype pollution), but a metric
 * may be named anything: the key is put back as an own data property when its value is valid.
 */
function keepProtoKey(raw: Record<string, unknown>, values: Record<string, number | boolean>): void {
  if (!Object.hasOwn(raw, '__proto__') || !metricValue.safeParse(raw.__proto__).success) return;
  Object.defineProperty(values, '__proto__', { value: raw.__proto__, enumerable: true, writable: true, configurable: true });
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

function setCodeReference(context: RequestContext) {
  const { experiment } = experimentFromPath(context, 'write');
  // Outside a git repository the client posts no body at all: an empty reference is recorded.
  const body = parseOrRefuse(codeReferenceSchema, bodyObject(context.body));
  const codeReference = {
    id: context.state.nextId('codeReference'),
    commit: body.commit ?? null,
    head: body.head ?? null,
    branch: body.branch ?? null,
    git_url: body.git_url ?? null,
    is_dirty: body.is_dirty ?? null,
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
        const page = pageWindow(context.state.metricCount(experiment.id), context.query, context.pageUrl);
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
