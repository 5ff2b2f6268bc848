import { jsonMembers, objectText } from '../json/raw-json';
import type { MetricRecord } from '../model';

/**
 * `last_metric` after `metrics` (in post order): Polyaxon merges every point's values into it,
 * `last_metric.update(values)` (db/models/experiments.py Experiment.set_metric), so each name
 * holds its latest value, as the client sent it (`1.0` stays `1.0`).
 *
 * One difference, on purpose: a `null` value is left out (the name keeps its earlier value).
 * 0.6.1 stores the null, and its detail serializer's `round(None, 7)` then answers 500 for the run.
 *
 * Only the points that hold some name's latest value are read as text: walking back from the
 * last point, that is usually the last point alone.
 */
export function mergedLastMetric(previous: string | null, metrics: readonly MetricRecord[]): string {
  const latest = new Map<string, number>();
  for (let index = metrics.length - 1; index >= 0; index -= 1) {
    const values = metrics[index].values;
    for (const name in values) {
      if (values[name] !== null && !latest.has(name)) latest.set(name, index);
    }
  }
  const merged = previous === null ? new Map<string, string>() : jsonMembers(previous);
  if (latest.size === 0) return objectText(merged);
  const texts = new Map<number, Map<string, string>>();
  const textOf = (name: string): string => {
    const index = latest.get(name)!;
    let members = texts.get(index);
    if (!members) texts.set(index, (members = jsonMembers(metrics[index].valuesJson)));
    return members.get(name)!;
  };
  let added = 0;
  for (const name of latest.keys()) {
    if (merged.has(name)) merged.set(name, textOf(name));
    else added += 1;
  }
  // New names go last, in the order they first appear in the batch (Python's dict.update).
  for (let index = 0; added > 0 && index < metrics.length; index += 1) {
    for (const name in metrics[index].values) {
      if (!latest.has(name) || merged.has(name)) continue;
      merged.set(name, textOf(name));
      added -= 1;
    }
  }
  return objectText(merged);
}
