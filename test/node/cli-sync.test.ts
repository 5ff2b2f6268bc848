/**
 * `polyaxon-tracking sync` as a user runs it: a script (child process) tracks while the server is
 * down and is killed; the CLI (another child process) delivers what it left to the real local
 * server on 127.0.0.1, or says why it could not, with the documented exit code, within --timeout.
 */
import { chmod, readdir } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openJournalStore } from '../../src/node/journal-store';
import { allMetrics, cleanups, filesUnder, folder, runCleanups, runCli, startProducer, type Producer } from '../fixtures/cli-helpers';
import { apiFor } from '../helpers/server-api';
import { reserveFreePort, startLocalServer, TEST_TOKEN, type LocalServer } from '../helpers/local-server';

afterEach(runCleanups);

async function serverAt(port: number, dataDir: string, outboxDir: string): Promise<LocalServer> {
  const local = await startLocalServer({ port, dataDir, outboxDir });
  cleanups.push(() => local.close());
  return local;
}

/** A port where a server with project `mnist` existed, stopped now; its data folder is kept. */
async function downServer(outboxDir: string): Promise<{ port: number; dataDir: string }> {
  const port = await reserveFreePort();
  const dataDir = await folder('pxt-cli-sync-data-');
  const before = await startLocalServer({ port, dataDir, outboxDir });
  await before.client.project.createProject({ name: 'mnist' });
  await before.close();
  return { port, dataDir };
}

/** A producer that tracks offline (server down), is killed once its records are in the journal. */
async function leftByKilledScript(port: number, outboxDir: string, points: number, name: string): Promise<number> {
  const producer = await startProducer({ port, token: TEST_TOKEN, outboxDir, points, name });
  cleanups.push(() => producer.kill());
  expect(producer.created).toBe('offline');
  const pending = await producer.ready();
  await producer.kill();
  return pending;
}

const syncArgs = (port: number, outboxDir: string, ...more: string[]) => [
  'sync', '--host', '127.0.0.1', '--port', String(port), '--token', TEST_TOKEN, '--dir', outboxDir, ...more,
];

/** The `in S s` of a summary line: the command's own time, start-up of node and tsx excluded. */
function secondsIn(summary: string): number {
  const match = / in ([0-9.]+) s;/.exec(summary);
  if (!match) throw new Error(`no duration in ${JSON.stringify(summary)}`);
  return Number(match[1]);
}

async function onlyExperiment(local: LocalServer, name: string) {
  const experiments = await local.client.project.listExperiments(local.user, 'mnist');
  expect(experiments.count).toBe(1);
  expect(experiments.results[0].name).toBe(name);
  return experiments.results[0];
}

