import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
// Generous: a `serve` through tsx on a busy 2-core machine (the full suite beside benchmarks) took
// more than 20 s to print its URL.
const START_TIMEOUT_MS = 60_000;

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything the process printed so far. */
  output(): string;
}

/**
 * Runs `polyaxon-tracking serve` from the TypeScript sources (node --import tsx, no build needed)
 * on a random port and resolves once it printed its URL. Without `token` the server uses (or
 * creates) the one saved in `dataDir`. The process sees none of the test's POLYAXON_* variables,
 * only those in `env`. With `built`, the built CLI (dist/cli.mjs) runs instead of the sources:
 * what a user runs, and quicker to start. With `umask` (e.g. 0o022) it runs under that file mode
 * creation mask.
 */
export function spawnServerProcess(args: {
  dataDir: string;
  token?: string;
  extra?: string[];
  env?: Record<string, string>;
  built?: boolean;
  umask?: number;
}): Promise<ServerProcess> {
  const tokenArgs = args.token === undefined ? [] : ['--token', args.token];
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('POLYAXON_')));
  const entry = args.built ? ['dist/cli.mjs'] : ['--import', 'tsx', 'src/cli/main.ts'];
  const nodeArgs = [...entry, 'serve', '--port', '0', '--data', args.dataDir, ...tokenArgs, ...(args.extra ?? [])];
  const [command, commandArgs] =
    args.umask === undefined
      ? [process.execPath, nodeArgs]
      : ['/bin/sh', ['-c', `umask ${args.umask.toString(8).padStart(3, '0')} && exec "$0" "$@"`, process.execPath, ...nodeArgs]];
  const child = spawn(command, commandArgs, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...inherited, ...args.env } });
  let printed = '';
  child.stdout?.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server process did not start within ${START_TIMEOUT_MS} ms:\n${printed}`));
    }, START_TIMEOUT_MS);
    const check = () => {
      const match = /server: (http:\/\/[^\s/]+)\//.exec(printed);
      if (!match) return;
      clearTimeout(timer);
      child.stdout?.off('data', check);
      resolve({ url: match[1], child, exited, output: () => printed });
    };
    child.stdout?.on('data', check);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`server process exited early (code ${code}, signal ${signal}):\n${printed}`));
    });
  });
}
