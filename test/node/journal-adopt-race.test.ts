import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { JOURNAL_FORMAT, JOURNAL_VERSION } from '../../src/node/journal/format';
import { queueDirectory } from '../../src/node/journal-store';
import { testRecord } from '../helpers/store-contract';

const NAME = 'http://127.0.0.1:8000';
const CHILD = join(__dirname, '../fixtures/journal-drain-child.ts');

let root = '';

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'journal-race-'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Journals of 40 processes that were killed, 25 records each: enough files for adoptions to overlap. */
function writeOrphans(): string[] {
  const queue = queueDirectory(root, NAME);
  mkdirSync(queue, { recursive: true });
  const ids: string[] = [];
  const pid = spawnSync(process.execPath, ['-e', '']).pid!;
  for (let journal = 0; journal < 40; journal++) {
    const lines: object[] = [{ format: JOURNAL_FORMAT, version: JOURNAL_VERSION, name: NAME, pid }];
    for (let i = 1; i <= 25; i++) {
      const record = testRecord(journal * 1000 + i, `run-${journal}`, i % 10 === 0 ? 'status' : 'metrics');
      lines.push({ op: 'add', r: record });
      ids.push(record.id);
    }
    writeFileSync(join(queue, `${pid}-dead${journal}.jsonl`), lines.map((line) => `${JSON.stringify(line)}\n`).join(''));
    writeFileSync(join(queue, `${pid}-dead${journal}.lock`), JSON.stringify({ pid, host: hostname() }));
  }
  return ids;
}

function runDrainer(startAt: number): Promise<{ kind: string; delivered: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, root, NAME, String(startAt)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout!.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 40_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(JSON.parse(output));
      else reject(new Error(`drainer exited with ${code}`));
    });
  });
}

it('processes racing to adopt dead journals deliver every record exactly once', async () => {
  const ids = writeOrphans();
  // Started together after every child has loaded, so their adoptions really overlap.
  const startAt = Date.now() + 4000;
  const results = await Promise.all([1, 2, 3, 4].map(() => runDrainer(startAt)));
  for (const result of results) expect(result.kind).toBe('journal');
  const delivered = results.flatMap((result) => result.delivered);
  expect(delivered).toHaveLength(ids.length);
  expect(new Set(delivered)).toEqual(new Set(ids));
  // Each run's records still went out in their order, whoever adopted them.
  for (const result of results) {
    const seqs = result.delivered.map((id) => Number(id.slice(1)));
    for (let run = 0; run < 40; run++) {
      const ofRun = seqs.filter((seq) => Math.floor(seq / 1000) === run);
      expect(ofRun).toEqual([...ofRun].sort((a, b) => a - b));
    }
  }
}, 60_000);
