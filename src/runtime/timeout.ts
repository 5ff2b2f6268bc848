/**
 * Resolves with `promise`'s value, or with `fallback` after `timeoutMs` (or if it rejects). The
 * timer is not unref'd unless `unrefTimer` is given: a script awaiting `create()` against an
 * unreachable server must get its offline answer, not exit with the await unsettled; the wait is
 * bounded anyway. Waits nobody needs to outlast the process (closing a store) pass it.
 */
export function withTimeout<T, F>(promise: Promise<T>, timeoutMs: number, fallback: F, unrefTimer?: (timer: unknown) => void): Promise<T | F> {
  return new Promise<T | F>((resolve) => {
    const timer = setTimeout(() => resolve(fallback), timeoutMs);
    unrefTimer?.(timer);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      () => {
        clearTimeout(timer);
        resolve(fallback);
      },
    );
  });
}
