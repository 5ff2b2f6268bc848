import { spawnSync } from 'node:child_process';
import { copyFile, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/index';
import { apiFor, tempDir } from '../helpers/server-api';
import { spawnServerProcess } from '../helpers/server-process';

/**
 * A data folder written by the JSONL server (test/fixtures/server-journal-v1, see its README) is
 * imported on the first start of the SQLite store, or by `serve --import <folder>`.
 */
const FIXTURE = fileURLToPath(new URL('../fixtures/server-journal-v1/', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TOKEN = 'fixture-token';

interface Expected {
  ids: { first: number; second: number; third: number };
  keyed: { key: string; path: string; status: number; body: unknown };
  reads: Record<string, unknown>;
}

let expected: Expected;
let dirs: string[] = [];
let running: RunningServer | undefined;

async function folder(): Promise<string> {
  const dir = await tempDir('pxt-import-');
  dirs.push(dir);
  return dir;
}

/** The fixture's journal with a wrong-shaped line after line 3 and a torn last line. */
async function damagedCopy(dir: string): Promise<string> {
  const lines = (await readFile(join(FIXTURE, 'journal.jsonl'), 'utf8')).split('\n').filter(Boolean);
  const wrongShape = JSON.stringify({ v: 1, at: '2020-01-01T00:00:00Z', events: [{ type: 'metrics.create', experiment: 'seven' }] });
  const text = [...lines.slice(0, 3), wrongShape, ...lines.slice(3)].join('\n') + '\n{"v":1,"at":"2020-01-01T00:00:00Z","events":[{"type":"metr';
  await writeFile(join(dir, 'journal.jsonl'), text);
  return text;
}

const OLD_TIME = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?Z$/;

/**
 * The old server's answers as the server answers the same data now: the same stored facts, with
 * the shapes of Polyaxon 0.6.1's serializers (server-fidelity-fields.test.ts). Datetimes as DRF
 * writes them; no `is_running`, `is_done`, `ttl` nor metric uuid; `code_reference` as its id;
 * `has_tensorboard`/`has_notebook` null; a list row's `last_metric` `{}` before any point.
 * Fields the old answers lacked are not compared here.
 */
function answeredNow(value: unknown, inRow = false): unknown {
  if (typeof value === 'string') {
    const match = OLD_TIME.exec(value);
    if (!match) return value;
    const micros = (match[2] ?? '').padEnd(6, '0');
    return micros === '000000' ? `${match[1]}Z` : `${match[1]}.${micros}Z`;
  }
  if (Array.isArray(value)) return value.map((item) => answeredNow(item, true));
  if (typeof value !== 'object' || value === null) return value;
  const old = value as Record<string, unknown>;
  const now: Record<string, unknown> = {};
  const isMetric = 'values' in old;
  const isDetail = 'num_jobs' in old;
  for (const [key, field] of Object.entries(old)) {
    if (key === 'is_running' || key === 'is_done' || key === 'ttl' || (isMetric && key === 'uuid')) continue;
    if (key === 'code_reference' && field !== null) now[key] = (field as { id: number }).id;
    else if ((key === 'has_tensorboard' || key === 'has_notebook') && field === false) now[key] = null;
    else if (key === 'last_metric' && field === null && inRow && !isDetail) now[key] = {};
    else now[key] = answeredNow(field, key === 'results' || inRow);
  }
  return now;
}

async function readsOf(url: string): Promise<Record<string, unknown>> {
  const call = apiFor(url, TOKEN);
  const reads: Record<string, unknown> = {};
  for (const target of Object.keys(expected.reads)) {
    const answer = await call('GET', target);
    expect(answer.status, target).toBe(200);
    reads[target] = typeof answer.body === 'string' ? answer.text : answer.body;
  }
  return reads;
}

beforeEach(async () => {
  expected = JSON.parse(await readFile(join(FIXTURE, 'expected.json'), 'utf8'));
});
afterEach(async () => {
  await running?.close();
  running = undefined;
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('import of a JSONL data folder', () => {
  it('a first start imports it: every fact the old server answered is answered again, the file is left untouched', async () => {
    const dataDir = await folder();
    await copyFile(join(FIXTURE, 'journal.jsonl'), join(dataDir, 'journal.jsonl'));
    const before = await readFile(join(dataDir, 'journal.jsonl'));
    running = await startServer({ dataDir, port: 0, quiet: true, token: TOKEN });
    expect(running.imported).toMatchObject({ entries: before.toString().split('\n').filter(Boolean).length, skipped: [] });
    expect(await readsOf(running.url)).toMatchObject(answeredNow(expected.reads) as object);
    expect(await readFile(join(dataDir, 'journal.jsonl'))).toEqual(before);

    const call = apiFor(running.url, TOKEN);
    // The remembered answer replays; nothing is stored twice.
    const again = await call('POST', expected.keyed.path, [{ values: { step: 1 } }], { headers: { 'Idempotency-Key': expected.keyed.key } });
    expect(again.status).toBe(expected.keyed.status);
    expect(again.body).toEqual(expected.keyed.body);
    expect((await call('GET', `${expected.keyed.path}?limit=1`)).body.count).toBe(4);
    // Ids go on after the highest ever handed out, the deleted experiment's included.
    const next = await call('POST', 'local/legacy/experiments/', { is_managed: false });
    expect(next.body.id).toBe(expected.ids.third + 1);

    // The next start does not import again.
    await running.close();
    running = await startServer({ dataDir, port: 0, quiet: true, token: TOKEN });
    expect(running.imported).toBeNull();
    expect((await apiFor(running.url, TOKEN)('GET', 'local/legacy/experiments/?limit=100')).body.count).toBe(3);
  });

  it('F38 a torn last line and a wrong-shaped line are skipped and reported by file and line, the rest imported', async () => {
    const dataDir = await folder();
    const text = await damagedCopy(dataDir);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      running = await startServer({ dataDir, port: 0, quiet: true, token: TOKEN });
      const file = join(dataDir, 'journal.jsonl');
      const lineCount = text.split('\n').length;
      expect(running.imported?.skipped).toEqual([
        { line: 4, reason: expect.stringMatching(/^not a journal entry: events\.0/) },
        { line: lineCount, reason: expect.stringMatching(/^not JSON/) },
      ]);
      const warned = warn.mock.calls.map((args) => String(args[0])).join('\n');
      expect(warned).toContain(`${file}:4: not a journal entry`);
      expect(warned).toContain(`${file}:${lineCount}: not JSON`);
    } finally {
      warn.mockRestore();
    }
    expect(await readsOf(running.url)).toMatchObject(answeredNow(expected.reads) as object);
    expect(await readFile(join(dataDir, 'journal.jsonl'), 'utf8')).toBe(text);
  });

  it('serve --import <folder> imports another folder into an empty store; serve --check reports the skipped lines', async () => {
    const oldDir = await folder();
    const dataDir = await folder();
    await damagedCopy(oldDir);
    const server = await spawnServerProcess({ dataDir, token: TOKEN, extra: ['--import', oldDir] });
    try {
      expect(server.output()).toMatch(/imported \d+ entries from .*journal\.jsonl; skipped 2 line\(s\)/);
      expect(await readsOf(server.url)).toMatchObject(answeredNow(expected.reads) as object);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    const check = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--check', '--data', oldDir], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 20_000 });
    expect(check.status).toBe(0);
    expect(check.stdout).toMatch(/journal\.jsonl:4: not a journal entry/);
    expect(check.stdout).toMatch(/no database yet/);
    // A second import into a store that holds data is refused.
    const refused = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--port', '0', '--data', dataDir, '--import', oldDir], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 20_000 });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/--import needs an empty store/);
    expect((await stat(join(oldDir, 'server.db')).catch(() => null))).toBeNull();
  });
});
