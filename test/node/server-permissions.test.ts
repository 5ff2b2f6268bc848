import { spawnSync } from 'node:child_process';
import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { apiFor, createExperiment, tempDir } from '../helpers/server-api';
import { spawnServerProcess, type ServerProcess } from '../helpers/server-process';

let root: string | undefined;
let server: ServerProcess | undefined;
afterEach(async () => {
  if (server && server.child.exitCode === null) {
    server.child.kill('SIGKILL');
    await server.exited;
  }
  if (root) await rm(root, { recursive: true, force: true });
});

const modeOf = async (path: string) => (await stat(path)).mode & 0o777;

it('F41 under umask 022 the data folder is 0700 and the database, its -wal and -shm files and the token are 0600', async () => {
  root = await tempDir('pxt-modes-');
  const dataDir = join(root, 'data');
  server = await spawnServerProcess({ dataDir, umask: 0o022 });
  const token = (await readFile(join(dataDir, 'token'), 'utf8')).trim();
  await createExperiment(apiFor(server.url, token));
  expect(await modeOf(dataDir)).toBe(0o700);
  for (const name of ['server.db', 'server.db-wal', 'server.db-shm', 'token']) {
    expect(await modeOf(join(dataDir, name)), name).toBe(0o600);
  }
  // The same shell form really hands node the mask (else this test would pass under 077 alone).
  const probe = spawnSync('/bin/sh', ['-c', 'umask 022 && exec "$0" "$@"', process.execPath, '-e', 'process.stdout.write(process.umask().toString(8))'], { encoding: 'utf8' });
  expect(probe.stdout).toBe('22');
});
