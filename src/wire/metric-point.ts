import { pythonDatetime } from './format';

/** One metrics point as the metrics endpoint takes it. */
export interface MetricPointBody {
  /** `null` as Polyaxon stores it (F35). */
  values: Record<string, number | null>;
  created_at: string;
}

/** Metric names seen so far, as JSON strings: names repeat every call, their escaping need not. */
const keyJson = new Map<string, string>();
/** Past this many names the cache starts over: a run that invents names per call gains nothing. */
const MAX_CACHED_KEYS = 4_096;

function quotedKey(key: string): string {
  let json = keyJson.get(key);
  if (json === undefined) {
    if (keyJson.size >= MAX_CACHED_KEYS) keyJson.clear();
    json = JSON.stringify(key);
    keyJson.set(key, json);
  }
  return json;
}

/**
 * The body of one `logMetrics` call and its JSON, written by hand: this runs once per point on
 * the training loop's hot path, where `JSON.stringify` of the body cost more than the rest of the
 * call. The characters are those `JSON.stringify(body)` gives (a finite number's JSON is its
 * `String`, `-0` included), so the journal and the request body can use them as they are (write
 * once). `values` holds only finite numbers and null (validateMetrics).
 */
export function metricPoint(values: Record<string, number | null>, ms: number): { body: MetricPointBody; json: string } {
  const created_at = pythonDatetime(ms);
  let json = '{"values":{';
  let first = true;
  for (const key in values) {
    const value = values[key];
    json += `${first ? '' : ','}${quotedKey(key)}:${value === null ? 'null' : String(value)}`;
    first = false;
  }
  json += `},"created_at":"${created_at}"}`;
  return { body: { values, created_at }, json };
}
