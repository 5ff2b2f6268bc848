import * as z from 'zod';
import { parseBool } from '../../runtime/settings';
import { experimentFromPath, projectFromPath, uuidHex } from '../access';
import { experimentName } from './experiment-names';
import { statusEvent } from './statuses';
import { badRequest, json } from '../http';
import { compactJson, jsonMembers, objectText, RawJson, rawMember } from '../json/raw-json';
import type { ExperimentFields, ExperimentRecord } from '../model';
import { pageWindow, paginate, type Page } from '../pagination';
import { EXPERIMENT_ORDERS } from '../store/experiments';
import { compileQuery, compileSort } from '../query';
import type { RequestContext, Route } from '../router';
import {
  experimentCreateBody,
  experimentDetailBody,
  experimentListPageJson,
  experimentMetricsRow,
  experimentParamsRow,
} from '../serialize';
import {
  bodyObject,
  dictionary,
  entityName,
  limitedText,
  mergeTags,
  optionalBoolean,
  optionalText,
  parseOrRefuse,
  tags,
} from '../validation';

const integer = z.number({ error: 'A valid integer is required.' }).int({ error: 'A valid integer is required.' });
// No groups or build jobs exist on the local server, so any reference to one names nothing.
const absentReference = z.null({ error: (issue) => `Invalid pk "${String(issue.input)}" - object does not exist.` });

const writableFields = {
  name: entityName.nullable().optional(),
  description: optionalText,
  readme: optionalText,
  content: z.unknown().optional(),
  params: dictionary.nullable().optional(),
  // db/models/abstract/backend.py and experiments.py: CharField(max_length=16).
  backend: limitedText(16).nullable().optional(),
  framework: limitedText(16).nullable().optional(),
  run_env: dictionary.nullable().optional(),
  data_refs: dictionary.nullable().optional(),
  tags: tags.nullable().optional(),
  ttl: integer.nullable().optional(),
};

const createBody = z.object({
  ...writableFields,
  original_experiment: integer.nullable().optional(),
  experiment_group: absentReference.optional(),
  build_job: absentReference.optional(),
  is_managed: optionalBoolean,
});

const updateBody = z.object({ ...writableFields, merge: optionalBoolean });

/** The JSON fields, validated by the schema and stored from the body's own text (1.0 stays 1.0). */
const JSON_FIELDS = ['content', 'params', 'run_env', 'data_refs'] as const;

/** The body's members as sent: each value's JSON text. */
function sentMembers(context: RequestContext): Map<string, string> {
  return context.bodyJson === '' ? new Map() : jsonMembers(compactJson(context.bodyJson));
}

/**
 * `merge: true` of params and data_refs (api/experiments/serializers.py validated_params,
 * api/utils/serializers/data_refs.py): `current.update(added)`, unless either is empty or
 * missing, in which case the sent value replaces the current one as without merge.
 */
function updatedDictionary(current: RawJson | null, added: RawJson | null): RawJson | null {
  if (current === null || added === null || current.text === '{}' || added.text === '{}') return added;
  const members = jsonMembers(current.text);
  for (const [key, value] of jsonMembers(added.text)) members.set(key, value);
  return new RawJson(objectText(members));
}

function createExperiment(context: RequestContext) {
  const project = projectFromPath(context, 'write');
  const body = parseOrRefuse(createBody, bodyObject(context.body));
  const sent = sentMembers(context);
  // Polyaxon's default is a managed (in-cluster) run, which needs a polyaxonfile to run.
  const isManaged = body.is_managed ?? true;
  if (isManaged && !body.content) throw badRequest({ content: ['Experiment expects a `content`.'] });
  const experiment: ExperimentRecord = {
    id: context.state.nextId('experiment'),
    uuid: uuidHex(),
    projectId: project.id,
    user: context.user.username,
    name: body.name ? experimentName(context.state, project, body.name, 'create') : null,
    description: body.description ?? null,
    readme: body.readme ?? null,
    original_experiment: body.original_experiment ?? null,
    content: rawMember(sent, 'content'),
    params: rawMember(sent, 'params'),
    backend: body.backend ?? null,
    framework: body.framework ?? null,
    is_managed: isManaged,
    run_env: rawMember(sent, 'run_env'),
    data_refs: rawMember(sent, 'data_refs'),
    tags: body.tags ?? null,
    ttl: body.ttl ?? null,
    createdAt: context.now,
    updatedAt: context.now,
    startedAt: null,
    finishedAt: null,
    lastStatus: null,
    lastMetric: null,
    codeReference: null,
  };
  context.apply({ type: 'experiment.create', experiment });
  // Polyaxon records the `created` status as soon as the experiment exists.
  context.apply(statusEvent(context.state, experiment.id, 'created', context.now));
  return json(201, experimentCreateBody(experiment, project));
}

