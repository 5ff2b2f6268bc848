/**
 * The local server in a process of its own (bench/fixtures/server.mjs) that a bench can stop and
 * start again on the same port and data folder: clients created while it ran find it there again,
 * as a user's script finds a `serve` restarted after an outage. Its request handling does not run
 * on the bench's thread, so a client measured here pays only for its own work.
 */
import { once } from 'node:events';
import { Agent, request } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PolyaxonClient } from '../../dist/index.node.mjs';
import { PROJECT, spawnServerFixture } from './local-server.mjs';

async function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

export async function startRestartableServer() {
  const root = await mkdtemp(join(tmpdir(), 'polyaxon-bench-'));
  const dataDir = join(root, 'server');
  let running = await spawnServerFixture(dataDir);
  const { server } = running;
  const clientOptions = { host: server.host, port: server.port, token: server.token, env: {} };
  let agent = new Agent({ keepAlive: true });
  const base = `http://${server.host}:${server.port}/api/v1/${server.user}/${PROJECT}/experiments`;

  /** One request on a kept-alive connection; resolves with status and body text. */
  const send = (method, url, body) =>
    new Promise((resolve, reject) => {
      const headers = { Authorization: `token ${server.token}` };
      if (body !== undefined) Object.assign(headers, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      const outgoing = request(url, { method, agent, headers }, (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode, text }));
        response.on('error', reject);
      });
      outgoing.on('error', reject);
      outgoing.end(body);
    });

  return {
    server,
    client: new PolyaxonClient(clientOptions),
    clientOptions,
    root,
    outboxDirectory: join(root, 'outbox'),
    /** POSTs a pre-serialised metrics body (a JSON array) to an experiment; throws unless 2xx. */
    async postMetrics(experimentId, body) {
      const answer = await send('POST', `${base}/${experimentId}/metrics/`, body);
      if (answer.status < 200 || answer.status >= 300) throw new Error(`metrics POST answered ${answer.status}: ${answer.text}`);
    },
    /** Points the server holds for an experiment: its metrics page's `count`, read with `limit=1`. */
    async heldPoints(experimentId) {
      const answer = await send('GET', `${base}/${experimentId}/metrics/?limit=1`);
      if (answer.status !== 200) throw new Error(`metrics GET answered ${answer.status}: ${answer.text}`);
      return JSON.parse(answer.text).count;
    },
    get isRunning() {
      return running !== undefined;
    },
    /** Stops the server process (SIGTERM) and waits for it; the data folder stays. */
    async stop() {
      if (!running) return;
      await stopChild(running.child);
      running = undefined;
      agent.destroy();
      agent = new Agent({ keepAlive: true });
    },
    /** Starts it again on the same port and data folder; resolves once it listens. */
    async start() {
      if (running) return;
      running = await spawnServerFixture(dataDir, server.port);
    },
    async close() {
      if (running) await stopChild(running.child);
      running = undefined;
      agent.destroy();
      await rm(root, { recursive: true, force: true });
    },
  };
}
