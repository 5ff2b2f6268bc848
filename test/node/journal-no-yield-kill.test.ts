/**
 * F32: a script logs 5,000 points in one tick, then computes synchronously and is SIGKILLed in that
 * stretch. The library's main-thread code never runs again after the calls, so the records reach
 * the journal file through its writer thread alone; `sync` then delivers all of them.
 */
import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, expect, it } from 'vitest';
import { allMetrics, cleanups, folder, runCleanups, runCli } from '../fixtures/cli-helpers';
import { eventually, startLocalServer, TEST_TOKEN } from '../helpers/local-server';

const POINTS = 5_000;
const CHILD = join(__dirname, '../fixtures/no-yield-child.ts');

afterEach(runCleanups);

/** Metric records in the journals under `outboxDir` (lines of `add` entries of kind metrics). */
async function journaledMetrics(outboxDir: string): Promise<number> {
  let count = 0;
  for (const entry of await readdir(outboxDir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.jsonl')) continue;
    const text = await readFile(join(entry.parentPath, entry.name), 'utf8');
    for (const line of text.split('\n')) if (line.startsWith('{"op":"add"') && line.includes('"kind":"metrics"')) count++;
  }
  return count;
}

it('F32 every point logged in one tick is in the journal while the script computes without yielding; after SIGKILL, sync delivers all 5,000', async () => {
  const outboxDir = await folder('pxt-f32-outbox-');
  const local = await startLocalServer({ outboxDir });
  cleanups.push(() => local.close());
  await local.client.project.createProject({ name: 'mnist' });

  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, String(local.port), TEST_TOKEN, outboxDir, String(POINTS)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('exit', (code, signal) => resolve([code, signal])));
  cleanups.push(async () => void child.kill('SIGKILL'));
  const lines: string[] = [];
  for await (const line of createInterface({ input: child.stdout! })) {
    lines.push(line);
    if (line === 'logged') break;
  }
  expect(lines[0]).toMatch(/^created \d+$/);
  const id = Number(lines[0].split(' ')[1]);

  // The child is inside its synchronous stretch (120 s at most): only its writer thread can write now.
  const journaled = await eventually(async () => ((await journaledMetrics(outboxDir)) === POINTS ? POINTS : false), 30_000, 20);
  child.kill('SIGKILL');
  expect(await exited).toEqual([null, 'SIGKILL']);
  expect(journaled).toBe(POINTS);
  expect(await journaledMetrics(outboxDir)).toBe(POINTS);

  const sync = await runCli(['sync', '--host', '127.0.0.1', '--port', String(local.port), '--token', TEST_TOKEN, '--dir', outboxDir, '--timeout', '60']);
  expect(sync.stderr).toBe('');
  expect(sync.code).toBe(0);
  const metrics = await allMetrics(local.url, local.token, local.user, 'mnist', id);
  expect(metrics.map((metric) => (metric.values as { step: number }).step)).toEqual(Array.from({ length: POINTS }, (_, i) => i + 1));
}, 120_000);
