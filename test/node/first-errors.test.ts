/**
 * The first ten minutes: a script whose server is not as expected prints one line per kind of
 * trouble naming `http://host:port`, the status, the server's message and the fix; never a stack
 * trace, never a line per retry. Real scripts (child processes), a real local server on loopback,
 * a port where nothing listens, and a socket that accepts and never answers.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { folder, runCleanups, cleanups } from '../fixtures/cli-helpers';
import { reserveFreePort, startLocalServer } from '../helpers/local-server';
import { runNodeFixture } from '../helpers/run-node-fixture';

afterEach(runCleanups);

async function script(port: number, token: string, options: { project?: string; createProject?: boolean; timeoutMs?: number } = {}) {
  const outboxDir = await folder('pxt-first-errors-');
  const run = await runNodeFixture(
    'test/fixtures/first-errors-script.ts',
    [String(port), outboxDir, options.project ?? 'mnist', String(options.createProject ?? true), String(options.timeoutMs ?? 30_000)],
    30_000,
    { POLYAXON_SECRET_USER_TOKEN: token },
  );
  expect(run.stdout).toContain('done');
  // Lines of the library about the server (the exit's note on pending records is another matter).
  const lines = run.stderr.split('\n').filter((line) => line.startsWith('[polyaxon-tracking]') && line.includes(`http://127.0.0.1:${port}`));
  expect(run.stderr).not.toMatch(/^\s+at /m);
  return lines;
}

describe('errors name where, what and the fix, once', () => {
  it('a wrong token: the server, 401, its message, and where tokens come from', async () => {
    const local = await startLocalServer();
    cleanups.push(() => local.close());
    await local.client.project.createProject({ name: 'mnist' });
    const lines = await script(local.port, 'not-the-token');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`http://127.0.0.1:${local.port} refused the token (401 `);
    expect(lines[0]).toContain('POLYAXON_SECRET_USER_TOKEN');
    expect(lines[0]).toContain('polyaxon-tracking serve');
    expect(lines[0]).not.toContain('not-the-token');
  });

  it('a missing project: the project, the server, 404 and how to create it', async () => {
    const local = await startLocalServer();
    cleanups.push(() => local.close());
    const lines = await script(local.port, local.token, { project: 'nowhere', createProject: false });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`project ${local.user}/nowhere does not exist on http://127.0.0.1:${local.port} (404 `);
    expect(lines[0]).toContain('createProject: true');
  });

  it('no server running: the address, the connection error, and the serve command', async () => {
    const port = await reserveFreePort();
    const lines = await script(port, 'any-token');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`cannot reach http://127.0.0.1:${port} (`);
    expect(lines[0]).toContain('npx polyaxon-tracking serve');
  });

  it('a server that never answers: the address, the wait, and what to do', async () => {
    const sockets = new Set<Socket>();
    const blackHole: Server = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
    cleanups.push(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => blackHole.close(resolve));
    });
    const { port } = blackHole.address() as AddressInfo;
    const lines = await script(port, 'any-token', { timeoutMs: 500 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`http://127.0.0.1:${port} took the connection but did not answer within`);
  });
});
