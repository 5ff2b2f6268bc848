import { expect } from 'vitest';
import { PolyaxonError } from '../../src/index.node';

/** The PolyaxonError `call` rejects with; fails the test when it resolves or rejects otherwise. */
export async function failure(call: Promise<unknown>): Promise<PolyaxonError> {
  const error = await call.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(PolyaxonError);
  return error as PolyaxonError;
}
