/**
 * `polyaxon-tracking push` as a user runs it: two real `serve` processes on loopback (the source,
 * holding runs logged with the library's Experiment, and a target reached through a fault proxy of
 * each test's own), and the built CLI (dist/cli.mjs; `npm run build` first) as a child process,
 * interrupted and killed with real signals. What the target holds is read back through its REST
 * API and compared with the source. Tests share the target; each copies into projects of its own.
 */
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Experiment } from '../../src/index.node';
import { cleanups, folder, runCleanups } from '../fixtures/cli-helpers';
import { clientOf, experimentAt, readServer, runPush, sent, type ServerCopy } from '../fixtures/push-helpers';
import { startFaultProxy, type FaultProxy, type ProxiedRequest } from '../helpers/fault-proxy';
import { startLocalServer, tempFolder } from '../helpers/local-server';
import { spawnServerProcess, type ServerProcess } from '../helpers/server-process';

const SOURCE_TOKEN = 'source-token-4f1d2a';
const TARGET_TOKEN = 'target-token-8c3e7b';
const USER = 'local';
/** Each test runs the CLI a few times and starts a server: generous on a loaded machine. */
const TEST_TIMEOUT_MS = 120_000;

let source: ServerProcess;
let targetServer: ServerProcess;
let sourceTokenFile: string;
let ids: { baseline: number; live: number; tiny: number };
let live: Experiment;
const setupCleanups: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  const dataDir = await tempFolder('pxt-push-source-');
  const outboxDir = await tempFolder('pxt-push-outbox-');
  [source, targetServer] = await Promise.all([
    spawnServerProcess({ dataDir, token: SOURCE_TOKEN, built: true }),
    tempFolder('pxt-push-target-').then((targetDir) => spawnServerProcess({ dataDir: targetDir, token: TARGET_TOKEN, built: true })),
  ]);
  for (const server of [source, targetServer]) {
    setupCleanups.push(async () => {
      server.child.kill('SIGKILL');
      await server.exited;
    });
  }
  sourceTokenFile = join(outboxDir, 'source-token');
  await writeFile(sourceTokenFile, `${SOURCE_TOKEN}\n`, { mode: 0o600 });
  const client = clientOf(source.url, SOURCE_TOKEN);
  await client.project.createProject({ name: 'mnist', description: 'digits', tags: ['vision'] });
  await client.project.createProject({ name: 'speech' });

  const baseline = experimentAt(source.url, SOURCE_TOKEN, 'mnist', outboxDir);
  await baseline.create({ name: 'baseline', tags: ['cnn', 'v1'], description: 'first try', framework: 'tensorflow' });
  baseline.logParams({ lr: 0.01, layers: 2, optimizer: 'adam' });
  await baseline.logDataRef({ data: 'mnist-train-v3', dataName: 'train' });
  await baseline.logCodeRef({ commit: 'f'.repeat(40), head: 'f'.repeat(40), branch: 'main', git_url: 'https://example.com/team/mnist.git', is_dirty: true });
  for (let step = 0; step < 2500; step += 1) baseline.logMetrics({ step, loss: 1 / (step + 1), accuracy: step / 2500 });
  baseline.sendLogs(['epoch 1 done', 'epoch 2 done']);
  baseline.logStatus('warning', 'learning rate too high?');
  baseline.failed('diverged at step 2400', 'Traceback (most recent call last):\n  File "train.py", line 9');
  await sent(baseline);

  // Still running: the test of new points after a push logs more and ends it.
  live = experimentAt(source.url, SOURCE_TOKEN, 'mnist', outboxDir);
  await live.create({ name: 'live', tags: ['long'] });
  for (let step = 0; step < 1200; step += 1) live.logMetrics({ step, loss: 2 / (step + 1) });
  await sent(live);

  const tiny = experimentAt(source.url, SOURCE_TOKEN, 'speech', outboxDir);
  await tiny.create({ name: 'tiny' });
  for (let step = 0; step < 10; step += 1) tiny.logMetrics({ step, wer: 0.5 - step / 100 });
  tiny.succeeded();
  await sent(tiny);
  await Promise.all([baseline.close(), tiny.close()]);
  ids = { baseline: baseline.id!, live: live.id!, tiny: tiny.id! };
  setupCleanups.push(() => live.close({ timeoutMs: 1_000 }));
}, 60_000);

afterAll(async () => {
  for (const cleanup of setupCleanups.reverse()) await cleanup().catch(() => {});
});
afterEach(runCleanups);

