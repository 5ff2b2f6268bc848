/**
 * F40, the commands' half: `serve` and `sync` take the token from a file or the environment as
 * well as from the command line (where every user of the machine can read it), and the server
 * writes it to no file and no output. Real `serve` and `sync` processes on 127.0.0.1.
 */
import { randomBytes } from 'node:crypto';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanups, filesUnder, folder, runCleanups, runCli, startProducer } from '../fixtures/cli-helpers';
import { reserveFreePort, startLocalServer } from '../helpers/local-server';
import { apiFor } from '../helpers/server-api';
import { spawnServerProcess, type ServerProcess } from '../helpers/server-process';

afterEach(runCleanups);

const newToken = () => `f40-${randomBytes(16).toString('hex')}`;

async function tokenFile(token: string, mode = 0o600): Promise<string> {
  const path = join(await folder('pxt-token-'), 'token.txt');
  await writeFile(path, `${token}\n`);
  await chmod(path, mode);
  return path;
}

async function started(args: Parameters<typeof spawnServerProcess>[0]): Promise<ServerProcess> {
  const server = await spawnServerProcess(args);
  cleanups.push(async () => {
    server.child.kill('SIGKILL');
    await server.exited;
  });
  return server;
}

async function stop(server: ServerProcess): Promise<void> {
  server.child.kill('SIGTERM');
  expect((await server.exited).code).toBe(0);
}

/** What a client does to a server: every kind of write, a login, refusals, a bad body. */
async function useServer(url: string, token: string): Promise<void> {
  const call = apiFor(url, token);
  expect((await call('GET', 'users/')).body.username).toBe('local');
  expect((await call('GET', 'users/', undefined, { token: `${token}x` })).status).toBe(401);
  const form = { 'Content-Type': 'application/x-www-form-urlencoded' };
  const login = await call('POST', 'users/token/', undefined, { token: null, headers: form, raw: `username=local&password=${token}` });
  expect(login.status).toBe(200);
  expect((await call('POST', 'projects/', { name: 'mnist' })).status).toBe(201);
  const created = await call('POST', 'local/mnist/experiments/', { is_managed: false, name: 'first-try', params: { lr: 0.1 } });
  expect(created.status).toBe(201);
  const path = `local/mnist/experiments/${created.body.id}`;
  expect((await call('POST', `${path}/metrics/`, [{ values: { step: 1, loss: 0.5 } }], { headers: { 'Idempotency-Key': 'k1' } })).status).toBe(201);
  expect((await call('POST', `${path}/statuses/`, { status: 'running' })).status).toBe(201);
  expect((await call('PATCH', `${path}/`, { params: { token_seen: false }, merge: true })).status).toBe(200);
  expect((await call('POST', `${path}/logs/`, ['a log line'])).status).toBe(200);
  expect((await call('POST', `${path}/metrics/`, undefined, { raw: '[{', headers: { 'Content-Type': 'application/json' } })).status).toBe(400);
}

/** Every file under `dataDir` and everything the process printed, searched for `token`. */
async function placesHolding(token: string, dataDir: string, printed: string): Promise<string[]> {
  const places: string[] = [];
  for (const [path, bytes] of await filesUnder(dataDir)) if (bytes.includes(token)) places.push(path);
  if (printed.includes(token)) places.push('stdout/stderr');
  return places;
}

