/** Child processes of the benches: bounded in time, output collected, killed by their own pid. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Runs `node ...args` from the repository root; resolves with stdout, stderr, exit code and wall
 * time. Past `timeoutMs` the child is killed and the promise rejects.
 */
export function runNode(args, { timeoutMs, env = process.env } = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`node ${args.join(' ')} took more than ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: performance.now() - started });
    });
  });
}

/**
 * Starts `node ...args` and kills it with SIGKILL as soon as a stdout line starts with `readyLine`;
 * resolves with that line. Rejects if the child ends first or takes more than `timeoutMs`.
 */
export function runNodeUntilThenKill(args, readyLine, { timeoutMs, env = process.env } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let readyAt;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`node ${args.join(' ')} was not ready within ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const line = stdout.split('\n').find((text) => text.startsWith(readyLine));
      if (line !== undefined && readyAt === undefined) {
        readyAt = line;
        child.kill('SIGKILL');
      }
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (readyAt !== undefined && signal === 'SIGKILL') resolve({ line: readyAt, stderr });
      else reject(new Error(`node ${args.join(' ')} ended (code ${code}, signal ${signal}) before "${readyLine}"\n${stderr}`));
    });
  });
}
