import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalServer, tempFolder, type LocalServer } from '../helpers/local-server';
import { REPO_ROOT } from '../helpers/package-json';
import { userEnv } from '../helpers/user-env';

/**
 * Deno and Bun users install the package from the registry and import it the way their runtime
 * does: `npm:polyaxon-tracking` in Deno, a plain `polyaxon-tracking` in Bun. Here the package is
 * the tarball `npm pack` makes (what the registry would serve), installed by npm into a fresh
 * project; the runtimes are the `deno` and `bun` binaries the devDependencies of the same names
 * ship. Settings come from POLYAXON_* variables, as a user's shell would give them.
 */
const PROJECT = 'runtime-smoke';
const STEPS = [1, 2, 3, 4, 5];

/** What a user of either runtime writes; only the import specifier differs. */
const smokeScript = (specifier: string, runtime: string) => `import { Experiment } from '${specifier}';

const experiment = new Experiment({ project: '${PROJECT}' });
await experiment.create({ name: 'smoke-${runtime}', tags: ['${runtime}'] });
experiment.logParams({ runtime: '${runtime}' });
for (const step of ${JSON.stringify(STEPS)}) experiment.logMetrics({ step, loss: 1 / step, accuracy: step / 10 });
experiment.succeeded();
const delivered = await experiment.close({ timeoutMs: 20000 });
console.log(JSON.stringify({ id: experiment.id, delivered }));
`;

let server: LocalServer;
let project: string;
let scratch: string;

function binary(name: string): string {
  const path = join(REPO_ROOT, 'node_modules', '.bin', name);
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm install\` (${name} is a devDependency)`);
  return path;
}

beforeAll(async () => {
  scratch = await tempFolder('pxt-runtimes-');
  execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', scratch], { cwd: REPO_ROOT, stdio: 'ignore', timeout: 60_000 });
  const tarball = (await readdir(scratch)).find((name) => name.endsWith('.tgz'))!;
  project = join(scratch, 'project');
  await mkdir(project);
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'smoke', private: true, type: 'module' }));
  // Deno reads npm: packages from this node_modules rather than the registry (where this version
  // of the package is not, yet).
  await writeFile(join(project, 'deno.json'), JSON.stringify({ nodeModulesDir: 'manual' }));
  // The dependencies come from npm's cache that `npm ci` filled; the registry is asked only for
  // what is missing.
  execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', join(scratch, tarball)], {
    cwd: project,
    stdio: 'ignore',
    timeout: 120_000,
  });
  server = await startLocalServer();
  await server.client.project.createProject({ name: PROJECT });
}, 180_000);

afterAll(async () => {
  await server?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

async function run(command: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = userEnv({
    POLYAXON_API_HOST: '127.0.0.1',
    POLYAXON_HTTP_PORT: String(server.port),
    POLYAXON_SECRET_USER_TOKEN: server.token,
    POLYAXON_OUTBOX_DIR: join(scratch, 'outbox'),
    DENO_DIR: join(scratch, 'deno-cache'),
    DENO_NO_UPDATE_CHECK: '1',
  });
  const child = spawn(command, args, { cwd: project, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(killer);
  return { code, stdout, stderr };
}

async function expectTrackedRun(runtime: string, result: { code: number | null; stdout: string; stderr: string }): Promise<void> {
  expect(result.code, `${runtime} exited ${result.code}:\n${result.stdout}\n${result.stderr}`).toBe(0);
  const { id, delivered } = JSON.parse(result.stdout.trim().split('\n').pop()!);
  expect(delivered).toBe(true);
  const detail = await server.client.experiment.get(server.user, PROJECT, id);
  expect(detail).toMatchObject({ name: `smoke-${runtime}`, last_status: 'succeeded', tags: [runtime], params: { runtime } });
  const metrics = await server.client.experiment.getMetrics(server.user, PROJECT, id, { page: 1 });
  expect(metrics.results.map((point) => point.values)).toEqual(STEPS.map((step) => ({ step, loss: 1 / step, accuracy: step / 10 })));
}

describe('the packed package in other runtimes', () => {
  it('Deno: `npm:polyaxon-tracking` creates a run, logs metrics, ends it; the server holds every point', async () => {
    await writeFile(join(project, 'smoke.ts'), smokeScript('npm:polyaxon-tracking', 'deno'));
    await expectTrackedRun('deno', await run(binary('deno'), ['run', '--allow-all', 'smoke.ts']));
  }, 90_000);

  it('Bun: `polyaxon-tracking` creates a run, logs metrics, ends it; the server holds every point', async () => {
    await writeFile(join(project, 'smoke.mjs'), smokeScript('polyaxon-tracking', 'bun'));
    await expectTrackedRun('bun', await run(binary('bun'), ['run', 'smoke.mjs']));
  }, 90_000);
});