describe('F40 the token of serve', () => {
  it('F40 serve takes the token from --token-file and from POLYAXON_TOKEN, and writes it to no file and no output', async () => {
    const token = newToken();
    const dataDir = await folder('pxt-f40-data-');

    const fromFile = await started({ dataDir, extra: ['--token-file', await tokenFile(token)] });
    await useServer(fromFile.url, token);
    await stop(fromFile);
    expect(fromFile.output()).toMatch(/user: local {2}token: the one given\n/);

    const fromEnv = await started({ dataDir, env: { POLYAXON_TOKEN: token } });
    const call = apiFor(fromEnv.url, token);
    expect((await call('GET', 'local/mnist/experiments/')).body.count).toBe(1);
    expect((await call('GET', 'users/', undefined, { token: 'another' })).status).toBe(401);
    await stop(fromEnv);

    expect(await placesHolding(token, dataDir, fromFile.output() + fromEnv.output())).toEqual([]);
    // The checks above can see a token: the data folder does hold what the client sent.
    expect((await filesUnder(dataDir)).size).toBeGreaterThan(0);
    expect(await placesHolding('token_seen', dataDir, '')).not.toEqual([]);
  }, 90_000);

  it('F40 --token-file: a missing or empty file stops serve (exit 2, naming it); one others can read gets a warning', async () => {
    const dataDir = await folder('pxt-f40-data-');
    const missing = join(dataDir, 'no-such-file');
    const noFile = await runCli(['serve', '--port', '0', '--data', dataDir, '--token-file', missing]);
    expect(noFile.code).toBe(2);
    expect(noFile.stderr).toContain(`--token-file ${missing}: ENOENT`);
    const empty = await tokenFile('');
    const emptyFile = await runCli(['serve', '--port', '0', '--data', dataDir, '--token-file', empty]);
    expect(emptyFile.code).toBe(2);
    expect(emptyFile.stderr).toContain(`--token-file ${empty}: the first line is empty`);

    const token = newToken();
    const open = await tokenFile(token, 0o644);
    const server = await started({ dataDir, extra: ['--token-file', open] });
    expect((await apiFor(server.url, token)('GET', 'users/')).status).toBe(200);
    await stop(server);
    expect(server.output()).toContain(`warning: ${open} can be read by other users (mode 0644); chmod 600 ${open}`);
    expect(server.output()).not.toContain(token);
  }, 90_000);

  it('F40 --help of serve and of sync says a token on the command line is visible to other users', async () => {
    for (const command of ['serve', 'sync']) {
      const help = await runCli([command, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout.replace(/\s+/g, ' ')).toMatch(/--token T +the token itself\. Visible to every user of this machine \(ps, \/proc\): prefer --token-file or the POLYAXON_TOKEN variable/);
      expect(help.stdout).toMatch(/--token-file F/);
    }
  }, 60_000);
});

describe('F40 the token of sync', () => {
  it('F40 sync takes the token from POLYAXON_TOKEN and from --token-file, and prints it nowhere', async () => {
    const token = newToken();
    const port = await reserveFreePort();
    const dataDir = await folder('pxt-f40-sync-data-');
    const outboxDir = await folder('pxt-f40-sync-outbox-');
    const before = await startLocalServer({ port, dataDir, outboxDir, token });
    await before.client.project.createProject({ name: 'mnist' });
    await before.close();

    /** A script tracking while the server is down, killed once its records are in the journal. */
    const leaveRun = async (name: string) => {
      const producer = await startProducer({ port, token, outboxDir, points: 5, name });
      cleanups.push(() => producer.kill());
      expect(producer.created).toBe('offline');
      expect(await producer.ready()).toBeGreaterThan(5);
      await producer.kill();
    };
    const syncArgs = ['sync', '--host', '127.0.0.1', '--port', String(port), '--dir', outboxDir, '--timeout', '30'];

    await leaveRun('first');
    const local = await startLocalServer({ port, dataDir, outboxDir, token });
    cleanups.push(() => local.close());
    const byEnv = await runCli(syncArgs, { env: { POLYAXON_TOKEN: token } });
    expect(byEnv.stdout).toMatch(/^delivered \d+ records to .* 0 pending; dropped: none\n$/);
    expect(byEnv.code).toBe(0);
    await local.close();

    await leaveRun('second');
    const again = await startLocalServer({ port, dataDir, outboxDir, token });
    cleanups.push(() => again.close());
    const byFile = await runCli([...syncArgs, '--token-file', await tokenFile(token)]);
    expect(byFile.stdout).toMatch(/^delivered \d+ records to .* 0 pending; dropped: none\n$/);
    expect(byFile.code).toBe(0);
    const names = (await again.client.project.listExperiments(again.user, 'mnist')).results.map((row) => row.name).sort();
    expect(names).toEqual(['first', 'second']);
    for (const run of [byEnv, byFile]) expect(run.stdout + run.stderr).not.toContain(token);

    const both = await runCli([...syncArgs, '--token', token, '--token-file', 'x']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--token and --token-file exclude each other');
  }, 180_000);
});
