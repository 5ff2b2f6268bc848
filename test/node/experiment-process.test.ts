/**
 * The Node lifecycle through a real script (F17, F18): a script that simply ends gets `succeeded`
 * with every metric delivered and exits promptly; a script that throws gets `failed` with the
 * message and stack (delivered by a later process from the same outbox), and Node's own error
 * output and exit code are unchanged.
 */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { serverView, startMnistServer } from '../fixtures/experiment-setup';
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

function printedId(result: FixtureResult): number {
  const match = /^id (\d+)$/m.exec(result.stdout);
  if (!match) throw new Error(`the child printed no id; stdout: ${result.stdout} stderr: ${result.stderr}`);
  return Number(match[1]);
}

async function allMetrics(id: number): Promise<Array<Record<string, unknown>>> {
  const values: Array<Record<string, unknown>> = [];
  for (let page = 1; page <= 100; page++) {
    const answer = await local.client.experiment.getMetrics(local.user, 'mnist', id, { page });
    values.push(...answer.results.map((metric) => metric.values));
    if (!answer.next) break;
  }
  return values;
}

function expectedMetrics(count: number) {
  return Array.from({ length: count }, (_, index) => ({ step: index + 1, loss: 1 / (index + 1) }));
}

describe('F17 a script that ends normally', () => {
  it('gets status succeeded, every metric and its console line; exits within 2 s of its last line', async () => {
    const result = await runChild('end');
    const exitedAt = Date.now();
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lastLine = /^last-line (\d+)$/m.exec(result.stdout);
    expect(lastLine).not.toBeNull();
    const exitAfterLastLineMs = exitedAt - Number(lastLine![1]);
    expect(exitAfterLastLineMs, `exited ${exitAfterLastLineMs} ms after its last line`).toBeLessThan(2_000);
    // The console is untouched by the capture.
    expect(result.stdout).toContain('training finished');

    const id = printedId(result);
    const { statuses, experiment } = await serverView(local.client, local.user, 'mnist', id);
    expect(statuses).toEqual(['created', 'running', 'succeeded']);
    expect(experiment.last_status).toBe('succeeded');
    expect(await allMetrics(id)).toEqual(expectedMetrics(METRIC_POINTS + PENDING_AT_END));
    expect(await local.client.experiment.getLogs(local.user, 'mnist', id)).toMatch(/ INFO -- training finished$/m);
  }, TEST_TIMEOUT_MS);
});

describe('F18 a script that throws', () => {
  it("keeps Node's error output and exit code; failed with message and stack reaches the server", async () => {
    const bare = await runChild('bare');
    const crashed = await runChild('throw');
    expect(bare.code).toBe(1);
    expect(bare.stderr).toContain('Error: boom from training');
    expect(crashed.code).toBe(bare.code);
    expect(crashed.signal).toBe(bare.signal);
    expect(crashed.stderr).toBe(bare.stderr);

    const id = printedId(crashed);
    // The crash handler can only write the journal; a later process (or `sync`) delivers it.
    const deliverer = await runChild('deliver');
    expect(deliverer.stderr).toBe('');
    expect(deliverer.stdout).toContain('delivered true');
    expect(deliverer.code).toBe(0);

    const { statuses, statusRows } = await serverView(local.client, local.user, 'mnist', id);
    expect(statuses).toEqual(['created', 'running', 'failed']);
    expect(statusRows[2].message).toBe('boom from training');
    expect(statusRows[2].traceback).toMatch(/^Error: boom from training\n\s+at .*train/);
    expect(await allMetrics(id)).toEqual(expectedMetrics(METRIC_POINTS));
  }, TEST_TIMEOUT_MS);
});
