import { spawn } from 'node:child_process';
import path from 'node:path';

export interface FixtureResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** From spawn to exit. */
  elapsedMs: number;
}

const REPO_ROOT = path.resolve(__dirname, '../..');

/**
 * Runs a TypeScript fixture in a fresh `node --import tsx` process from the repository root and
 * collects its output, with `env` added to the test's environment. Killed after `timeoutMs` (default 15_000 ms) so a hanging child fails the
 * test instead of stalling it.
 */
export async function runNodeFixture(fixture: string, args: string[], timeoutMs = 15_000, env: Record<string, string> = {}): Promise<FixtureResult> {
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, NODE_OPTIONS: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.on('close', (exitCode, exitSignal) => resolve([exitCode, exitSignal])),
  );
  clearTimeout(killer);
  return { code, signal, stdout, stderr, elapsedMs: Date.now() - started };
}
