/**
 * The index in `low`..`high` (inclusive) whose key is `key`, among keys that go up with the index
 * (record ids as numbers, in append order); -1 when none is. A binary search: the callers look
 * where the last lookup ended first, and come here when the next id is not there. The keys are
 * read straight from the array, not through a callback: a closure over the caller's state would
 * be made on every lookup, and lookups run several times per point delivered.
 */
export function indexOfKey(key: number, low: number, high: number, keys: ArrayLike<number>): number {
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const at = keys[middle];
    if (at === key) return middle;
    if (at < key) low = middle + 1;
    else high = middle - 1;
  }
  return -1;
}