/** PATCH: `merge: true` appends tags and updates params/data_refs; without it, values are replaced. */
function updateExperiment(context: RequestContext) {
  const { project, experiment } = experimentFromPath(context, 'write');
  const { merge, ...body } = parseOrRefuse(updateBody, bodyObject(context.body));
  const sent = sentMembers(context);
  const changes: Partial<ExperimentFields> = {};
  for (const [field, value] of Object.entries(body) as Array<[keyof typeof body, unknown]>) {
    if (value === undefined) continue;
    (changes as Record<string, unknown>)[field] = value;
  }
  for (const field of JSON_FIELDS) if (body[field] !== undefined) changes[field] = rawMember(sent, field);
  if (body.name) changes.name = experimentName(context.state, project, body.name, 'update');
  if (merge && body.tags) changes.tags = mergeTags(experiment.tags, body.tags);
  if (merge && body.params) changes.params = updatedDictionary(experiment.params, changes.params ?? null);
  if (merge && body.data_refs) changes.data_refs = updatedDictionary(experiment.data_refs, changes.data_refs ?? null);
  context.apply({ type: 'experiment.update', id: experiment.id, changes, at: context.now });
  return json(200, experimentDetailBody(context.state.experiment(experiment.id) as ExperimentRecord, project, context.state));
}

function flag(context: RequestContext, name: string): boolean | undefined {
  const value = context.query.get(name);
  if (value === null || value === '') return undefined;
  // A word parseBool does not know gives back each fallback: refused, as Polyaxon's to_bool does.
  const isTrue = parseBool(value, false);
  const isFalse = !parseBool(value, true);
  if (!isTrue && !isFalse) throw badRequest({ [name]: [`\`${value}\` is not a valid boolean.`] });
  return isTrue;
}

/** The list with Polyaxon's filters: `query`, `sort`, `independent`, `group`, `metrics`, `params`. */
function listExperiments(context: RequestContext) {
  const project = projectFromPath(context, 'read');
  const queryText = context.query.get('query');
  const matches = queryText ? compileQuery(queryText) : null;
  const sortText = context.query.get('sort') || '-updated_at,-id';
  const order = compileSort(sortText);
  // Every experiment here is independent: the local server has no groups.
  const inGroup = context.query.get('group') || flag(context, 'independent') === false;
  const row = flag(context, 'metrics') ? experimentMetricsRow : flag(context, 'params') ? experimentParamsRow : null;
  const page = inGroup ? paginate([], context.query, context.pageUrl) : experimentsPage(context, project.id, matches, sortText, order);
  if (row) return json(200, { ...page, results: page.results.map((experiment) => row(experiment, project)) });
  return { status: 200, text: experimentListPageJson(page, project, context.state), headers: { 'Content-Type': 'application/json' } };
}

/**
 * Without a query, in an order SQL gives, only the page's rows are read: a dashboard reading
 * 10,000 runs in pages of 1000 would otherwise read every run for each page.
 */
function experimentsPage(
  context: RequestContext,
  projectId: number,
  matches: ((experiment: ExperimentRecord) => boolean) | null,
  sortText: string,
  order: (a: ExperimentRecord, b: ExperimentRecord) => number,
): Page<ExperimentRecord> {
  const sqlOrder = EXPERIMENT_ORDERS.find((known) => known === sortText.replace(/\s+/g, ''));
  if (matches || sqlOrder === undefined) {
    const experiments = context.state.experimentsOf(projectId);
    return paginate((matches ? experiments.filter(matches) : experiments).sort(order), context.query, context.pageUrl);
  }
  const window = pageWindow(context.state.experimentCount(projectId), context.query, context.pageUrl);
  return { count: window.count, next: window.next, previous: window.previous, results: context.state.experimentPage(projectId, sqlOrder, window.offset, window.limit) };
}

export function experimentRoutes(): Route[] {
  return [
    { method: 'GET', path: ':user/:project/experiments', mutates: false, handle: listExperiments },
    { method: 'POST', path: ':user/:project/experiments', mutates: true, handle: createExperiment },
    {
      method: 'GET',
      path: ':user/:project/experiments/:id',
      mutates: false,
      handle: (context) => {
        const { project, experiment } = experimentFromPath(context, 'read');
        return json(200, experimentDetailBody(experiment, project, context.state));
      },
    },
    { method: 'PATCH', path: ':user/:project/experiments/:id', mutates: true, handle: updateExperiment },
    {
      method: 'DELETE',
      path: ':user/:project/experiments/:id',
      mutates: true,
      handle: (context) => {
        const { experiment } = experimentFromPath(context, 'write');
        context.apply({ type: 'experiment.delete', id: experiment.id });
        return { status: 204 };
      },
    },
  ];
}
