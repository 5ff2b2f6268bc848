import { spawn, spawnSync } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseServeArgs } from '../../src/cli/serve';
import { apiFor, tempDir } from '../helpers/server-api';
import { spawnServerProcess } from '../helpers/server-process';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const runCli = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 20_000 });

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
      kind: 'ok', host: '127.0.0.1', port: 8000, dataDir: './.polyaxon-data', token: undefined, tokenFile: undefined, noAuth: false,
      user: 'local', quiet: false, metricsRequestsPerSecond: 120, corsOrigins: [], allowedHosts: [],
    });
    expect(parseServeArgs(['--host', '0.0.0.0', '--port', '0', '--data', 'd', '--token', 't', '--user', 'me', '--quiet', '--throttle', '0'])).toEqual({
      kind: 'ok', host: '0.0.0.0', port: 0, dataDir: 'd', token: 't', tokenFile: undefined, noAuth: false,
      user: 'me', quiet: true, metricsRequestsPerSecond: 0, corsOrigins: [], allowedHosts: [],
    });
    expect(parseServeArgs(['--no-auth', '--cors-origin', 'http://127.0.0.1:5173', '--cors-origin', 'https://lab.example', '--allowed-host', 'box.lan'])).toMatchObject({
      kind: 'ok', noAuth: true, corsOrigins: ['http://127.0.0.1:5173', 'https://lab.example'], allowedHosts: ['box.lan'],
    });
    expect(parseServeArgs(['--token-file', 'secret.txt'])).toMatchObject({ kind: 'ok', token: undefined, tokenFile: 'secret.txt' });
    expect(parseServeArgs(['--throttle', '500'])).toMatchObject({ kind: 'ok', metricsRequestsPerSecond: 500 });
    expect(parseServeArgs(['-h'])).toEqual({ kind: 'help' });
  });

  it('refuses contradictory or malformed options', () => {
    expect(parseServeArgs(['--token', 't', '--no-auth'])).toMatchObject({ kind: 'error', message: expect.stringMatching(/exclude/) });
    expect(parseServeArgs(['--port', '70000'])).toMatchObject({ kind: 'error' });
    expect(parseServeArgs(['--port', 'abc'])).toMatchObject({ kind: 'error' });
    expect(parseServeArgs(['--bogus'])).toMatchObject({ kind: 'error' });
    expect(parseServeArgs(['--token-file', 'f', '--no-auth'])).toMatchObject({ kind: 'error', message: expect.stringMatching(/exclude/) });
    expect(parseServeArgs(['--throttle', '-1'])).toMatchObject({ kind: 'error', message: expect.stringMatching(/--throttle/) });
    expect(parseServeArgs(['--throttle', '1.5'])).toMatchObject({ kind: 'error', message: expect.stringMatching(/--throttle/) });
    expect(parseServeArgs(['--cors-origin', 'http://127.0.0.1:5173/page'])).toMatchObject({ kind: 'error', message: expect.stringMatching(/--cors-origin.*not an origin/) });
    expect(parseServeArgs(['--cors-origin', '*'])).toMatchObject({ kind: 'error', message: expect.stringMatching(/--cors-origin/) });
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

  it('serve prints the URL and where the generated token is saved, not the token, and stops cleanly on SIGTERM', async () => {
    const server = await spawnServerProcess({ dataDir });
    try {
      const token = (await readFile(join(dataDir, 'token'), 'utf8')).trim();
      expect(token).toMatch(/^[0-9a-f]{40}$/);
      expect(server.output()).toContain(`token: in ${join(dataDir, 'token')}`);
      expect(server.output()).not.toContain(token);
      const me = await apiFor(server.url, token)('GET', 'users/');
      expect(me.body.username).toBe('local');
    } finally {
      server.child.kill('SIGTERM');
    }
    const exit = await server.exited;
    expect(exit.code).toBe(0);
    expect(server.output()).toMatch(/stopped \(SIGTERM\)/);
  });

  it('on a terminal, serve prints the dashboard link with the token in its fragment and an export line', async () => {
    // `script` gives the server a pseudo-terminal as its stdout, as a person's shell would.
    const command = `${process.execPath} --import tsx src/cli/main.ts serve --port 0 --data ${dataDir}`;
    const child = spawn('script', ['-qfec', command, '/dev/null'], { cwd: REPO_ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let printed = '';
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no link within 30 s:\n${printed}`)), 30_000);
        child.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`serve exited (${code}) before printing the link:\n${printed}`));
        });
        child.stdout?.on('data', (chunk: Buffer) => {
          printed += chunk.toString();
          if (printed.includes('export POLYAXON_SECRET_USER_TOKEN=')) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      const token = (await readFile(join(dataDir, 'token'), 'utf8')).trim();
      const lines = printed.replace(/\r/g, '').split('\n');
      expect(lines[0]).toMatch(new RegExp(`^polyaxon-tracking server: http://127\\.0\\.0\\.1:\\d+/#token=${token}$`));
      expect(lines[1]).toBe(`export POLYAXON_SECRET_USER_TOKEN=${token}`);
    } finally {
      if (child.exitCode === null) process.kill(-(child.pid as number), 'SIGTERM');
    }
  }, 40_000);
});
