/**
 * F39 with a real full disk: a script's journal on a 256 KiB tmpfs, part of it taken by a filler
 * file. The journal fills up while the script logs; logging goes on in memory (one warning,
 * `storage: 'memory'`); the filler is removed and the journal is written again; the run ends; `sync`
 * then finds nothing more to send: the server holds exactly the logged points, each once, and the
 * final status last. Mounting needs root; elsewhere the test is skipped and says so.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdir, rm, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { allMetrics, cleanups, folder, runCleanups, runCli } from '../fixtures/cli-helpers';
import { startLocalServer, TEST_TOKEN } from '../helpers/local-server';

const IS_ROOT = process.getuid?.() === 0;
const CHILD = join(__dirname, '../fixtures/disk-full-child.ts');
const POINTS = 1_500;

afterEach(runCleanups);

describe.skipIf(!IS_ROOT)(`F39 client journal disk full${IS_ROOT ? '' : ' (skipped: mounting a tmpfs needs root)'}`, () => {
  it('F39 the journal fills up, logging goes on in memory with one warning, space is freed, then sync: exactly the logged points, none after the final status', { timeout: 180_000 }, async () => {
    const mountPoint = await folder('pxt-f39-');
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mountPoint]);
    cleanups.push(async () => {
      execFileSync('umount', [mountPoint]);
      await rmdir(mountPoint).catch(() => {});
    });
    const filler = join(mountPoint, 'filler');
    await writeFile(filler, Buffer.alloc(160 * 1024));
    const outboxDir = join(mountPoint, 'outbox');
    await mkdir(outboxDir);
    const local = await startLocalServer();
    cleanups.push(() => local.close());
    await local.client.project.createProject({ name: 'mnist' });

    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, String(local.port), TEST_TOKEN, outboxDir, String(POINTS)], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    cleanups.push(async () => void child.kill('SIGKILL'));
    let stderr = '';
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    const output = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    let stdout = '';
    /** The next line of the script's protocol (`created`, `logged`); other lines are kept for the report. */
    const next = async (): Promise<string> => {
      for (;;) {
        const line = String((await output.next()).value);
        if (/^(created|logged) /.test(line)) return line;
        stdout += `${line}\n`;
      }
    };

    const id = Number((await next()).split(' ')[1]);
    child.stdin!.write('log\n');
    // 1,500 points of about 190 bytes each do not fit beside the filler; the disk fills on the way.
    expect(await next()).toBe('logged memory');
    child.stdin!.write('log\n');
    expect(await next()).toBe('logged memory');

    await rm(filler);
    child.stdin!.write('more\n');
    expect(await next()).toBe('logged journal');
    child.stdin!.write('end\n');
    expect(await exited).toBe(0);
    expect(stderr.match(/outbox journal/g), `${stdout}\n${stderr}`).toHaveLength(1);
    expect(stderr).toMatch(/ENOSPC.*memory only/);

    const sync = await runCli(['sync', '--host', '127.0.0.1', '--port', String(local.port), '--token', TEST_TOKEN, '--dir', outboxDir, '--timeout', '30']);
    expect(sync.code).toBe(0);
    // Nothing was left to send after the final status: the journal held no delivered record.
    expect(sync.stdout).toMatch(/^delivered 0 records /);

    const metrics = await allMetrics(local.url, local.token, local.user, 'mnist', id);
    expect(metrics.map((metric) => (metric.values as { step: number }).step)).toEqual(Array.from({ length: 2 * POINTS + POINTS / 10 }, (_, i) => i + 1));
    const statuses = await local.client.experiment.getStatuses(local.user, 'mnist', id);
    expect(statuses.results.map((row) => row.status)).toEqual(['created', 'running', 'succeeded']);
  });
});
