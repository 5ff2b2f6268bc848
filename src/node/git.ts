import type { CodeRef } from '../runtime/environment';
import { logger } from '../runtime/logger';
import { redactUrlCredentials } from '../runtime/redact';

export interface CodeRefOptions {
  /** Folder whose repository is described. Default: `process.cwd()`. */
  cwd?: string;
  /** The git executable, a name looked up on PATH or a path. Default: `'git'`. */
  gitPath?: string;
  /** Longest wait for one git command; a slow network filesystem must not stall `create()`. Default: 3_000 ms. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 3_000;

type GitOutcome = { kind: 'ok'; stdout: string } | { kind: 'failed'; reason: string };
type RunGit = (args: string[]) => Promise<GitOutcome>;

/**
 * The code reference Polyaxon's `coderef/` endpoint takes, read with the git CLI. Computed per
 * call, since a run may start after new commits. Never throws (F23): git missing, not a repo,
 * no `child_process`, a permission error or a timeout give `null`; a detached HEAD, an unborn
 * branch or a repo without remote give a partial reference. Each gives one debug note.
 */
export async function readCodeRef(options: CodeRefOptions = {}): Promise<CodeRef | null> {
  try {
    const runGit = await gitRunner(options);
    if (!runGit) return null;
    const inside = await runGit(['rev-parse', '--is-inside-work-tree']);
    if (inside.kind === 'failed' || inside.stdout.trim() !== 'true') {
      logger.debug('no code reference: not inside a git work tree', inside.kind === 'failed' ? inside.reason : undefined);
      return null;
    }
    const [head, branch, remote, status] = await Promise.all([
      runGit(['rev-parse', 'HEAD']),
      // `symbolic-ref` names the branch even before the first commit and fails only when detached.
      runGit(['symbolic-ref', '--short', '-q', 'HEAD']),
      runGit(['config', '--get', 'remote.origin.url']),
      runGit(['status', '--porcelain']),
    ]);
    const commit = head.kind === 'ok' ? head.stdout.trim() || null : null;
    return {
      commit,
      // Polyaxon's Python client sends the HEAD commit under both names.
      head: commit,
      branch: branch.kind === 'ok' ? branch.stdout.trim() || null : null,
      git_url: remote.kind === 'ok' && remote.stdout.trim() ? redactUrlCredentials(remote.stdout.trim()) : null,
      is_dirty: status.kind === 'ok' ? status.stdout.trim().length > 0 : null,
    };
  } catch (error) {
    logger.debug('no code reference: reading git failed', error);
    return null;
  }
}

async function gitRunner(options: CodeRefOptions): Promise<RunGit | null> {
  let childProcess: typeof import('node:child_process');
  try {
    // Imported on use: some Node-like runtimes and sandboxes ship without child_process (F23).
    childProcess = await import('node:child_process');
  } catch (error) {
    logger.debug('no code reference: child_process is unavailable', error);
    return null;
  }
  const gitPath = options.gitPath ?? 'git';
  const cwd = options.cwd ?? process.cwd();
  const timeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let spawnFailed: string | null = null;
  const runGit: RunGit = (args) =>
    new Promise((resolve) => {
      if (spawnFailed) return resolve({ kind: 'failed', reason: spawnFailed });
      try {
        childProcess.execFile(
          gitPath,
          args,
          // GIT_TERMINAL_PROMPT=0 and LC_ALL=C: never wait on a credential prompt, parse untranslated output.
          { cwd, timeout, windowsHide: true, env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' } },
          (error, stdout) => {
            if (!error) return resolve({ kind: 'ok', stdout: String(stdout) });
            const code = (error as NodeJS.ErrnoException).code;
            if (typeof code === 'string') spawnFailed = `${gitPath}: ${code}`;
            resolve({ kind: 'failed', reason: error.killed ? `timed out after ${timeout} ms` : error.message });
          },
        );
      } catch (error) {
        spawnFailed = error instanceof Error ? error.message : String(error);
        resolve({ kind: 'failed', reason: spawnFailed });
      }
    });
  return runGit;
}
