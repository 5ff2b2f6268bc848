/**
 * reliability.md F40 through a real script (child process) and a real local server: the token
 * given in the environment, on the command line and printed by the script is in no file the
 * library writes (outbox journal, run env argv, captured console) nor in the server's data.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/index';
import { clientFor } from '../helpers/local-server';
import { runNodeFixture } from '../helpers/run-node-fixture';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

async function folder(prefix: string): Promise<string> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  cleanups.push(() => rm(path, { recursive: true, force: true }));
  return path;
}

/** Every file under `root` that contains `text`, by path. */
async function filesContaining(root: string, text: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    if ((await readFile(path)).includes(text)) found.push(path);
  }
  return found;
}

describe('F40 the token in no file', () => {
  it('F40 the token from env, argv (--token, -t, --api-key, bare) and printed lines is in no outbox file, run env or log; nor in the server data', async () => {
    const token = `tok-${randomUUID()}`;
    const dataDir = await folder('pxt-f40-server-');
    const outboxDir = await folder('pxt-f40-outbox-');
    const server: RunningServer = await startServer({ port: 0, quiet: true, token, dataDir });
    cleanups.push(() => server.close());
    const client = clientFor(server.port, token);
    await client.project.createProject({ name: 'careful' });

    const run = await runNodeFixture(
      'test/fixtures/token-script.ts',
      [String(server.port), outboxDir, '--token', token, '-t', token, '--api-key', token, token, `--other=${token}`],
      30_000,
      { POLYAXON_SECRET_USER_TOKEN: token },
    );
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('flushed true');

    const [experiment] = (await client.project.listExperiments(server.user, 'careful')).results;
    const detail = await client.experiment.get(server.user, 'careful', experiment.id);
    const argv = (detail.run_env as { argv: string[] }).argv;
    expect(argv.slice(3)).toEqual(['--token', '[redacted]', '-t', '[redacted]', '--api-key', '[redacted]', '[redacted]', '--other=[redacted]']);
    const logs = await client.experiment.getLogs(server.user, 'careful', experiment.id);
    expect(logs).toContain('training with token [redacted]');
    expect(logs).not.toContain(token);

    expect(await filesContaining(outboxDir, token)).toEqual([]);
    await server.close();
    expect(await filesContaining(dataDir, token)).toEqual([]);
  });
});
