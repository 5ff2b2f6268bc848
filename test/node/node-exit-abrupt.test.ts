/**
 * A Node script that ends abruptly (F28 `process.exit`, F29 an uncaught error): every point and the
 * true final status reach the server with no command run afterwards, handed from the dying process
 * to a detached sender; Node's own exit code and error output are those of the same script without
 * the library. Plain `node` scripts import the package by its name, against a real server on
 * loopback; the server is asked through its REST API until everything is there.
 */
import { describe, expect, it } from 'vitest';
import { pollDelivered, printedId, runExitChild, steps } from '../helpers/exit-child';
import type { LocalServer } from '../helpers/local-server';
import { mnistServerPerTest } from '../helpers/mnist-server-per-test';

const POINTS = 300;
/** The rows promise 5 s; a loaded 2-core machine gets three times that before the test gives up. */
const DELIVERY_BOUND_MS = 5_000;
const POLL_MS = 3 * DELIVERY_BOUND_MS;
const TEST_TIMEOUT_MS = 120_000;

let local: LocalServer;
mnistServerPerTest((started) => (local = started));

describe('F28 process.exit in the tick after logging', () => {
  it.each([
    ['exit-0', 0, 'succeeded', null],
    ['exit-1', 1, 'failed', 'process exited with code 1'],
  ])(
    'F28 %s: all 300 points and the status for the exit code are delivered without any command',
    async (scenario, code, status, message) => {
      const result = await runExitChild(scenario, local);
      expect(result.code).toBe(code);
      expect(result.stderr).toBe('');
      const id = printedId(result);
      const seen = await pollDelivered(local, id, { points: POINTS, final: [status], since: result.exitedAt, timeoutMs: POLL_MS });
      console.info(`F28 ${scenario}: delivered ${seen.afterMs} ms after the process exited`);
      expect(seen.statuses.map((row) => row.status)).toEqual(['created', 'running', status]);
      expect(seen.statuses[2].message ?? null).toBe(message);
      expect(seen.metrics).toEqual(steps(POINTS));
    },
    TEST_TIMEOUT_MS,
  );
});

describe('F29 an uncaught error', () => {
  it.each([
    ['throw-timer', 'boom in a timer', /^Error: boom in a timer\n\s+at Timeout\.boom/],
    ['reject-tla', 'rejected at the top level', /^Error: rejected at the top level\n\s+at rejectSoon/],
  ])(
    "F29 %s: points and failed with message and stack delivered without sync; Node's exit code and stderr unchanged",
    async (scenario, message, traceback) => {
      const [withLibrary, without] = await Promise.all([runExitChild(scenario, local), runExitChild(`bare-${scenario}`, local)]);
      expect(without.code).not.toBe(0);
      expect(without.stderr).toContain(message);
      expect(withLibrary.code).toBe(without.code);
      expect(withLibrary.signal).toBe(without.signal);
      expect(withLibrary.stderr).toBe(without.stderr);

      const id = printedId(withLibrary);
      const seen = await pollDelivered(local, id, { points: POINTS, final: ['failed'], since: withLibrary.exitedAt, timeoutMs: POLL_MS });
      console.info(`F29 ${scenario}: delivered ${seen.afterMs} ms after the process exited`);
      expect(seen.statuses.map((row) => row.status)).toEqual(['created', 'running', 'failed']);
      expect(seen.statuses[2].message).toBe(message);
      expect(seen.statuses[2].traceback).toMatch(traceback);
      expect(seen.metrics).toEqual(steps(POINTS));
    },
    TEST_TIMEOUT_MS,
  );
});
