/**
 * F30: SIGINT (Ctrl-C) and SIGTERM while a script logs. Every point logged before the signal and
 * `stopped` naming it reach the server with no command run afterwards, and the process still dies
 * by that signal, as the same script without the library does. The library listens only while a
 * run is open and only when the program does not listen itself. Real signals to real processes.
 */
import { describe, expect, it } from 'vitest';
import { pollDelivered, printedId, startExitChild, steps, type ExitedChild } from '../helpers/exit-child';
import type { LocalServer } from '../helpers/local-server';
import { mnistServerPerTest } from '../helpers/mnist-server-per-test';

/** The row promises 5 s; a loaded 2-core machine gets three times that before the test gives up. */
const POLL_MS = 15_000;
const TEST_TIMEOUT_MS = 120_000;

let local: LocalServer;
mnistServerPerTest((started) => (local = started));

/** The last `step <n>` the child printed: each is printed right after its point was logged. */
function lastStep(result: ExitedChild): number {
  const all = [...result.stdout.matchAll(/^step (\d+)$/gm)].map((match) => Number(match[1]));
  return Math.max(...all);
}

async function signalled(scenario: string, signals: NodeJS.Signals[]): Promise<ExitedChild> {
  const running = startExitChild(scenario, local.port, local.token, local.outboxDir);
  await running.printed('ready');
  // Let a few timer-driven points go by, so the signal lands while the script is logging.
  await new Promise((resolve) => setTimeout(resolve, 100));
  for (const signal of signals) running.child.kill(signal);
  return running.exited;
}

describe('F30 a signal while logging', () => {
  it.each([
    ['SIGINT', ['SIGINT']],
    ['SIGTERM', ['SIGTERM']],
    ['SIGINT twice (a second Ctrl-C)', ['SIGINT', 'SIGINT']],
  ] as Array<[string, NodeJS.Signals[]]>)(
    'F30 %s: every point and stopped naming the signal delivered; the process dies by the signal',
    async (_name, signals) => {
      const [withLibrary, without] = await Promise.all([signalled('signal', signals), signalled('bare-signal', signals)]);
      expect(without.signal).toBe(signals[0]);
      expect(withLibrary.signal).toBe(without.signal);
      expect(withLibrary.code).toBe(without.code);
      expect(withLibrary.stderr).toBe('');

      const id = printedId(withLibrary);
      const points = lastStep(withLibrary);
      expect(points).toBeGreaterThanOrEqual(300);
      const seen = await pollDelivered(local, id, { points, final: ['stopped'], since: withLibrary.exitedAt, timeoutMs: POLL_MS });
      console.info(`F30 ${signals.join('+')}: ${points} points and stopped delivered ${seen.afterMs} ms after the process died`);
      expect(seen.statuses.map((row) => row.status)).toEqual(['created', 'running', 'stopped']);
      expect(seen.statuses[2].message).toBe(`stopped by ${signals[0]}`);
      expect(seen.metrics).toEqual(steps(points));
    },
    TEST_TIMEOUT_MS,
  );

  it('F30 a program that listens to SIGINT itself decides: its handler ends the run, the library does not', async () => {
    const result = await signalled('program-sigint', ['SIGINT']);
    expect(result.signal).toBeNull();
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('program handled SIGINT');
    const id = printedId(result);
    // Points the timer logs after the handler's close() are ignored (F20): wait for the first 300.
    const seen = await pollDelivered(local, id, { points: 300, final: ['succeeded', 'stopped'], since: result.exitedAt, timeoutMs: POLL_MS });
    expect(seen.statuses.map((row) => row.status)).toEqual(['created', 'running', 'succeeded']);
  }, TEST_TIMEOUT_MS);

  it('F30 SIGINT and SIGTERM are listened to only while a run is open', async () => {
    const result = await startExitChild('listeners', local.port, local.token, local.outboxDir).exited;
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^listeners before 0 0$/m);
    expect(result.stdout).toMatch(/^listeners running 1 1$/m);
    expect(result.stdout).toMatch(/^listeners closed 0 0$/m);
  }, TEST_TIMEOUT_MS);
});
