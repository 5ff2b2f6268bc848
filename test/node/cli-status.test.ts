/**
 * `polyaxon-tracking status`: what waits in the outbox folder, per queue and per experiment, which
 * process holds each journal, and the last error a sync recorded. It only reads: the bytes of
 * every file are the same after it ran, even while a live script holds its journal.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { cleanups, filesUnder, folder, runCleanups, runCli, startProducer } from '../fixtures/cli-helpers';
import { reserveFreePort, TEST_TOKEN } from '../helpers/local-server';

afterEach(runCleanups);

it('lists pending records per experiment and journal, live process or not, and changes no byte', async () => {
  const outboxDir = await folder('pxt-cli-status-outbox-');
  const port = await reserveFreePort();
  const producer = await startProducer({ port, token: TEST_TOKEN, outboxDir, points: 40, name: 'status-run' });
  cleanups.push(() => producer.kill());
  const pending = await producer.ready();
  expect(pending).toBe(44);

  // While the script runs, its journal is its own: listed as live, left untouched.
  const whileAlive = await filesUnder(outboxDir);
  const [json, text] = await Promise.all([runCli(['status', '--dir', outboxDir, '--json']), runCli(['status', '--dir', outboxDir])]);
  expect(await filesUnder(outboxDir)).toEqual(whileAlive);
  expect(json.code).toBe(0);
  const report = JSON.parse(json.stdout);
  expect(report).toMatchObject({ root: outboxDir, pending });
  expect(report.queues).toHaveLength(1);
  const [queue] = report.queues;
  expect(queue).toMatchObject({
    name: `127.0.0.1_${port}_api_v1`,
    server: `127.0.0.1:${port}/api/v1`,
    pending,
    heldByLiveProcesses: pending,
    lastSyncError: null,
  });
  expect(queue.journals).toEqual([expect.objectContaining({ live: true, pid: producer.child.pid, pending, format: 'current', skippedLines: 0 })]);
  expect(queue.experiments).toEqual([
    {
      run: expect.any(String),
      project: 'mnist',
      name: 'status-run',
      pending,
      byKind: { create: 1, status: 2, metrics: 40, patch: 1 },
      heldByLiveProcess: pending,
    },
  ]);
  expect(text.code).toBe(0);
  expect(text.stdout).toContain(`outbox ${outboxDir}: 44 pending record(s) in 1 queue(s)`);
  expect(text.stdout).toMatch(new RegExp(`run ${queue.experiments[0].run}  mnist  not created on the server yet "status-run": 44 pending \\(1 create, 2 status, 40 metrics, 1 patch\\); 44 held by a running process`));
  expect(text.stdout).toMatch(new RegExp(`${producer.child.pid}-[0-9a-f]+\\.jsonl  [0-9,]+ bytes, 44 pending, held by live process ${producer.child.pid}`));
  expect(text.stdout).toContain('last error  n/a');

  // Once the script is killed its journal is free, and still untouched by status.
  await producer.kill();
  const afterKill = await filesUnder(outboxDir);
  const later = await runCli(['status', '--dir', outboxDir, '--json']);
  expect(await filesUnder(outboxDir)).toEqual(afterKill);
  const [freed] = JSON.parse(later.stdout).queues;
  expect(freed).toMatchObject({ pending, heldByLiveProcesses: 0 });
  expect(freed.journals[0]).toMatchObject({ live: false, pending });
}, 120_000);

it('an outbox folder that does not exist: nothing pending, exit 0, nothing created', async () => {
  const parent = await folder('pxt-cli-status-empty-');
  const missing = join(parent, 'outbox');
  const [json, text] = await Promise.all([runCli(['status', '--dir', missing, '--json']), runCli(['status', '--dir', missing])]);
  expect(json.code).toBe(0);
  expect(JSON.parse(json.stdout)).toEqual({ root: missing, pending: 0, queues: [] });
  expect(text.stdout).toBe(`outbox ${missing}: 0 pending record(s) in 0 queue(s)\n`);
  expect(await readdir(parent)).toEqual([]);
}, 60_000);

it('reads the folder from POLYAXON_OUTBOX_DIR; bad options exit 2 with the usage', async () => {
  const outboxDir = await folder('pxt-cli-status-env-');
  const [fromEnv, bad, help] = await Promise.all([
    runCli(['status', '--json'], { env: { POLYAXON_OUTBOX_DIR: outboxDir } }),
    runCli(['status', '--bogus']),
    runCli(['status', '--help']),
  ]);
  expect(JSON.parse(fromEnv.stdout).root).toBe(outboxDir);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toMatch(/^polyaxon-tracking status: .*\n\nUsage: polyaxon-tracking status/);
  expect(help.code).toBe(0);
  expect(help.stdout).toMatch(/Reads only: takes no lock, changes no file/);
}, 60_000);
