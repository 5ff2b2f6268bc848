/**
 * Debiased exponential moving average, as TensorBoard's scalar dashboard draws it: the first
 * points are not pulled toward 0 (the running average is divided by 1 - weight^n), and a missing
 * value keeps the previous smoothed one instead of breaking the line.
 */
export function smooth(values: ArrayLike<number | null | undefined>, weight: number): Array<number | null> {
  const out: Array<number | null> = new Array(values.length);
  if (weight <= 0) {
    for (let index = 0; index < values.length; index += 1) out[index] = values[index] ?? null;
    return out;
  }
  let average = 0;
  let seen = 0;
  let previous: number | null = null;
  for (let index = 0; index < values.length; index += 1) {
    const value = values[index];
    if (value === null || value === undefined || !Number.isFinite(value)) {
      out[index] = previous;
      continue;
    }
    average = average * weight + (1 - weight) * value;
    seen += 1;
    previous = average / (1 - weight ** seen);
    out[index] = previous;
  }
  return out;
}
