/**
 * F41 for the client's outbox journal: whatever the umask, the queue's folders are 0700 and its
 * files (journal, lock) 0600, through a real script importing the package under `umask 022`.
 */
import { spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';

const REPO_ROOT = path.resolve(__dirname, '../..');
const CHILD = path.join(REPO_ROOT, 'test/fixtures/journal-modes-child.mjs');

let root: string | undefined;
afterEach(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

/** Runs the child under `umask 022` as a shell would set it; gives the modes it printed. */
function modesUnderUmask022(outbox: string): Record<string, string> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('POLYAXON_') && name !== 'NODE_OPTIONS'));
  const run = spawnSync('/bin/sh', ['-c', 'umask 022 && exec "$0" "$@"', process.execPath, CHILD, outbox], { cwd: REPO_ROOT, env, encoding: 'utf8', timeout: 60_000 });
  const line = run.stdout.split('\n').find((text) => text.startsWith('{'));
  expect(line, run.stderr).toBeDefined();
  return JSON.parse(line!);
}

it('F41 under umask 022 the outbox folders are 0700 and the journal and its lock 0600', async () => {
  root = await mkdtemp(path.join(tmpdir(), 'pxt-journal-modes-'));
  const modes = modesUnderUmask022(path.join(root, 'outbox'));
  const folders = Object.keys(modes).filter((name) => !/\.(jsonl|lock)$/.test(name));
  const files = Object.keys(modes).filter((name) => /\.(jsonl|lock)$/.test(name));
  expect(files.filter((name) => name.endsWith('.jsonl'))).toHaveLength(1);
  expect(files.filter((name) => name.endsWith('.lock'))).toHaveLength(1);
  for (const name of folders) expect(modes[name], name).toBe('700');
  for (const name of files) expect(modes[name], name).toBe('600');
});

it('F41 a queue folder an earlier version left at 0755 is made private, and the new files are 0600', async () => {
  root = await mkdtemp(path.join(tmpdir(), 'pxt-journal-modes-'));
  const outbox = path.join(root, 'outbox');
  // The queue folder's name comes from the server address: learn it, then open it up as 0755 did.
  const first = modesUnderUmask022(outbox);
  const queue = Object.keys(first).find((name) => name !== '.' && !name.includes('/'))!;
  await chmod(path.join(outbox, queue), 0o755);
  await mkdir(path.join(outbox, queue), { recursive: true });
  expect((await stat(path.join(outbox, queue))).mode & 0o777).toBe(0o755);
  const modes = modesUnderUmask022(outbox);
  expect(modes[queue]).toBe('700');
  for (const [name, mode] of Object.entries(modes)) if (/\.(jsonl|lock)$/.test(name)) expect(mode, name).toBe('600');
});
