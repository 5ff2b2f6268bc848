import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Runtime } from './extract';

/**
 * A folder laid out like a user's project that installed polyaxon-tracking (a link to this
 * repository, whose dist/ npm would ship) beside the packages the snippets import (links to this
 * repository's node_modules: @tensorflow/tfjs and the rest).
 */
export async function userProject(repoRoot: string): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'pxt-readme-'));
  const modules = join(folder, 'node_modules');
  await mkdir(modules);
  for (const entry of await readdir(join(repoRoot, 'node_modules'))) {
    if (entry.startsWith('.')) continue;
    await symlink(join(repoRoot, 'node_modules', entry), join(modules, entry), 'dir');
  }
  await symlink(repoRoot, join(modules, 'polyaxon-tracking'), 'dir');
  const dependencies = { 'polyaxon-tracking': '*', '@tensorflow/tfjs': '*' };
  await writeFile(join(folder, 'package.json'), JSON.stringify({ name: 'readme-user', private: true, type: 'module', dependencies }));
  // Deno reads npm: packages from node_modules here instead of the registry.
  await writeFile(join(folder, 'deno.json'), JSON.stringify({ nodeModulesDir: 'manual' }));
  return folder;
}

export interface ScriptRun {
  code: number | null;
  output: string;
}

const FILE: Record<'node' | 'deno' | 'bun', (lang: string) => string> = {
  node: (lang) => (lang.startsWith('t') ? 'snippet.ts' : 'snippet.mjs'),
  deno: () => 'snippet.ts',
  bun: (lang) => (lang.startsWith('t') ? 'snippet.ts' : 'snippet.mjs'),
};

/** Runs one block as a file of the user project, with `env` (POLYAXON_* settings) as a shell would give them. */
export async function runScript(
  repoRoot: string,
  project: string,
  runtime: Extract<Runtime, 'node' | 'deno' | 'bun'>,
  lang: string,
  code: string,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<ScriptRun> {
  const file = FILE[runtime](lang);
  await writeFile(join(project, file), code);
  const bin = (name: string) => join(repoRoot, 'node_modules', '.bin', name);
  const command: Record<typeof runtime, [string, string[]]> = {
    node: [process.execPath, file.endsWith('.ts') ? ['--import', 'tsx', file] : [file]],
    deno: [bin('deno'), ['run', '--allow-all', file]],
    bun: [bin('bun'), ['run', file]],
  };
  const [executable, args] = command[runtime];
  const child = spawn(executable, args, { cwd: project, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const exitCode = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(killer);
  return { code: exitCode, output };
}