interface TargetServer {
  server: ServerProcess;
  proxy: FaultProxy;
  home: string;
  tokenFile: string;
}

/** The target `serve` process behind a fault proxy of this test's own, and a HOME for the push's record. */
async function startTarget(options: { ignoresIdempotencyKey?: boolean } = {}): Promise<TargetServer> {
  const server = targetServer;
  // Polyaxon 0.6.1 knows no Idempotency-Key: without it the local server acts on every repeat too.
  const proxy = await startFaultProxy(server.url, options.ignoresIdempotencyKey ? { dropRequestHeaders: ['idempotency-key'] } : {});
  cleanups.push(() => proxy.close());
  const home = await folder('pxt-push-home-');
  const tokenFile = join(home, 'target-token');
  await writeFile(tokenFile, `${TARGET_TOKEN}\n`, { mode: 0o600 });
  return { server, proxy, home, tokenFile };
}

function pushArgs(target: TargetServer, ...more: string[]): string[] {
  return ['--to', target.proxy.url, '--token-file', target.tokenFile, '--from', source.url, '--from-token-file', sourceTokenFile, ...more];
}

const readSource = (projects?: string[]) => readServer(source.url, SOURCE_TOKEN, USER, projects);
const readTarget = (target: TargetServer, projects?: string[]) => readServer(target.server.url, TARGET_TOKEN, USER, projects);

const isWrite = (request: ProxiedRequest) => request.method !== 'GET';
const isMetricsPost = (request: ProxiedRequest) => request.method === 'POST' && request.path.endsWith('/metrics/');

/**
 * Makes the `nth` request matching `match` reach the target whole, then kills the push with
 * SIGKILL and cuts its connection: the target acted on it, the push never saw the answer.
 */
function killPushAt(target: TargetServer, nth: number, match: (request: ProxiedRequest) => boolean) {
  let child: ChildProcess | undefined;
  let seen = 0;
  const killed: { at?: ProxiedRequest } = {};
  target.proxy.script({ kind: 'drop-after-forward' }, { match: (request) => match(request) && ++seen === nth && Boolean((killed.at = request)) });
  target.proxy.onForwarded((request) => {
    if (request === killed.at) child?.kill('SIGKILL');
  });
  return { onChild: (started: ChildProcess) => (child = started), killed };
}

async function recordOf(home: string): Promise<{ path: string; text: string; mode: number }> {
  const directory = join(home, '.polyaxon', 'push');
  const files = await readdir(directory);
  expect(files.filter((file) => file.endsWith('.json'))).toHaveLength(1);
  const path = join(directory, files.find((file) => file.endsWith('.json'))!);
  return { path, text: await readFile(path, 'utf8'), mode: (await stat(path)).mode & 0o777 };
}

function metricsOf(copy: ServerCopy, project: string, name: string) {
  return copy[project].experiments.find((experiment) => experiment.name === name)!.metrics;
}

