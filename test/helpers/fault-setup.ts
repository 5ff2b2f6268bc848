import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Experiment, PolyaxonClient } from '../../src/index.node';
import { startServer, type RunningServer, type ServerOptions } from '../../src/server/index';
import { startFaultProxy, type FaultProxy, type ProxiedRequest } from './fault-proxy';

/**
 * A real local server, the fault proxy in front of it and an outbox folder, for the node-level
 * fault tests: experiments talk to the proxy, the test reads back what the server stored.
 */
export const FAULT_USER = 'local';
export const FAULT_PROJECT = 'faults';

export interface FaultRig {
  server: RunningServer;
  proxy: FaultProxy;
  /** The server's data folder. */
  dataDir: string;
  /** Root of the outbox journals (never the user's home). */
  outboxDir: string;
  /** A client through the proxy, with the server's token unless told otherwise. */
  clientViaProxy(options?: { token?: string; timeoutMs?: number }): PolyaxonClient;
  /** An experiment of `local/faults` through the proxy that sends nothing but what the test logs. */
  experiment(client?: PolyaxonClient): Experiment;
  /** Stops the server and starts another on the same folder (the proxy follows it). */
  restartServer(options?: Partial<ServerOptions>): Promise<RunningServer>;
  /** Closes proxy and server, removes both folders. */
  dispose(): Promise<void>;
}

export async function startFaultRig(serverOptions: Partial<ServerOptions> = {}): Promise<FaultRig> {
  const dataDir = await mkdtemp(join(tmpdir(), 'pxt-fault-server-'));
  const outboxDir = await mkdtemp(join(tmpdir(), 'pxt-fault-outbox-'));
  let server = await startServer({ port: 0, quiet: true, token: 'fault-token', metricsRequestsPerSecond: 0, ...serverOptions, dataDir });
  const proxy = await startFaultProxy(server.url);
  await directClient(server).project.createProject({ name: FAULT_PROJECT });
  const experiments: Experiment[] = [];

  const rig: FaultRig = {
    get server() {
      return server;
    },
    proxy,
    dataDir,
    outboxDir,
    clientViaProxy(options = {}) {
      return new PolyaxonClient({ host: proxy.host, port: proxy.port, token: options.token ?? server.token, timeoutMs: options.timeoutMs, env: {} });
    },
    experiment(client = rig.clientViaProxy()) {
      const experiment = new Experiment({
        project: `${FAULT_USER}/${FAULT_PROJECT}`,
        client,
        trackLogs: false,
        trackGit: false,
        trackEnv: false,
        outbox: { directory: outboxDir, flushIntervalMs: 20 },
      });
      experiments.push(experiment);
      return experiment;
    },
    async restartServer(options = {}) {
      await server.close();
      server = await startServer({ port: 0, quiet: true, token: server.token, metricsRequestsPerSecond: 0, ...options, dataDir });
      proxy.setUpstream(server.url);
      return server;
    },
    async dispose() {
      await Promise.all(experiments.map((experiment) => experiment.queue?.close({ timeoutMs: 100 })));
      await proxy.close();
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
      await rm(outboxDir, { recursive: true, force: true });
    },
  };
  return rig;
}

/** A client straight to the server, for setup and for reading back what it stored. */
export function directClient(server: { host: string; port: number; token: string }): PolyaxonClient {
  return new PolyaxonClient({ host: server.host, port: server.port, token: server.token, env: {} });
}

/**
 * Every metric point of an experiment as the server lists it, all pages, oldest first; in step
 * order when every point has a step. Two batches of one run can be out at once, and one refused
 * (413, a 5xx) is sent again after the one beside it was stored: the promise is each point once,
 * with its step, not the server's insertion order across batches.
 */
export async function storedMetrics(
  server: { url: string; token: string },
  id: number,
  project = `${FAULT_USER}/${FAULT_PROJECT}`,
): Promise<Array<Record<string, number>>> {
  const values: Array<Record<string, number>> = [];
  for (let page = 0; page < 1_000; page++) {
    const url = `${server.url}/api/v1/${project}/experiments/${id}/metrics/?limit=1000&offset=${values.length}`;
    const answer = await fetch(url, { headers: { Authorization: `Token ${server.token}` } });
    if (answer.status !== 200) throw new Error(`GET metrics answered ${answer.status}: ${await answer.text()}`);
    const body = (await answer.json()) as { next: string | null; results: Array<{ values: Record<string, number> }> };
    values.push(...body.results.map((metric) => metric.values));
    if (!body.next) break;
  }
  const stepped = values.every((value) => typeof value.step === 'number');
  // Array.prototype.sort is stable: points of one step stay in the order they were stored.
  return stepped ? values.sort((a, b) => a.step - b.step) : values;
}

/** Polls `check` every 20 ms until it holds; false after `timeoutMs`. */
export async function eventually(check: () => boolean, timeoutMs = 5_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}

/** Matchers for the requests the outbox sends. */
export const requests = {
  metricsPost: (request: ProxiedRequest) => request.method === 'POST' && /\/experiments\/\d+\/metrics\/$/.test(request.path),
  experimentCreate: (request: ProxiedRequest) => request.method === 'POST' && /\/experiments\/$/.test(request.path),
  experimentPatch: (request: ProxiedRequest) => request.method === 'PATCH' && /\/experiments\/\d+\/$/.test(request.path),
  /** Requests the outbox sends under an `Idempotency-Key` (every tracking write). */
  tracked: (request: ProxiedRequest) => request.idempotencyKey !== undefined,
};
