/**
 * The Node lifecycle through a real script (F17, F18): a script that simply ends gets `succeeded`
 * with every metric delivered and exits by itself; a script that throws gets `failed` with the
 * message and stack (delivered by the exit sender it hands its journal to), and Node's own error
 * output and exit code are unchanged.
 */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startMnistServer } from '../fixtures/experiment-setup';
import { pollDelivered, printedId, steps } from '../helpers/exit-child';
import { type LocalServer } from '../helpers/local-server';
import { runNodeFixture, type FixtureResult } from '../helpers/run-node-fixture';

const FIXTURE = path.resolve(__dirname, '../fixtures/experiment-child.ts');
/** Keep in step with the fixture: METRIC_POINTS (two metrics requests), and PENDING_AT_END more in `end`. */
const METRIC_POINTS = 250;
const PENDING_AT_END = 3;

/** Each child loads TypeScript through tsx: seconds on a busy machine, so generous bounds. */
const CHILD_TIMEOUT_MS = 40_000;
const TEST_TIMEOUT_MS = 120_000;

let local: LocalServer;

beforeEach(async () => {
  local = await startMnistServer();
});

afterEach(async () => {
  await local.close();
});

function runChild(scenario: string): Promise<FixtureResult> {
  return runNodeFixture(FIXTURE, [scenario, String(local.port), local.token, local.outboxDir], CHILD_TIMEOUT_MS);
}

describe('F17 a script that ends normally', () => {
  it('gets status succeeded, every metric and its console line; exits by itself', async () => {
    const result = await runChild('end');
    const exitedAt = Date.now();
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    // By itself: a dangling timer or socket would hold it until the harness kills it (40 s). No
    // clock is compared (a busy machine makes any prompt exit slow); the figure is printed.
    expect(result.signal).toBeNull();
    const lastLine = /^last-line (\d+)$/m.exec(result.stdout);
    expect(lastLine).not.toBeNull();
    console.info(`F17: exited ${exitedAt - Number(lastLine![1])} ms after its last line`);
    // The console is untouched by the capture.
    expect(result.stdout).toContain('training finished');

    const id = printedId(result);
    const seen = await pollDelivered(local, id, { points: METRIC_POINTS + PENDING_AT_END, final: ['succeeded'], since: Date.now(), timeoutMs: 15_000 });
    expect(seen.statuses.map((row) => row.status)).toEqual(['created', 'running', 'succeeded']);
    expect(seen.metrics).toEqual(steps(METRIC_POINTS + PENDING_AT_END));
    expect((await local.client.experiment.get(local.user, 'mnist', id)).last_status).toBe('succeeded');
    expect(await local.client.experiment.getLogs(local.user, 'mnist', id)).toMatch(/ INFO -- training finished$/m);
  }, TEST_TIMEOUT_MS);
});

describe('F18 a script that throws', () => {
  it("keeps Node's error output and exit code; failed with message and stack reaches the server with no command run", async () => {
    const bare = await runChild('bare');
    const crashed = await runChild('throw');
    expect(bare.code).toBe(1);
    expect(bare.stderr).toContain('Error: boom from training');
    expect(crashed.code).toBe(bare.code);
    expect(crashed.signal).toBe(bare.signal);
    expect(crashed.stderr).toBe(bare.stderr);

    // The crash handler writes the journal; the exit sender it starts delivers it (F29).
    const id = printedId(crashed);
    const seen = await pollDelivered(local, id, { points: METRIC_POINTS, final: ['failed'], since: Date.now(), timeoutMs: 15_000 });
    expect(seen.statuses.map((row) => row.status)).toEqual(['created', 'running', 'failed']);
    expect(seen.statuses[2].message).toBe('boom from training');
    expect(seen.statuses[2].traceback).toMatch(/^Error: boom from training\n\s+at .*train/);
    expect(seen.metrics).toEqual(steps(METRIC_POINTS));
  }, TEST_TIMEOUT_MS);
});
