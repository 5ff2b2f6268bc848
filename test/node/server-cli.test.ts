import { spawnSync } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseServeArgs } from '../../src/cli/serve';
import { apiFor, tempDir } from '../helpers/server-api';
import { spawnServerProcess } from '../helpers/server-process';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const runCli = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 20_000 });

let dataDir: string;
beforeEach(async () => {
  dataDir = await tempDir();
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('serve arguments', () => {
  it('reads every option, with the documented defaults', () => {
    expect(parseServeArgs([])).toEqual({
      kind: 'ok', host: '127.0.0.1', port: 8000, dataDir: './.polyaxon-data', token: undefined, noAuth: false, user: 'local', quiet: false,
    });
    expect(parseServeArgs(['--host', '0.0.0.0', '--port', '0', '--data', 'd', '--token', 't', '--user', 'me', '--quiet'])).toEqual({
      kind: 'ok', host: '0.0.0.0', port: 0, dataDir: 'd', token: 't', noAuth: false, user: 'me', quiet: true,
    });
    expect(parseServeArgs(['--no-auth'])).toMatchObject({ kind: 'ok', noAuth: true });
    expect(parseServeArgs(['-h'])).toEqual({ kind: 'help' });
  });

  it('refuses contradictory or malformed options', () => {
    expect(parseServeArgs(['--token', 't', '--no-auth'])).toMatchObject({ kind: 'error', message: expect.stringMatching(/exclude/) });
    expect(parseServeArgs(['--port', '70000'])).toMatchObject({ kind: 'error' });
    expect(parseServeArgs(['--port', 'abc'])).toMatchObject({ kind: 'error' });
    expect(parseServeArgs(['--bogus'])).toMatchObject({ kind: 'error' });
  });
});

describe('polyaxon-tracking CLI', () => {
  it('--help lists the commands; an unknown command exits 2', () => {
    const help = runCli('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/serve\s+run the local Polyaxon-compatible server/);
    const unknown = runCli('fly');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command "fly"/);
    expect(runCli('serve', '--token', 't', '--no-auth').status).toBe(2);
  });

  it('serve prints the dashboard link with a generated token, an export line, saves it, and stops cleanly on SIGTERM', async () => {
    const server = await spawnServerProcess({ dataDir });
    try {
      // One link to click (the token in the fragment) and one line for a shell.
      const token = /server: http:\/\/127\.0\.0\.1:\d+\/#token=([0-9a-f]{40})\n/.exec(server.output())?.[1];
      expect(token).toBeDefined();
      expect(server.output()).toContain(`\nexport POLYAXON_SECRET_USER_TOKEN=${token}\n`);
      expect((await readFile(join(dataDir, 'token'), 'utf8')).trim()).toBe(token);
      const me = await apiFor(server.url, token as string)('GET', 'users/');
      expect(me.body.username).toBe('local');
    } finally {
      server.child.kill('SIGTERM');
    }
    const exit = await server.exited;
    expect(exit.code).toBe(0);
    expect(server.output()).toMatch(/stopped \(SIGTERM\)/);
  });
});