describe('sync delivers what killed scripts left', () => {
  it('F19 the create that never reached the server, then metrics, params and statuses in order; exit 0 and one summary line', async () => {
    const outboxDir = await folder('pxt-cli-sync-outbox-');
    const { port, dataDir } = await downServer(outboxDir);
    const pending = await leftByKilledScript(port, outboxDir, 250, 'offline-run');
    // create, status running, 250 metrics, params (patch), status succeeded
    expect(pending).toBe(254);

    const local = await serverAt(port, dataDir, outboxDir);
    const sync = await runCli(syncArgs(port, outboxDir, '--timeout', '30'));
    expect(sync.stderr).toBe('');
    expect(sync.code).toBe(0);
    expect(sync.stdout).toMatch(new RegExp(`^delivered 254 records to http://127\\.0\\.0\\.1:${port}/api/v1 in [0-9.]+ s; 0 pending; dropped: none\\n$`));

    const experiment = await onlyExperiment(local, 'offline-run');
    expect((await local.client.experiment.get(local.user, 'mnist', experiment.id)).params).toEqual({ lr: 0.01 });
    const metrics = await allMetrics(local.url, local.token, local.user, 'mnist', experiment.id);
    expect(metrics.map((metric) => metric.values)).toEqual(Array.from({ length: 250 }, (_, i) => ({ step: i + 1, loss: 1 / (i + 1) })));
    const statuses = await local.client.experiment.getStatuses(local.user, 'mnist', experiment.id);
    expect(statuses.results.map((row) => row.status)).toEqual(['created', 'running', 'succeeded']);

    // Nothing is left: a second sync has nothing to do and says so.
    const again = await runCli(syncArgs(port, outboxDir));
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^delivered 0 records to .* 0 pending; dropped: none\n$/);
  }, 120_000);

  it('F19 records of an experiment created before the server went down go to that experiment (target kept in the queue)', async () => {
    const outboxDir = await folder('pxt-cli-sync-outbox-');
    const port = await reserveFreePort();
    const dataDir = await folder('pxt-cli-sync-data-');
    const first = await startLocalServer({ port, dataDir, outboxDir });
    await first.client.project.createProject({ name: 'mnist' });
    const producer: Producer = await startProducer({ port, token: TEST_TOKEN, outboxDir, points: 120, name: 'created-online', waitBeforeLogging: true, createTimeoutMs: 30_000 });
    cleanups.push(() => producer.kill());
    const id = Number(producer.created);
    expect(Number.isInteger(id)).toBe(true);
    await first.close();
    producer.startLogging();
    const pending = await producer.ready();
    await producer.kill();
    expect(pending).toBeGreaterThanOrEqual(122);

    const local = await serverAt(port, dataDir, outboxDir);
    const sync = await runCli(syncArgs(port, outboxDir, '--timeout', '30'));
    expect(sync.code).toBe(0);
    expect(sync.stdout).toMatch(new RegExp(`^delivered ${pending} records to .* 0 pending; dropped: none\\n$`));
    expect((await onlyExperiment(local, 'created-online')).id).toBe(id);
    const metrics = await allMetrics(local.url, local.token, local.user, 'mnist', id);
    expect(metrics.map((metric) => (metric.values as { step: number }).step)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
    const statuses = await local.client.experiment.getStatuses(local.user, 'mnist', id);
    expect(statuses.results.map((row) => row.status)).toEqual(['created', 'running', 'succeeded']);
  }, 120_000);

  it('--all delivers every queue whose server the name gives back, and names the one it skips', async () => {
    const outboxDir = await folder('pxt-cli-sync-outbox-');
    const a = await downServer(outboxDir);
    const b = await downServer(outboxDir);
    const pendingA = await leftByKilledScript(a.port, outboxDir, 30, 'run-a');
    const pendingB = await leftByKilledScript(b.port, outboxDir, 40, 'run-b');
    const foreign = await openJournalStore({ name: 'named by hand', caps: { maxRecords: 10, maxBytes: 1e6 }, directory: outboxDir });
    await foreign.close();
    const serverA = await serverAt(a.port, a.dataDir, outboxDir);
    const serverB = await serverAt(b.port, b.dataDir, outboxDir);

    const sync = await runCli(syncArgs(a.port, outboxDir, '--all', '--timeout', '30'));
    expect(sync.code).toBe(0);
    const lines = sync.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^delivered ${pendingA} records to http://127\\.0\\.0\\.1:${a.port}/api/v1 .*; 0 pending;`)));
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^delivered ${pendingB} records to http://127\\.0\\.0\\.1:${b.port}/api/v1 .*; 0 pending;`)));
    expect(sync.stderr).toMatch(/skipped .*named_by_hand-[0-9a-f]{8}: its server cannot be told from the queue name/);
    for (const [local, name, points] of [[serverA, 'run-a', 30], [serverB, 'run-b', 40]] as const) {
      const experiment = await onlyExperiment(local, name);
      expect(await allMetrics(local.url, local.token, local.user, 'mnist', experiment.id)).toHaveLength(points);
    }
  }, 180_000);
});

