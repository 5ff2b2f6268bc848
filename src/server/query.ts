import { badRequest } from './http';
import type { RawJson } from './json/raw-json';
import type { ExperimentRecord } from './model';

/**
 * The part of Polyaxon's query language that experiment lists use:
 * `query=status:running|succeeded, metric.loss:<0.2, name:~draft, created_at:2020-01-01..2020-02-01`
 * (conditions joined by commas, `~` negates, `|` is "any of", `a..b` a range, `<`/`<=`/`>`/`>=`
 * compare) and `sort=-metric.loss,created_at` (`-` for descending).
 */

type Value = string | number | null | undefined;
type Getter = (experiment: ExperimentRecord) => Value | Value[];

const DATE_FIELDS = new Set(['created_at', 'updated_at', 'started_at', 'finished_at']);

function getterFor(field: string): Getter | null {
  const [head, ...rest] = field.split('.');
  const key = rest.join('.');
  if ((head === 'metric' || head === 'metrics') && key) return (experiment) => metricValue(member(experiment.lastMetric, key));
  if ((head === 'params' || head === 'declarations') && key) {
    return (experiment) => scalar(member(experiment.params, key));
  }
  if (rest.length > 0) return null;
  switch (field) {
    case 'id': return (experiment) => experiment.id;
    case 'name': return (experiment) => experiment.name;
    case 'description': return (experiment) => experiment.description;
    case 'user': return (experiment) => experiment.user;
    case 'backend': return (experiment) => experiment.backend;
    case 'framework': return (experiment) => experiment.framework;
    case 'status': return (experiment) => experiment.lastStatus;
    case 'tags': return (experiment) => experiment.tags ?? [];
    case 'created_at': return (experiment) => experiment.createdAt;
    case 'updated_at': return (experiment) => experiment.updatedAt;
    case 'started_at': return (experiment) => experiment.startedAt;
    case 'finished_at': return (experiment) => experiment.finishedAt;
    default: return null;
  }
}

/** The object's own member `key` (a metric may be named `constructor`), undefined when absent. */
function member(json: RawJson | null, key: string): unknown {
  const object = json?.value;
  return typeof object === 'object' && object !== null && Object.hasOwn(object, key) ? (object as Record<string, unknown>)[key] : undefined;
}

/** A metric compares as a number; a boolean as 0/1, as the detail's `round(True, 7) == 1`. */
function metricValue(value: unknown): Value {
  if (typeof value === 'boolean') return Number(value);
  return typeof value === 'number' ? value : undefined;
}

function scalar(value: unknown): Value {
  if (typeof value === 'number' || typeof value === 'string') return value;
  if (typeof value === 'boolean') return String(value);
  return value === null || value === undefined ? value : JSON.stringify(value);
}

/** Orders `value` against the query's text operand; null when they cannot be compared. */
function compare(value: Value, operand: string, isDate: boolean): number | null {
  if (value === null || value === undefined) return null;
  if (isDate) {
    const left = Date.parse(String(value));
    const right = Date.parse(operand);
    return Number.isNaN(left) || Number.isNaN(right) ? null : left - right;
  }
  if (typeof value === 'number') {
    const right = Number(operand);
    return operand.trim() === '' || Number.isNaN(right) ? null : value - right;
  }
  return value < operand ? -1 : value > operand ? 1 : 0;
}

type Test = (value: Value) => boolean;

function operationFor(expression: string, isDate: boolean): Test {
  const ordered = (predicate: (order: number) => boolean, operand: string): Test => (value) => {
    const order = compare(value, operand, isDate);
    return order !== null && predicate(order);
  };
  if (expression.startsWith('<=')) return ordered((order) => order <= 0, expression.slice(2));
  if (expression.startsWith('>=')) return ordered((order) => order >= 0, expression.slice(2));
  if (expression.startsWith('<')) return ordered((order) => order < 0, expression.slice(1));
  if (expression.startsWith('>')) return ordered((order) => order > 0, expression.slice(1));
  if (expression.includes('..')) {
    const [low, high] = expression.split('..');
    return (value) => ordered((order) => order >= 0, low)(value) && ordered((order) => order <= 0, high)(value);
  }
  const options = expression.split('|');
  return (value) => options.some((option) => compare(value, option, isDate) === 0);
}

/** Compiles `query` into a predicate, or refuses it with a 400 on the `query` field. */
export function compileQuery(query: string): (experiment: ExperimentRecord) => boolean {
  const conditions = query.split(',').map((part) => part.trim()).filter(Boolean).map((condition) => {
    const colon = condition.indexOf(':');
    const field = colon > 0 ? condition.slice(0, colon).trim() : '';
    let expression = colon > 0 ? condition.slice(colon + 1).trim() : '';
    const getter = getterFor(field);
    if (!getter || expression === '') {
      throw badRequest({ query: [`Query condition \`${condition}\` is not valid.`] });
    }
    const negated = expression.startsWith('~');
    if (negated) expression = expression.slice(1);
    const test = operationFor(expression, DATE_FIELDS.has(field));
    return (experiment: ExperimentRecord) => {
      const value = getter(experiment);
      const matched = Array.isArray(value) ? value.some(test) : test(value);
      return negated ? !matched : matched;
    };
  });
  return (experiment) => conditions.every((condition) => condition(experiment));
}

/** Compiles `sort` into a comparator (missing values last), or refuses it on the `sort` field. */
export function compileSort(sort: string): (a: ExperimentRecord, b: ExperimentRecord) => number {
  const keys = sort.split(',').map((part) => part.trim()).filter(Boolean).map((key) => {
    const descending = key.startsWith('-');
    const field = descending ? key.slice(1) : key;
    const getter = field === 'tags' ? null : getterFor(field);
    if (!getter) throw badRequest({ sort: [`Cannot sort by \`${field}\`.`] });
    return { getter: getter as (experiment: ExperimentRecord) => Value, descending };
  });
  return (a, b) => {
    for (const { getter, descending } of keys) {
      const left = getter(a);
      const right = getter(b);
      const missing = missingLast(left, right);
      if (missing !== 0) return missing;
      const order = orderValues(left, right);
      if (order !== 0) return descending ? -order : order;
    }
    return 0;
  };
}

function missingLast(left: Value, right: Value): number {
  const missingLeft = left === null || left === undefined;
  const missingRight = right === null || right === undefined;
  return missingLeft === missingRight ? 0 : missingLeft ? 1 : -1;
}

function orderValues(left: Value, right: Value): number {
  if (left === null || left === undefined || right === null || right === undefined) return 0;
  if (typeof left === 'number' && typeof right === 'number') return left - right;
  return String(left) < String(right) ? -1 : String(left) > String(right) ? 1 : 0;
}
