import type { Run } from '../api/runs';
import { formatValue } from '../ui/format';

/** Param names of `runs` in order, only those whose values differ (or are missing in some run) unless `all`. */
export function diffParams(runs: readonly Run[], all: boolean): string[] {
  const names = new Set<string>();
  for (const run of runs) for (const name of run.params.keys()) names.add(name);
  const sorted = [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (all) return sorted;
  return sorted.filter((name) => {
    const values = new Set(runs.map((run) => (run.params.has(name) ? formatValue(run.params.get(name)) : '\u0000missing')));
    return values.size > 1;
  });
}
