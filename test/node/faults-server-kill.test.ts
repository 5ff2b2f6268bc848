import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { Experiment, PolyaxonClient } from '../../src/index.node';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy';
import { directClient, requests, storedMetrics } from '../helpers/fault-setup';
import { spawnServerProcess, type ServerProcess } from '../helpers/server-process';

/**
 * F26, the client's half: the local server runs as a child process behind the fault proxy and is
 * SIGKILLed while it receives a metrics batch, then restarted on the same folder and port. The
 * server's own test checks its journal; this one checks that the Experiment's records all end up
 * stored exactly once.
 */
const TOKEN = 'kill-token';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** `polyaxon-tracking serve` in a child process; `port` 0 picks a free one. */
async function serverOn(dataDir: string, port: number): Promise<ServerProcess & { port: number }> {
  const started = await spawnServerProcess({ dataDir, token: TOKEN, extra: ['--port', String(port)] });
  cleanups.push(async () => {
    if (started.child.exitCode === null && started.child.signalCode === null) started.child.kill('SIGKILL');
    await started.exited;
  });
  return { ...started, port: Number(new URL(started.url).port) };
}

it('F26 local server SIGKILLed while receiving, restarted on the same folder and port: every record stored once', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'pxt-kill-server-'));
  const outboxDir = await mkdtemp(join(tmpdir(), 'pxt-kill-outbox-'));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }), () => rm(outboxDir, { recursive: true, force: true }));

  const first = await serverOn(dataDir, 0);
  const proxy: FaultProxy = await startFaultProxy(first.url);
  cleanups.push(() => proxy.close());
  await directClient({ host: '127.0.0.1', port: first.port, token: TOKEN }).project.createProject({ name: 'killed' });

  let killed: Promise<{ signal: NodeJS.Signals | null }> | undefined;
  let forwardedPosts = 0;
  proxy.onForwarded((request) => {
    // The third batch is on its way into the server when it dies.
    if (requests.metricsPost(request) && ++forwardedPosts === 3 && !killed) {
      first.child.kill('SIGKILL');
      killed = first.exited;
    }
  });

  const experiment = new Experiment({
    project: 'local/killed',
    client: new PolyaxonClient({ host: proxy.host, port: proxy.port, token: TOKEN, env: {} }),
    trackLogs: false,
    trackGit: false,
    trackEnv: false,
    outbox: { directory: outboxDir, flushIntervalMs: 20 },
  });
  cleanups.push(async () => void (await experiment.queue?.close({ timeoutMs: 100 })));
  await experiment.create();
  const id = experiment.id!;

  const logged: Array<Record<string, number>> = [];
  for (let chunk = 0; chunk < 20; chunk++) {
    for (let step = chunk * 50; step < (chunk + 1) * 50; step++) {
      const values = { step, accuracy: step / 1000 };
      experiment.logMetrics(values);
      logged.push(values);
    }
    await new Promise((resolve) => setTimeout(resolve, 30));
  }

  expect((await killed)?.signal).toBe('SIGKILL');
  const second = await serverOn(dataDir, first.port);
  expect(second.port).toBe(first.port);

  // Default backoff (Experiment has no knob): retries while the server is down wait up to 1, 2, 4, 8 s.
  expect(await experiment.flush({ timeoutMs: 40_000 })).toBe(true);
  const served = { url: second.url, token: TOKEN };
  expect(await storedMetrics(served, id, 'local/killed')).toEqual(logged);
  expect(proxy.log.some((request) => request.status === 502)).toBe(true);
  expect(experiment.stats()!.outbox.dropped).toMatchObject({ rejected: 0, too_large: 0, unknown_run: 0 });
}, 75_000);
