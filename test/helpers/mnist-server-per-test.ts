import { afterEach, beforeEach } from 'vitest';
import { closeExperiments, startMnistServer } from '../fixtures/experiment-setup';
import type { LocalServer } from './local-server';

/**
 * Registers a test file's hooks: before each test a fresh local server with project `mnist`,
 * handed to `started`; after it, the experiments opened with `experimentOn` are closed (they
 * flush to that server), then the server.
 */
export function mnistServerPerTest(started: (local: LocalServer) => void): void {
  let local: LocalServer | undefined;
  beforeEach(async () => {
    local = await startMnistServer();
    started(local);
  });
  afterEach(async () => {
    await closeExperiments();
    await local?.close();
    local = undefined;
  });
}
