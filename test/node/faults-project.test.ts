/**
 * reliability.md F36, a project missing on the server (404 at create), through real local servers:
 * an Experiment in this process, a script (child process) killed with its records in the journal,
 * and the `sync` command. Nothing is ever deleted; `createProject` (default true) creates the
 * project owned by the token's user; otherwise, or when creating is refused, records wait and one
 * line names the project and the fix.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Experiment } from '../../src/index.node';
import { logger } from '../../src/runtime/logger';
import { allMetrics, cleanups, folder, runCleanups, runCli, startProducer } from '../fixtures/cli-helpers';
import { startFaultRig } from '../helpers/fault-setup';
import { startLocalServer, TEST_TOKEN, type LocalServer } from '../helpers/local-server';

afterEach(async () => {
  vi.restoreAllMocks();
  await runCleanups();
});

async function server(): Promise<LocalServer> {
  const local = await startLocalServer();
  cleanups.push(() => local.close());
  return local;
}

function experimentOn(local: LocalServer, project: string, options: { createProject?: boolean; createTimeoutMs?: number } = {}): Experiment {
  const experiment = new Experiment({
    project,
    client: local.client,
    trackLogs: false,
    trackGit: false,
    trackEnv: false,
    outbox: { directory: local.outboxDir, flushIntervalMs: 20 },
    ...options,
  });
  cleanups.push(() => experiment.close({ timeoutMs: 100 }));
  return experiment;
}

function libraryWarnings(spy: { mock: { calls: unknown[][] } }): string[] {
  return spy.mock.calls.map((call) => String(call[0])).filter((line) => line.startsWith('[polyaxon-tracking]'));
}

const syncArgs = (local: LocalServer, outboxDir: string) => ['sync', '--host', '127.0.0.1', '--port', String(local.port), '--token', TEST_TOKEN, '--dir', outboxDir, '--timeout', '20'];

describe('F36 project missing on the server', () => {
  it("F36 createProject (the default) creates the missing project, owned by the token's user, and everything arrives", async () => {
    const local = await server();
    const experiment = experimentOn(local, 'fresh');
    await experiment.create({ name: 'first' });
    for (let step = 0; step < 20; step++) experiment.logMetrics({ step, loss: 1 / (step + 1) });
    experiment.succeeded();

    expect(await experiment.flush({ timeoutMs: 10_000 })).toBe(true);

    const project = await local.client.project.getProject(local.user, 'fresh');
    expect(project.user).toBe(local.user);
    const stored = await local.client.experiment.get(local.user, 'fresh', experiment.id!);
    expect(stored).toMatchObject({ name: 'first', last_status: 'succeeded' });
    expect(await allMetrics(local.url, local.token, local.user, 'fresh', experiment.id!)).toHaveLength(20);
    expect(Object.values(experiment.stats()!.outbox.dropped).every((count) => count === 0)).toBe(true);
  });

  it('F36 createProject: false: nothing is dropped, one line names the project and the fix; sync deletes nothing, and delivers all once the project exists', async () => {
    const local = await server();
    const outboxDir = await folder('pxt-f36-outbox-');
    const producer = await startProducer({ port: local.port, token: TEST_TOKEN, outboxDir, points: 30, name: 'waits', project: 'later', createProject: false, createTimeoutMs: 1_000 });
    cleanups.push(() => producer.kill());
    expect(producer.created).toBe('offline');
    const pending = await producer.ready();
    // create, status running, 30 points, params, succeeded: all of it still there.
    expect(pending).toBe(34);
    await producer.kill();

    const refused = await runCli(syncArgs(local, outboxDir));
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('; 34 pending; dropped: none;');
    expect(refused.stdout).toContain(`project ${local.user}/later does not exist on ${local.url} (404`);
    expect(refused.stdout).toContain("createProject({ name: 'later' })");
    expect((await local.client.project.listProjects(local.user)).results.map((project) => project.name)).not.toContain('later');

    await local.client.project.createProject({ name: 'later' });
    const delivered = await runCli(syncArgs(local, outboxDir));
    expect(delivered.stdout).toContain('delivered 34 records');
    expect(delivered.code).toBe(0);
    const [experiment] = (await local.client.project.listExperiments(local.user, 'later')).results;
    expect(experiment).toMatchObject({ name: 'waits', last_status: 'succeeded' });
    expect(await allMetrics(local.url, local.token, local.user, 'later', experiment.id)).toHaveLength(30);
  });

  it('F36 in the script: stats() and the one warning name the server, the project and the fix; nothing is dropped', async () => {
    logger.resetWarnings();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const local = await server();
    const experiment = experimentOn(local, 'absent', { createProject: false, createTimeoutMs: 1_000 });
    await experiment.create();
    for (let step = 0; step < 10; step++) experiment.logMetrics({ step, loss: 1 });

    expect(await experiment.flush({ timeoutMs: 1_500 })).toBe(false);

    const stats = experiment.stats()!.outbox;
    expect(stats.lastError).toMatchObject({ kind: 'not_found', status: 404 });
    expect(stats.lastError!.help).toContain(`project ${local.user}/absent does not exist on ${local.url} (404`);
    expect(stats.lastError!.help).toContain('createProject: true');
    expect(Object.values(stats.dropped).every((count) => count === 0)).toBe(true);
    expect(stats.pending).toBeGreaterThanOrEqual(12);
    const warnings = libraryWarnings(warn);
    expect(warnings).toEqual([`[polyaxon-tracking] ${stats.lastError!.help}`]);
  });

  it("F36 a 403 on creating the project keeps the records and says so", async () => {
    logger.resetWarnings();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const rig = await startFaultRig();
    cleanups.push(() => rig.dispose());
    rig.proxy.script(
      { kind: 'respond', status: 403, body: { detail: 'You do not have permission to perform this action.' } },
      { count: Infinity, match: (request) => request.method === 'POST' && request.path === '/api/v1/projects/' },
    );
    const experiment = new Experiment({
      project: 'notyet',
      client: rig.clientViaProxy(),
      trackLogs: false,
      trackGit: false,
      trackEnv: false,
      createTimeoutMs: 1_000,
      outbox: { directory: rig.outboxDir, flushIntervalMs: 20 },
    });
    cleanups.push(() => experiment.close({ timeoutMs: 100 }));
    await experiment.create();
    experiment.logMetrics({ step: 0, loss: 1 });

    expect(await experiment.flush({ timeoutMs: 1_500 })).toBe(false);

    const stats = experiment.stats()!.outbox;
    expect(stats.lastError!.help).toContain('does not exist');
    expect(stats.lastError!.help).toContain('Creating it was refused (403 You do not have permission to perform this action.)');
    expect(Object.values(stats.dropped).every((count) => count === 0)).toBe(true);
    expect(stats.pending).toBeGreaterThanOrEqual(3);
    expect(libraryWarnings(warn)).toHaveLength(1);
  });
});