describe('push copies runs to another server', () => {
  it('copies projects, experiments with their fields and code reference, every metric point with its time, logs and statuses in order; a second push sends nothing; points logged later go with the next', async () => {
    const target = await startTarget();
    const first = await runPush(pushArgs(target), { home: target.home });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(
      /^push to http:\/\/127\.0\.0\.1:\d+\/api\/v1: 3 of 3 experiments \(3 new, 0 updated, 0 unchanged\), 3,710 metric points, 2 log lines, 6 statuses, 0 changed fields in [0-9.]+ s; record: .+\.json\n$/,
    );
    const copied = await readTarget(target, ['mnist', 'speech']);
    expect(copied).toEqual(await readSource());
    expect(copied.mnist.experiments.map((experiment) => experiment.statuses.map((row) => row.status))).toEqual([
      ['created', 'running', 'warning', 'failed'],
      ['created', 'running'],
    ]);

    // Only requests Polyaxon 0.6.1 takes: unmanaged creates, metrics as arrays in big batches, one status per POST.
    const writes = target.proxy.log.filter(isWrite);
    for (const create of writes.filter((request) => /\/experiments\/$/.test(request.path))) expect(JSON.parse(create.body).is_managed).toBe(false);
    const batches = writes.filter(isMetricsPost).map((request) => JSON.parse(request.body));
    expect(batches.map((batch) => batch.length)).toEqual([2500, 1200, 10]);
    expect(batches[0][1]).toEqual({ values: { step: 1, loss: 0.5, accuracy: 1 / 2500 }, created_at: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?\+00:00$/) });
    for (const status of writes.filter((request) => request.path.endsWith('/statuses/'))) expect(Object.keys(JSON.parse(status.body))).toContain('status');

    const record = await recordOf(target.home);
    expect(record.mode).toBe(0o600);
    expect(record.text).not.toContain(TARGET_TOKEN);
    expect(record.text).not.toContain(SOURCE_TOKEN);
    expect(Object.values(JSON.parse(record.text).experiments).map((entry: any) => [entry.metrics, entry.logs, entry.statuses])).toEqual([
      [2500, 2, 4],
      [1200, 0, 2],
      [10, 0, 3],
    ]);

    const logged = target.proxy.log.length;
    const second = await runPush(pushArgs(target), { home: target.home });
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('3 of 3 experiments (0 new, 0 updated, 3 unchanged), 0 metric points, 0 log lines, 0 statuses');
    expect(target.proxy.log.slice(logged).filter(isWrite)).toEqual([]);

    for (let step = 1200; step < 1500; step += 1) live.logMetrics({ step, loss: 2 / (step + 1) });
    live.sendLogs(['resumed after the push']);
    live.succeeded();
    await sent(live);
    const third = await runPush(pushArgs(target), { home: target.home });
    expect(third.code).toBe(0);
    expect(third.stdout).toContain('3 of 3 experiments (0 new, 1 updated, 2 unchanged), 300 metric points, 1 log lines, 1 statuses');
    expect(await readTarget(target, ['mnist', 'speech'])).toEqual(await readSource());
  }, TEST_TIMEOUT_MS);

  it('a push killed (SIGKILL) with a metrics batch on the wire resumes; the local target stores every point once (Idempotency-Key)', async () => {
    const target = await startTarget();
    const args = pushArgs(target, '--project', 'mnist', '--to-project', 'killed', '--batch', '500');
    const kill = killPushAt(target, 3, isMetricsPost);
    const killed = await runPush(args, { home: target.home, onChild: kill.onChild });
    expect(killed.signal).toBe('SIGKILL');
    const inFlight = Object.values(JSON.parse((await recordOf(target.home)).text).experiments).map((entry: any) => entry.inFlight);
    expect(inFlight).toContainEqual({ kind: 'metrics', from: 1000, count: 500, key: kill.killed.at!.idempotencyKey });

    const logged = target.proxy.log.length;
    const resumed = await runPush(args, { home: target.home });
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    // The batch the killed push never heard back about goes first, under the same key.
    expect(target.proxy.log.slice(logged).find(isMetricsPost)?.idempotencyKey).toBe(kill.killed.at!.idempotencyKey);
    expect((await readTarget(target, ['killed'])).killed).toEqual((await readSource(['mnist'])).mnist);
  }, TEST_TIMEOUT_MS);

  it('Ctrl-C (SIGINT) lets the request on the wire finish, records it, exits 130; the next push goes on from there', async () => {
    const target = await startTarget();
    const args = pushArgs(target, '--project', 'mnist', '--to-project', 'interrupted', '--batch', '500');
    let child: ChildProcess | undefined;
    let seen = 0;
    // The second batch is held a while; the push is interrupted as it arrives.
    target.proxy.script({ kind: 'delay', ms: 1_000 }, { match: (request) => isMetricsPost(request) && ++seen === 2 && Boolean(child?.kill('SIGINT')) });
    const stopped = await runPush(args, { home: target.home, onChild: (started) => (child = started) });
    expect(stopped.code).toBe(130);
    expect(stopped.stdout).toMatch(/: 0 of 2 experiments \(1 new, 0 updated, 0 unchanged\), 1,000 metric points, .*; interrupted: run the same command again to resume; record: /);
    const entries = Object.values(JSON.parse((await recordOf(target.home)).text).experiments) as Array<Record<string, unknown>>;
    expect(entries.map((entry) => [entry.metrics, entry.inFlight])).toEqual([[1000, undefined]]);

    const resumed = await runPush(args, { home: target.home });
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain('2 of 2 experiments (1 new, 1 updated, 0 unchanged)');
    expect((await readTarget(target, ['interrupted'])).interrupted).toEqual((await readSource(['mnist'])).mnist);
  }, TEST_TIMEOUT_MS);

  it('against a target that ignores Idempotency-Key, as Polyaxon 0.6.1: a kill during the create or a status sends neither twice; a metrics batch on the wire at a kill is stored twice (at least once)', async () => {
    const target = await startTarget({ ignoresIdempotencyKey: true });
    const isCreate = (request: ProxiedRequest) => request.method === 'POST' && request.path.endsWith('/experiments/');
    const atCreate = killPushAt(target, 1, isCreate);
    const whole = pushArgs(target, '--project', 'mnist', '--to-project', 'created');
    expect((await runPush(whole, { home: target.home, onChild: atCreate.onChild })).signal).toBe('SIGKILL');
    expect((await runPush(whole, { home: target.home })).code).toBe(0);
    const sourceCopy = await readSource(['mnist']);
    expect((await readTarget(target, ['created'])).created).toEqual(sourceCopy.mnist);

    const one = (project: string, ...more: string[]) => pushArgs(target, '--project', 'mnist', '--experiments', String(ids.baseline), '--to-project', project, ...more);
    const isStatus = (request: ProxiedRequest) => request.method === 'POST' && request.path.endsWith('/statuses/');
    const atStatus = killPushAt(target, 2, isStatus);
    expect((await runPush(one('status-copy'), { home: target.home, onChild: atStatus.onChild })).signal).toBe('SIGKILL');
    expect(JSON.parse(atStatus.killed.at!.body)).toEqual({ status: 'warning', message: 'learning rate too high?' });
    expect((await runPush(one('status-copy'), { home: target.home })).code).toBe(0);
    expect((await readTarget(target, ['status-copy']))['status-copy'].experiments).toEqual([sourceCopy.mnist.experiments[0]]);

    const atBatch = killPushAt(target, 2, isMetricsPost);
    expect((await runPush(one('batches', '--batch', '500'), { home: target.home, onChild: atBatch.onChild })).signal).toBe('SIGKILL');
    expect((await runPush(one('batches', '--batch', '500'), { home: target.home })).code).toBe(0);
    const points = metricsOf(sourceCopy, 'mnist', 'baseline');
    expect(metricsOf(await readTarget(target, ['batches']), 'batches', 'baseline')).toEqual([
      ...points.slice(0, 1000),
      ...points.slice(500, 1000),
      ...points.slice(1000),
    ]);
  }, TEST_TIMEOUT_MS);

  it('429 with Retry-After, 500, 503 and a cut connection from the target: waited for, sent again under the same key, nothing lost or doubled', async () => {
    const target = await startTarget();
    const isCreate = (request: ProxiedRequest) => request.method === 'POST' && request.path.endsWith('/experiments/');
    const throttled = { detail: 'Request was throttled. Expected available in 1 second.' };
    target.proxy.script({ kind: 'respond', status: 429, body: throttled, headers: { 'Retry-After': '1' } }, { count: 2, match: isMetricsPost });
    target.proxy.script({ kind: 'respond', status: 500, body: '<h1>Server Error (500)</h1>' }, { match: (request) => request.path.endsWith('/statuses/') });
    target.proxy.script({ kind: 'respond', status: 503 }, { match: isCreate });
    target.proxy.script({ kind: 'drop' }, { match: isCreate });
    const pushed = await runPush(pushArgs(target, '--project', 'mnist', '--to-project', 'faults'), { home: target.home });
    expect(pushed.stderr).toBe('');
    expect(pushed.code).toBe(0);
    expect((await readTarget(target, ['faults'])).faults).toEqual((await readSource(['mnist'])).mnist);
    const faulted = target.proxy.log.filter((request) => request.action !== 'pass');
    expect(faulted.map((request) => request.status ?? 'cut')).toEqual([503, 'cut', 429, 429, 500]);
    for (const request of faulted) {
      const retried = target.proxy.log.find((later) => later.index > request.index && later.idempotencyKey === request.idempotencyKey && later.action === 'pass');
      expect(retried?.status, `${request.method} ${request.path}`).toBeLessThan(300);
    }
  }, TEST_TIMEOUT_MS);

  it('a refused token or an unreachable server: one line naming the URL and the fix, exit 1, nothing written, no token printed', async () => {
    const target = await startTarget();
    const wrongTarget = await runPush(['--to', target.proxy.url, '--from', source.url, '--from-token-file', sourceTokenFile], {
      home: target.home,
      env: { POLYAXON_TOKEN: 'wrong-token-0000' },
    });
    expect(wrongTarget.code).toBe(1);
    expect(wrongTarget.stdout).toBe('');
    expect(wrongTarget.stderr).toMatch(
      new RegExp(`^polyaxon-tracking push: the target ${target.proxy.url.replace(/\./g, '\\.')}/api/v1 refused the token \\(401 Invalid token\\.\\): give the right token with --token-file FILE or POLYAXON_TOKEN \\(.*\\)\\n$`),
    );
    expect(wrongTarget.stderr).not.toContain('wrong-token-0000');
    expect(target.proxy.log.filter(isWrite)).toEqual([]);

    const wrongSource = await runPush(['--to', target.proxy.url, '--token-file', target.tokenFile, '--from', source.url], {
      home: target.home,
      env: { POLYAXON_FROM_TOKEN: 'wrong-source-token' },
    });
    expect(wrongSource.code).toBe(1);
    expect(wrongSource.stderr).toMatch(/^polyaxon-tracking push: the source http:\/\/127\.0\.0\.1:\d+\/api\/v1 refused the token \(401 Invalid token\.\): give the source's token with --from-token-file FILE or POLYAXON_FROM_TOKEN/);
    expect(wrongSource.stderr.split('\n')).toHaveLength(2);
    expect(wrongSource.stderr).not.toContain('wrong-source-token');

    await target.proxy.close();
    const unreachable = await runPush([...pushArgs(target), '--retry-for', '1'], { home: target.home });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(new RegExp(`^polyaxon-tracking push: cannot reach the target ${target.proxy.url.replace(/\./g, '\\.')}/api/v1: .*is the --to URL right\\?\\n$`));
    expect(target.proxy.log.filter(isWrite)).toEqual([]);
  }, TEST_TIMEOUT_MS);

  it('--experiments and --to-project copy only the runs asked for, into the project named; on a terminal a progress bar counts experiments and points', async () => {
    const target = await startTarget();
    const pushed = await runPush(pushArgs(target, '--project', 'mnist', '--experiments', String(ids.baseline), '--to-project', 'archive'), {
      home: target.home,
      terminal: true,
    });
    expect(pushed.code).toBe(0);
    expect(pushed.stdout).toMatch(/\rpush \[#+\.*\] 1\/1 experiments {2}2,500\/2,500 points {2}[0-9,]+ points\/s {2}[0-9.]+ s/);
    expect(pushed.stdout).toMatch(/\npush to http:\/\/127\.0\.0\.1:\d+\/api\/v1: 1 of 1 experiments \(1 new, 0 updated, 0 unchanged\), 2,500 metric points/);
    const sourceCopy = await readSource(['mnist']);
    expect((await readTarget(target, ['archive'])).archive.experiments).toEqual([sourceCopy.mnist.experiments[0]]);

    const unknown = await runPush(pushArgs(target, '--project', 'mnist', '--experiments', `${ids.baseline},999999`), { home: target.home });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^polyaxon-tracking push: --experiments: no experiment 999999 in local\/mnist on the source/);
  }, TEST_TIMEOUT_MS);

  it('--data reads the folder of a server that is not running, through that server API served to itself', async () => {
    const dataDir = await folder('pxt-push-data-');
    const stopped = await startLocalServer({ dataDir });
    const experiment = await stopped.client.project.createProject({ name: 'offline' }).then(() => stopped.client.project.createExperiment(USER, 'offline', { name: 'kept' }));
    await stopped.client.experiment.createMetrics(USER, 'offline', experiment.id, [{ values: { step: 1, loss: 0.25 }, created_at: '2024-05-06 07:08:09.123456+00:00' }]);
    await stopped.client.experiment.createStatus(USER, 'offline', experiment.id, { status: 'succeeded' });
    const held = await readServer(stopped.url, stopped.token, USER);
    await stopped.close();

    const target = await startTarget();
    const pushed = await runPush(['--to', target.proxy.url, '--data', dataDir], { home: target.home, env: { POLYAXON_TOKEN: TARGET_TOKEN } });
    expect(pushed.stderr).toBe('');
    expect(pushed.code).toBe(0);
    expect(await readTarget(target, ['offline'])).toEqual(held);
    expect(held.offline.experiments[0].metrics).toEqual([{ values: { step: 1, loss: 0.25 }, created_at: '2024-05-06T07:08:09.123456Z' }]);
  }, TEST_TIMEOUT_MS);

  it('--help says where the record lives, that it is private, and how to give a token others cannot see', async () => {
    const home = await folder('pxt-push-help-');
    const help = await runPush(['--help'], { home });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('~/.polyaxon/push/<target>.json');
    expect(help.stdout).toContain('mode 0600; it never holds a token');
    expect(help.stdout).toMatch(/--token T\s+the token itself\. Visible to every user of this machine \(ps, \/proc\):\s+prefer --token-file or the POLYAXON_TOKEN variable/);
  }, TEST_TIMEOUT_MS);
});
