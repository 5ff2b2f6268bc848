/**
 * A local server on a random loopback port with a temp data folder, and a client and outbox
 * folder beside it. Metrics throttling is off unless asked: the benches measure the library's
 * transport, not the server's rate limit (the Polyaxon default of 120 posts/s would otherwise
 * cap the one-request-per-point side at 120 points/s).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../dist/server.mjs';
import { PolyaxonClient } from '../../dist/index.node.mjs';

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

/** Points the server holds for an experiment (its metrics list `count`). */
export async function metricCount(local, experimentId) {
  const page = await local.client.experiment.getMetrics(local.server.user, PROJECT, experimentId);
  return page.count;
}
