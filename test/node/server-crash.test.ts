import { rm } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startServer } from '../../src/server/index';
import { apiFor, createExperiment, tempDir } from '../helpers/server-api';
import { spawnServerProcess, type ServerProcess } from '../helpers/server-process';

const TOKEN = 'crash-token';
let dataDir: string;
let serverProcess: ServerProcess | undefined;

beforeEach(async () => {
  dataDir = await tempDir();
});
afterEach(async () => {
  if (serverProcess && serverProcess.child.exitCode === null && serverProcess.child.signalCode === null) {
    serverProcess.child.kill('SIGKILL');
    await serverProcess.exited;
  }
  await rm(dataDir, { recursive: true, force: true });
});

describe('F26 local server crash', () => {
  it('F26 local server killed (SIGKILL) while receiving keeps every acknowledged request', async () => {
    serverProcess = await spawnServerProcess({ dataDir, token: TOKEN });
    const call = apiFor(serverProcess.url, TOKEN);
    const { path } = await createExperiment(call, 'crash');

    const acknowledged: string[] = [];
    const WORKERS = 4;
    const KILL_AFTER_ACKS = 60;
    const MAX_REQUESTS_PER_WORKER = 2000;
    const worker = async (index: number) => {
      for (let seq = 0; seq < MAX_REQUESTS_PER_WORKER; seq += 1) {
        const points = Array.from({ length: 5 }, (_, point) => ({ values: { worker: index, seq, point } }));
        try {
          const answer = await call('POST', `${path}/metrics/`, points);
          if (answer.status >= 200 && answer.status < 300) acknowledged.push(`${index}:${seq}`);
        } catch {
          return; // The server is gone: requests in flight got no answer.
        }
      }
    };
    const loops = Array.from({ length: WORKERS }, (_, index) => worker(index));

    const deadline = Date.now() + 15_000;
    while (acknowledged.length < KILL_AFTER_ACKS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    serverProcess.child.kill('SIGKILL');
    const { signal } = await serverProcess.exited;
    expect(signal).toBe('SIGKILL');
    await Promise.all(loops);
    expect(acknowledged.length).toBeGreaterThanOrEqual(KILL_AFTER_ACKS);

    const restarted = await startServer({ dataDir, port: 0, quiet: true, token: TOKEN });
    try {
      const after = apiFor(restarted.url, TOKEN);
      const stored = new Map<string, number>();
      let next: string | null = `${restarted.url}/api/v1/${path}/metrics/?limit=1000`;
      for (let pages = 0; next && pages < 100; pages += 1) {
        const page: { next: string | null; results: Array<{ values: { worker: number; seq: number } }> } =
          await fetch(next, { headers: { Authorization: `Token ${TOKEN}` } }).then((r) => r.json());
        for (const metric of page.results) {
          const key = `${metric.values.worker}:${metric.values.seq}`;
          stored.set(key, (stored.get(key) ?? 0) + 1);
        }
        next = page.next;
      }
      const missing = acknowledged.filter((key) => !stored.has(key));
      expect(missing).toEqual([]);
      // A request is stored whole or not at all: five points per request, never a part.
      expect([...stored.values()].every((count) => count === 5)).toBe(true);
      expect((await after('GET', `${path}/`)).body.last_metric).not.toBeNull();
    } finally {
      await restarted.close();
    }
  });
});