describe('sync says why records stay, and exits 1', () => {
  it('against a down server: exit 1 within --timeout, every record still pending, the cause recorded for status', async () => {
    const outboxDir = await folder('pxt-cli-sync-outbox-');
    const { port } = await downServer(outboxDir);
    const pending = await leftByKilledScript(port, outboxDir, 50, 'still-offline');

    const sync = await runCli(syncArgs(port, outboxDir, '--timeout', '2'), { timeoutMs: 30_000 });
    expect(sync.code).toBe(1);
    expect(sync.stdout).toMatch(new RegExp(`^delivered 0 records to http://127\\.0\\.0\\.1:${port}/api/v1 in [0-9.]+ s; ${pending} pending; dropped: none; .*server unreachable: .*ECONNREFUSED`));
    expect(secondsIn(sync.stdout)).toBeLessThanOrEqual(2.5);

    const status = await runCli(['status', '--dir', outboxDir, '--json']);
    const [queue] = JSON.parse(status.stdout).queues;
    expect(queue.pending).toBe(pending);
    expect(queue.lastSyncError).toMatchObject({ pending, baseUrl: `http://127.0.0.1:${port}/api/v1`, message: expect.stringMatching(/server unreachable/) });
  }, 120_000);

  it('F24 against a server that accepts connections and never answers: exit 1 on time, nothing lost', async () => {
    const outboxDir = await folder('pxt-cli-sync-outbox-');
    const { port } = await downServer(outboxDir);
    const pending = await leftByKilledScript(port, outboxDir, 20, 'black-hole');
    const sockets = new Set<Socket>();
    const blackHole: Server = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => blackHole.listen(port, '127.0.0.1', resolve));
    cleanups.push(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => blackHole.close(resolve));
    });

    const sync = await runCli(syncArgs(port, outboxDir, '--timeout', '2'), { timeoutMs: 30_000 });
    expect(sync.code).toBe(1);
    expect(secondsIn(sync.stdout)).toBeLessThanOrEqual(3);
    expect(sync.stdout).toMatch(new RegExp(`; ${pending} pending; dropped: none; `));
    const status = await runCli(['status', '--dir', outboxDir, '--json']);
    expect(JSON.parse(status.stdout).pending).toBe(pending);
  }, 120_000);

  it('F07 with a wrong token: exit 1 at once with the 401 message, every record kept; the right token then delivers', async () => {
    const outboxDir = await folder('pxt-cli-sync-outbox-');
    const { port, dataDir } = await downServer(outboxDir);
    const pending = await leftByKilledScript(port, outboxDir, 60, 'wrong-token');
    const local = await serverAt(port, dataDir, outboxDir);
    const refusal = await apiFor(local.url, 'not-the-token')('GET', 'users/');
    expect(refusal.status).toBe(401);

    const wrong = await runCli(['sync', '--host', '127.0.0.1', '--port', String(port), '--token', 'not-the-token', '--dir', outboxDir, '--timeout', '30']);
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toContain(`; ${pending} pending; dropped: none; sending paused: the server refused the credentials (401: ${refusal.body.detail})`);
    expect(secondsIn(wrong.stdout)).toBeLessThan(10);
    expect(wrong.stdout).not.toContain('not-the-token');
    expect((await local.client.project.listExperiments(local.user, 'mnist')).count).toBe(0);

    const right = await runCli(syncArgs(port, outboxDir, '--timeout', '30'));
    expect(right.code).toBe(0);
    expect(right.stdout).toMatch(new RegExp(`^delivered ${pending} records .*; 0 pending; dropped: none\\n$`));
    const experiment = await onlyExperiment(local, 'wrong-token');
    expect(await allMetrics(local.url, local.token, local.user, 'mnist', experiment.id)).toHaveLength(60);
    // The clean sync cleared the error the refused one recorded.
    const status = await runCli(['status', '--dir', outboxDir, '--json']);
    expect(JSON.parse(status.stdout).queues[0].lastSyncError).toBeNull();
  }, 120_000);
});

describe('sync usage', () => {
  it('with nothing pending: exit 0, and no folder is created', async () => {
    const outboxDir = await folder('pxt-cli-sync-empty-');
    const port = await reserveFreePort();
    const sync = await runCli(syncArgs(port, join(outboxDir, 'missing')));
    expect(sync.code).toBe(0);
    expect(sync.stdout).toMatch(/^delivered 0 records to .* 0 pending; dropped: none\n$/);
    expect(await readdir(outboxDir)).toEqual([]);
  }, 60_000);

  it('bad options exit 2 with the usage; --help exits 0; the command list names sync and status', async () => {
    const [badPort, badTimeout, unknown, help, list] = await Promise.all([
      runCli(['sync', '--port', 'abc']),
      runCli(['sync', '--timeout', '0']),
      runCli(['sync', '--bogus']),
      runCli(['sync', '--help']),
      runCli(['--help']),
    ]);
    for (const run of [badPort, badTimeout, unknown]) {
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^polyaxon-tracking sync: .*\n\nUsage: polyaxon-tracking sync/);
    }
    expect(badPort.stderr).toMatch(/--port must be an integer/);
    expect(badTimeout.stderr).toMatch(/--timeout must be a positive number/);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: polyaxon-tracking sync \[options\]/);
    expect(help.stdout).toMatch(/Exit codes: 0 everything was delivered; 1 something is still pending/);
    expect(list.stdout).toMatch(/^\s+sync\s+deliver the records/m);
    expect(list.stdout).toMatch(/^\s+status\s+list pending records/m);
  }, 60_000);

  // Root writes into a read-only folder anyway: there the case cannot be set up.
  it.skipIf(process.getuid?.() === 0)('leaves a queue folder it cannot write with its records, exit 1', async () => {
    const outboxDir = await folder('pxt-cli-sync-outbox-');
    const { port, dataDir } = await downServer(outboxDir);
    const pending = await leftByKilledScript(port, outboxDir, 5, 'read-only');
    await serverAt(port, dataDir, outboxDir);
    const [queueFolder] = await readdir(outboxDir);
    await chmod(join(outboxDir, queueFolder), 0o500);
    cleanups.push(() => chmod(join(outboxDir, queueFolder), 0o700));
    const before = await filesUnder(outboxDir);

    const sync = await runCli(syncArgs(port, outboxDir, '--timeout', '10'));
    expect(sync.code).toBe(1);
    expect(sync.stdout).toMatch(new RegExp(`; ${pending} pending; .*cannot open the queue in `));
    expect(await filesUnder(outboxDir)).toEqual(before);
  }, 120_000);
});
