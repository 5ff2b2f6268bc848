/**
 * Runs test/fixtures/exit-child.mjs as a user runs a script: plain `node`, the package imported by
 * its name (dist/), no POLYAXON_* variable of the test process. Shared by test/node/node-exit-*.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { LocalServer } from './local-server';

const REPO_ROOT = path.resolve(__dirname, '../..');
const FIXTURE = path.join(REPO_ROOT, 'test/fixtures/exit-child.mjs');
/** A hanging child fails its test instead of stalling the suite. */
const CHILD_TIMEOUT_MS = 60_000;

export interface ExitedChild {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Clock time (ms) at which the test saw the child exit. */
  exitedAt: number;
}

export interface RunningChild {
  child: ChildProcess;
  /** Resolves once stdout holds a line equal to `line`. */
  printed(line: string): Promise<void>;
  exited: Promise<ExitedChild>;
}

export function startExitChild(scenario: string, port: number, token: string, outboxDir: string): RunningChild {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('POLYAXON_') && name !== 'NODE_OPTIONS'));
  // The token goes in the environment, as a user would keep it: an argument would be recorded in
  // the run env (F40 redacts only what follows --token and the like).
  const child = spawn(process.execPath, [FIXTURE, scenario, String(port), outboxDir], {
    cwd: REPO_ROOT,
    env: { ...env, EXIT_CHILD_TOKEN: token },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const watchers: Array<{ line: string; resolve(): void }> = [];
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    const lines = stdout.split('\n');
    for (const watcher of watchers.splice(0)) {
      if (lines.includes(watcher.line)) watcher.resolve();
      else watchers.push(watcher);
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS);
  const exited = new Promise<ExitedChild>((resolve) =>
    child.on('exit', (code, signal) => {
      const exitedAt = Date.now();
      clearTimeout(killer);
      // stdout and stderr may still hold a last chunk: read them once the pipes closed.
      child.on('close', () => resolve({ code, signal, stdout, stderr, exitedAt }));
    }),
  );
  const printed = (line: string) =>
    new Promise<void>((resolve, reject) => {
      if (stdout.split('\n').includes(line)) return resolve();
      watchers.push({ line, resolve });
      void exited.then(() => reject(new Error(`the child exited before printing "${line}"; stdout: ${stdout} stderr: ${stderr}`)));
    });
  return { child, printed, exited };
}

/** Runs a scenario to its end. */
export function runExitChild(scenario: string, local: Pick<LocalServer, 'port' | 'token' | 'outboxDir'>): Promise<ExitedChild> {
  return startExitChild(scenario, local.port, local.token, local.outboxDir).exited;
}

export function printedId(result: Pick<ExitedChild, 'stdout' | 'stderr'>): number {
  const match = /^id (\d+)$/m.exec(result.stdout);
  if (!match) throw new Error(`the child printed no id; stdout: ${result.stdout} stderr: ${result.stderr}`);
  return Number(match[1]);
}

/** Every metric of an experiment, in order, as the server's REST API gives them. */
export async function serverMetrics(local: Pick<LocalServer, 'client' | 'user'>, id: number): Promise<Array<Record<string, unknown>>> {
  const values: Array<Record<string, unknown>> = [];
  for (let page = 1; page <= 100; page++) {
    const answer = await local.client.experiment.getMetrics(local.user, 'mnist', id, { page });
    values.push(...answer.results.map((metric) => metric.values));
    if (!answer.next) break;
  }
  return values;
}

export interface Delivered {
  statuses: Array<{ status: string; message?: string | null; traceback?: string | null }>;
  metrics: Array<Record<string, unknown>>;
  /** From `since` to the poll that saw it all. */
  afterMs: number;
}

/**
 * Polls the server's REST API until the experiment has `points` metrics and a status in `final`,
 * for at most `timeoutMs` (the row's bound with room for a loaded machine); gives what it saw last.
 */
export async function pollDelivered(
  local: Pick<LocalServer, 'client' | 'user'>,
  id: number,
  expect: { points: number; final: readonly string[]; since: number; timeoutMs: number },
): Promise<Delivered> {
  const deadline = expect.since + expect.timeoutMs;
  for (;;) {
    const statuses = (await local.client.experiment.getStatuses(local.user, 'mnist', id)).results;
    const metrics = await serverMetrics(local, id);
    const done = metrics.length >= expect.points && statuses.some((row) => expect.final.includes(row.status));
    if (done || Date.now() >= deadline) return { statuses, metrics, afterMs: Date.now() - expect.since };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export function steps(count: number): Array<Record<string, unknown>> {
  return Array.from({ length: count }, (_, index) => ({ step: index + 1, loss: 1 / (index + 1) }));
}
