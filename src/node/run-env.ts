import { bestEffort } from '../runtime/best-effort';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { RunEnv } from '../runtime/environment';
import { logger } from '../runtime/logger';
import { isSecretName, redactArgv } from '../runtime/redact';
import { CLIENT_VERSION } from '../runtime/version';

export interface RunEnvOptions {
  /** Where the search for the nearest package.json starts. Default: `process.cwd()`. */
  cwd?: string;
  /** The command line, as `process.argv` (runtime first, then the entry script). Default: `process.argv`. */
  argv?: readonly string[];
  /** The environment whose secret-named variables' values are redacted wherever they appear. Default: `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Values of the variables that hold secrets (`POLYAXON_SECRET_USER_TOKEN`, `POLYAXON_TOKEN`,
 * `*KEY*`, ...): a token passed both in the environment and as a bare argument (`train.js $TOKEN`)
 * is then redacted from the recorded argv too (F40).
 */
export function secretValues(env: Readonly<Record<string, string | undefined>>): string[] {
  return Object.entries(env)
    .filter(([name, value]) => isSecretName(name) && typeof value === 'string' && value.length > 0)
    .map(([, value]) => value as string);
}

/** One `[name, version]` pair per dependency, sorted by name: the Python client's `packages` shape. */
export type PackageList = Array<[name: string, version: string]>;

/**
 * The Node counterparts of the Python client's `get_run_env()` fields. Best effort: a field that
 * cannot be read is null, never an exception. Environment variables are left out entirely and
 * the command line is redacted (security rules, reliability.md).
 */
export async function collectRunEnv(options: RunEnvOptions = {}): Promise<RunEnv> {
  const argv = options.argv ?? process.argv;
  const entryScript = typeof argv[1] === 'string' && argv[1] !== '' ? path.resolve(argv[1]) : null;
  return {
    pid: attempt('pid', () => process.pid),
    hostname: attempt('hostname', () => os.hostname()),
    // Python's platform.platform(): system, release and machine joined by dashes.
    os: attempt('os', () => `${os.platform()}-${os.release()}-${os.arch()}`),
    system: attempt('system', () => os.type()),
    node_version: attempt('node_version', () => process.versions.node),
    // userInfo() throws when the uid has no passwd entry (common in containers).
    user: attempt('user', () => os.userInfo().username),
    client_version: CLIENT_VERSION,
    // Python's sys.argv: the script and its arguments, without the interpreter.
    argv: attempt('argv', () => redactArgv(argv.slice(1), secretValues(options.env ?? process.env))),
    is_notebook: false,
    filename: entryScript && path.basename(entryScript),
    module_path: entryScript && path.dirname(entryScript),
    packages: await readPackages(options.cwd ?? process.cwd()),
  };
}

function attempt<T>(field: string, read: () => T): T | null {
  return bestEffort(field, read, null);
}

/**
 * The nearest package.json's dependencies and devDependencies with the versions installed in
 * node_modules (looked up the way Node resolves them: this folder, then each parent), or the
 * declared range when a package is not installed. Empty when there is no package.json.
 */
export async function readPackages(startDir: string): Promise<PackageList> {
  try {
    const manifestDir = await findManifestDir(path.resolve(startDir));
    if (!manifestDir) return [];
    const manifest = await readJson(path.join(manifestDir, 'package.json'));
    const declared = { ...asStringRecord(manifest?.devDependencies), ...asStringRecord(manifest?.dependencies) };
    const entries = await Promise.all(
      Object.entries(declared).map(
        async ([name, range]): Promise<[string, string]> => [name, (await installedVersion(manifestDir, name)) ?? range],
      ),
    );
    return entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  } catch (error) {
    logger.debug('run env: packages unavailable', error);
    return [];
  }
}

async function findManifestDir(dir: string): Promise<string | null> {
  for (let current = dir; ; current = path.dirname(current)) {
    if (await readJson(path.join(current, 'package.json'))) return current;
    if (path.dirname(current) === current) return null;
  }
}

async function installedVersion(fromDir: string, name: string): Promise<string | null> {
  for (let current = fromDir; ; current = path.dirname(current)) {
    const manifest = await readJson(path.join(current, 'node_modules', name, 'package.json'));
    if (typeof manifest?.version === 'string') return manifest.version;
    if (path.dirname(current) === current) return null;
  }
}

async function readJson(file: string): Promise<Record<string, unknown> | null> {
  try {
    const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function asStringRecord(value: unknown): Record<string, string> {
  if (value === null || typeof value !== 'object') return {};
  return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}
