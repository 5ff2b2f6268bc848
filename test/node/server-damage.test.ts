import { spawnSync } from 'node:child_process';
import { open, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiFor, createExperiment, tempDir } from '../helpers/server-api';
import { spawnServerProcess, type ServerProcess } from '../helpers/server-process';

/** F38 through real `serve` processes: damaged files are refused, never rewritten; ids never reused. */
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TOKEN = 'damage-token';
let dataDir: string;
const processes: ServerProcess[] = [];

const serve = (...extra: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--port', '0', '--data', dataDir, '--token', TOKEN, ...extra], {
    cwd: REPO_ROOT, encoding: 'utf8', timeout: 20_000,
  });

async function started(): Promise<ServerProcess> {
  const server = await spawnServerProcess({ dataDir, token: TOKEN });
  processes.push(server);
  return server;
}

async function stopped(server: ServerProcess, signal: NodeJS.Signals): Promise<void> {
  server.child.kill(signal);
  await server.exited;
}

/** A store with a project, an experiment and `points` metric points, the server stopped cleanly. */
async function storeWith(points: number): Promise<void> {
  const server = await started();
  const call = apiFor(server.url, TOKEN);
  const { path } = await createExperiment(call, 'kept');
  for (let start = 0; start < points; start += 1000) {
    await call('POST', `${path}/metrics/`, Array.from({ length: Math.min(1000, points - start) }, (_, i) => ({ values: { step: start + i, loss: Math.random() } })));
  }
  await stopped(server, 'SIGTERM');
}

beforeEach(async () => {
  dataDir = await tempDir('pxt-damage-');
});
afterEach(async () => {
  for (const server of processes.splice(0)) {
    if (server.child.exitCode === null && server.child.signalCode === null) await stopped(server, 'SIGKILL');
  }
  await rm(dataDir, { recursive: true, force: true });
});

describe('F38 damaged server data', () => {
  it('F38 a damaged header: serve refuses to start naming the file and the check command, and leaves the file as it is', { timeout: 120_000 }, async () => {
    await storeWith(10);
    const file = join(dataDir, 'server.db');
    const handle = await open(file, 'r+');
    await handle.write(Buffer.alloc(100, 0x5a), 0, 100, 0);
    await handle.close();
    const before = await readFile(file);

    const refused = serve();
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain(file);
    expect(refused.stderr).toContain(`polyaxon-tracking serve --check --data ${dataDir}`);
    expect(await readFile(file)).toEqual(before);

    const check = serve('--check');
    expect(check.status).toBe(1);
    expect(check.stdout).toMatch(/cannot be read|DAMAGED/);
    expect(await readFile(file)).toEqual(before);
  });

  // Each `serve` here is a process started through tsx: a few seconds each on a loaded machine.
  it('F38 a file cut short is refused at start; a damaged page is found by serve --check', { timeout: 120_000 }, async () => {
    await storeWith(5_000);
    const file = join(dataDir, 'server.db');
    const whole = await readFile(file);
    expect(serve('--check').status).toBe(0);

    // Garbage over pages in the middle: integrity_check reports them; nothing is rewritten.
    const handle = await open(file, 'r+');
    const middle = Math.floor(whole.length / 4096 / 2) * 4096;
    await handle.write(Buffer.alloc(3 * 4096, 0xa5), 0, 3 * 4096, middle);
    await handle.close();
    const damaged = await readFile(file);
    const check = serve('--check');
    expect(check.status).toBe(1);
    expect(check.stdout).toContain(`${file}: DAMAGED`);
    expect(await readFile(file)).toEqual(damaged);

    // The sound file again, cut at the same place: pages its header counts are missing.
    await writeFile(file, whole);
    await truncate(file, middle);
    const refused = serve();
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain(`${file} is damaged (`);
    expect(refused.stderr).toContain('serve --check');
    expect((await stat(file)).size).toBe(middle);
  });

  it('F38 an id is never reused: not after a SIGKILL in the middle of creates, not after deleting the last one', { timeout: 120_000 }, async () => {
    let server = await started();
    let call = apiFor(server.url, TOKEN);
    await call('POST', 'projects/', { name: 'ids' });
    const acknowledged = new Map<number, string>();
    const worker = async (index: number) => {
      for (let seq = 0; seq < 500; seq += 1) {
        const name = `w${index}-${seq}`;
        try {
          const answer = await call('POST', 'local/ids/experiments/', { is_managed: false, name });
          if (answer.status === 201) acknowledged.set(answer.body.id, name);
        } catch {
          return;
        }
      }
    };
    const workers = [0, 1, 2, 3].map(worker);
    const deadline = Date.now() + 15_000;
    while (acknowledged.size < 40 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    await stopped(server, 'SIGKILL');
    await Promise.all(workers);
    expect(acknowledged.size).toBeGreaterThanOrEqual(40);

    server = await started();
    call = apiFor(server.url, TOKEN);
    for (const [id, name] of acknowledged) expect((await call('GET', `local/ids/experiments/${id}/`)).body.name).toBe(name);
    const highest = Math.max(...acknowledged.keys());
    const next = await call('POST', 'local/ids/experiments/', { is_managed: false });
    expect(next.body.id).toBeGreaterThan(highest);
    await call('DELETE', `local/ids/experiments/${next.body.id}/`);
    await stopped(server, 'SIGTERM');

    server = await started();
    const after = await apiFor(server.url, TOKEN)('POST', 'local/ids/experiments/', { is_managed: false });
    expect(after.body.id).toBe(next.body.id + 1);
  });
});
