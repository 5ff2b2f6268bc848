import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Experiment, PolyaxonClient } from '../../src/index.node';
import { INITIAL_BATCH_COUNT } from '../../src/outbox/batch-size';
import { startFaultProxy, type FaultProxy, type ProxiedRequest } from '../helpers/fault-proxy';
import { requests, storedMetrics } from '../helpers/fault-setup';
import { spawnServerProcess, type ServerProcess } from '../helpers/server-process';

/**
 * Batches sized by the answers, two out at once: a real `serve` process (the built CLI) behind the
 * fault proxy, a real Experiment in this process, and what the server stored read back.
 */
const TOKEN = 'batches-token';
const USER = 'local';
const PROJECT = 'batches';

let folders: string[];
let serve: ServerProcess;
let proxy: FaultProxy;
let experiments: Experiment[];

beforeEach(async () => {
  folders = [await mkdtemp(join(tmpdir(), 'pxt-batches-server-')), await mkdtemp(join(tmpdir(), 'pxt-batches-outbox-'))];
  experiments = [];
  serve = await spawnServerProcess({ dataDir: folders[0], token: TOKEN, built: true });
  proxy = await startFaultProxy(serve.url);
  const { hostname, port } = new URL(serve.url);
  await new PolyaxonClient({ host: hostname, port: Number(port), token: TOKEN, env: {} }).project.createProject({ name: PROJECT });
});

afterEach(async () => {
  await Promise.all(experiments.map((experiment) => experiment.queue?.close({ timeoutMs: 100 })));
  await proxy?.close();
  if (serve && serve.child.exitCode === null && serve.child.signalCode === null) {
    serve.child.kill('SIGTERM');
    await serve.exited;
  }
  await Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true })));
});

function experimentViaProxy(): Experiment {
  const client = new PolyaxonClient({ host: proxy.host, port: proxy.port, token: TOKEN, env: {} });
  const experiment = new Experiment({
    project: `${USER}/${PROJECT}`,
    client,
    trackLogs: false,
    trackGit: false,
    trackEnv: false,
    outbox: { directory: folders[1], flushIntervalMs: 20 },
  });
  experiments.push(experiment);
  return experiment;
}

function logPoints(experiment: Experiment, count: number): Array<Record<string, number>> {
  const points: Array<Record<string, number>> = [];
  for (let step = 0; step < count; step++) {
    const values = { step, loss: 1 / (step + 1) };
    experiment.logMetrics(values);
    points.push(values);
  }
  return points;
}

const batchSize = (request: ProxiedRequest) => (JSON.parse(request.body) as unknown[]).length;
const statusPosts = (request: ProxiedRequest) => request.method === 'POST' && /\/statuses\/$/.test(request.path);
const server = () => ({ url: serve.url, token: TOKEN });

describe('batches through a real serve process', () => {
  it('two batches out keep a run in order: points stored as logged, the final status after all of them, even when a metrics POST is refused', async () => {
    // Every metrics answer held a while, so the next batch is claimed while one is at the server;
    // the second metrics POST refused with 503, so the batch claimed behind it must wait its turn.
    proxy.script({ kind: 'respond', status: 503, body: { detail: 'busy' }, headers: { 'Retry-After': '0' } }, { match: (request) => requests.metricsPost(request) && proxy.log.filter(requests.metricsPost).length === 2 });
    proxy.script({ kind: 'delay', ms: 100 }, { count: Infinity, match: requests.metricsPost });
    const experiment = experimentViaProxy();
    await experiment.create({ name: 'two-out' });
    const id = experiment.id!;
    const logged = logPoints(experiment, 3_000);
    experiment.succeeded();

    expect(await experiment.flush({ timeoutMs: 60_000 })).toBe(true);

    expect(await storedMetrics(server(), id, `${USER}/${PROJECT}`)).toEqual(logged);
    const posts = proxy.log.filter(requests.metricsPost);
    expect(posts.some((post) => post.status === 503)).toBe(true);
    // Never two metrics requests of the run at the server at once: each arrives after the last was answered.
    for (let i = 1; i < posts.length; i++) expect(posts[i].at).toBeGreaterThanOrEqual(posts[i - 1].doneAt!);
    const finalStatus = proxy.log.filter(statusPosts).find((request) => request.body.includes('succeeded'))!;
    expect(finalStatus).toBeDefined();
    expect(finalStatus.at).toBeGreaterThanOrEqual(Math.max(...posts.map((post) => post.doneAt!)));
    expect(experiment.stats()!.outbox).toMatchObject({ pending: 0, inFlight: 0, dropped: { rejected: 0, too_large: 0 } });
  });

  it('with two batches out, each full batch answered quickly doubles the size, the one claimed before the last answer too', async () => {
    // Answers held a while, so each batch is claimed while the run's earlier one is at the server.
    proxy.script({ kind: 'delay', ms: 50 }, { count: Infinity, match: requests.metricsPost });
    const experiment = experimentViaProxy();
    await experiment.create({ name: 'ramp' });
    const logged = logPoints(experiment, 40_000);

    expect(await experiment.flush({ timeoutMs: 60_000 })).toBe(true);

    expect(await storedMetrics(server(), experiment.id!, `${USER}/${PROJECT}`)).toEqual(logged);
    const sizes = proxy.log.filter(requests.metricsPost).map(batchSize);
    expect(sizes.slice(0, 8)).toEqual([200, 200, 400, 800, 1_600, 3_200, 6_400, 10_000]);
  });

  it('batches start at 200 points and grow while the server answers quickly; a 413 halves them and every point arrives', async () => {
    const LIMIT_BYTES = 64 * 1024;
    proxy.script(
      { kind: 'respond', status: 413, body: { detail: 'Request body too large.' } },
      { count: Infinity, match: (request) => requests.metricsPost(request) && Buffer.byteLength(request.body) > LIMIT_BYTES },
    );
    const experiment = experimentViaProxy();
    await experiment.create({ name: 'sized' });
    const logged = logPoints(experiment, 20_000);

    expect(await experiment.flush({ timeoutMs: 60_000 })).toBe(true);

    expect(await storedMetrics(server(), experiment.id!, `${USER}/${PROJECT}`)).toEqual(logged);
    const posts = proxy.log.filter(requests.metricsPost);
    expect(batchSize(posts[0])).toBe(INITIAL_BATCH_COUNT);
    const passed = posts.filter((post) => post.status === 201);
    expect(Math.max(...passed.map(batchSize))).toBeGreaterThan(INITIAL_BATCH_COUNT);
    expect(passed.every((post) => Buffer.byteLength(post.body) <= LIMIT_BYTES)).toBe(true);
    expect(posts.some((post) => post.status === 413)).toBe(true);
    expect(experiment.stats()!.outbox).toMatchObject({ pending: 0, dropped: { too_large: 0 } });
  });
});
