/**
 * A local server on a random loopback port with a temp data folder, and a client and outbox
 * folder beside it. Metrics throttling is off unless asked: the benches measure the library's
 * transport, not the server's rate limit (the Polyaxon default of 120 posts/s would otherwise
 * cap the one-request-per-point side at 120 points/s).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../dist/server.mjs';
import { PolyaxonClient } from '../../dist/index.node.mjs';
import { REPO_ROOT } from './child.mjs';

export const PROJECT = 'bench';

export async function startLocalServer({ metricsRequestsPerSecond = 0 } = {}) {
  const root = await mkdtemp(join(tmpdir(), 'polyaxon-bench-'));
  const server = await startServer({
    port: 0,
    dataDir: join(root, 'server'),
    quiet: true,
    metricsRequestsPerSecond,
  });
  const clientOptions = { host: server.host, port: server.port, token: server.token, env: {} };
  const client = new PolyaxonClient(clientOptions);
  return {
    server,
    client,
    clientOptions,
    root,
    outboxDirectory: join(root, 'outbox'),
    async close() {
      await server.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** Points the server holds for an experiment (its metrics list `count`; one point read, so polling it is cheap). */
export async function metricCount(local, experimentId) {
  const page = await local.client.experiment.getMetrics(local.server.user, PROJECT, experimentId, { offset: 0, limit: 1 });
  return page.count;
}

/**
 * The same, with the server in a child process (bench/fixtures/server.mjs), so its request
 * handling does not run on the bench's thread. Same shape as `startLocalServer`'s result.
 */
export async function startLocalServerProcess() {
  const root = await mkdtemp(join(tmpdir(), 'polyaxon-bench-'));
  let { child, server } = await spawnServerFixture(join(root, 'server'));
  const clientOptions = { host: server.host, port: server.port, token: server.token, env: {} };
  return {
    server,
    client: new PolyaxonClient(clientOptions),
    clientOptions,
    root,
    outboxDirectory: join(root, 'outbox'),
    /** Stops the server process (SIGTERM) and waits for it; the data folder stays until `close()`. */
    async stopServer() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
    /** Starts the stopped server again on its data folder and port, as `serve` restarted after an outage. */
    async startServer() {
      ({ child } = await spawnServerFixture(join(root, 'server'), server.port));
    },
    async close() {
      await this.stopServer();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/**
 * Starts bench/fixtures/server.mjs on `dataDir` (on `port`, or a free one); resolves once it
 * listens with the child and what it printed: { host, port, token, user }.
 */
export async function spawnServerFixture(dataDir, port = 0) {
  const child = spawn(process.execPath, ['bench/fixtures/server.mjs', dataDir, String(port)], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  let output = '';
  for await (const chunk of child.stdout) {
    output += chunk;
    if (output.includes('\n')) break;
  }
  clearTimeout(timer);
  if (!output.includes('\n')) throw new Error('the server process did not start');
  return { child, server: JSON.parse(output.split('\n')[0]) };
}
