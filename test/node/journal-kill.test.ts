import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { OutboxStore } from '../../src/outbox/store';
import { openJournalStore } from '../../src/node/journal-store';

const NAME = 'http://127.0.0.1:8000';
const CHILD = join(__dirname, '../fixtures/journal-append-child.ts');
const COMPACTING_CHILD = join(__dirname, '../fixtures/journal-compacting-child.ts');

let root = '';
let store: OutboxStore | undefined;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'journal-kill-'));
});

afterEach(async () => {
  await store?.close();
  await rm(root, { recursive: true, force: true });
});

/** Runs the appending child until it reported `atLeast` records, then SIGKILLs it; gives the last `appended` and `acked` it printed. */
async function appendUntilKilled(atLeast: number, ...extra: string[]): Promise<number> {
  return (await runUntilKilled(atLeast, extra)).appended;
}

function runUntilKilled(atLeast: number, extra: string[]): Promise<ChildReport> {
  return runChildUntil(CHILD, extra, (report) => report.appended >= atLeast);
}

/** What a child printed: the last `appended` seq, the highest `acked` seq, how many `compacting` lines. */
interface ChildReport {
  appended: number;
  acked: number;
  compacting: number;
}

/** Runs a child script until `killWhen` holds after one of its lines, then SIGKILLs it. */
async function runChildUntil(script: string, extra: string[], killWhen: (report: ChildReport) => boolean): Promise<ChildReport> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, root, NAME, ...extra], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const report: ChildReport = { appended: 0, acked: 0, compacting: 0 };
  // Bounded even on a loaded machine: the kill comes at the count or at the deadline.
  const deadline = setTimeout(() => child.kill('SIGKILL'), 30_000);
  for await (const line of createInterface({ input: child.stdout! })) {
    if (line.startsWith('opened')) expect(line).toBe('opened journal');
    if (line.startsWith('acked ')) report.acked = Math.max(report.acked, Number(line.slice('acked '.length)));
    if (line.startsWith('appended ')) report.appended = Number(line.slice('appended '.length));
    if (line === 'compacting') report.compacting++;
    if (killWhen(report)) {
      child.kill('SIGKILL');
      break;
    }
  }
  clearTimeout(deadline);
  expect(await exited).toBe(null);
  return report;
}

/** Claims and acks everything the next process finds; gives the seqs in claim order. */
async function drainAll(): Promise<number[]> {
  store = await openJournalStore({ name: NAME, caps: { maxRecords: 1e7, maxBytes: 1e10 }, directory: root });
  expect(store.kind).toBe('journal');
  const recovered: number[] = [];
  for (let i = 0; i < 10_000; i++) {
    const batch = await store.claim({ owner: 'next', leaseMs: 30_000, now: Date.now() + 60_000, maxCount: 500, maxBytes: 1e9 });
    if (batch.length === 0) break;
    recovered.push(...batch.map((record) => record.seq));
    await store.ack(batch.map((record) => record.id));
  }
  return recovered;
}

it('F19 every record appended before SIGKILL is recovered by the next process, in order', async () => {
  const lastReported = await appendUntilKilled(2000);
  expect(lastReported).toBeGreaterThanOrEqual(100);

  const recovered = await drainAll();
  // Everything reported is there, in order; past it only appends made while the kill was on its way.
  expect(recovered.length).toBeGreaterThanOrEqual(lastReported);
  expect(recovered).toEqual(Array.from({ length: recovered.length }, (_, i) => i + 1));
  expect(await store!.nextSeq()).toBe(recovered.length + 1);
}, 60_000);

it('F19 a kill while the journal is being compacted loses no record and brings back no acked one', async () => {
  // A 2 KiB threshold: the file is rewritten every few commits, while the writer thread is writing.
  const { appended, acked } = await runUntilKilled(3000, ['2048']);
  expect(acked).toBeGreaterThanOrEqual(100);

  const recovered = await drainAll();
  // What was acked (and said so) stays gone; everything appended after it is there, in order.
  expect(recovered.length).toBeGreaterThan(0);
  expect(recovered[0]).toBeGreaterThan(acked);
  expect(recovered).toEqual(Array.from({ length: recovered.length }, (_, i) => recovered[0] + i));
  expect(recovered.at(-1)).toBeGreaterThanOrEqual(appended);
}, 60_000);

it('F19 a kill in the middle of a compaction taken a slice at a time loses no record and brings back no acked one', async () => {
  // The child's compaction rewrites 8,000 live records 64 lines a turn while it goes on appending
  // and acknowledging; the kill comes once it said `compacting` three times.
  const { appended, acked } = await runChildUntil(COMPACTING_CHILD, [], (report) => report.compacting >= 3);
  const folder = join(root, readdirSync(root)[0]);
  // Killed with the rewrite half done: its temp file is there beside the journal.
  expect(readdirSync(folder).filter((file) => file.endsWith('.tmp'))).toHaveLength(1);

  const recovered = await drainAll();
  expect(recovered[0]).toBeGreaterThan(acked);
  expect(recovered).toEqual(Array.from({ length: recovered.length }, (_, i) => recovered[0] + i));
  expect(recovered.at(-1)).toBeGreaterThanOrEqual(appended);
  // The next process took the journal over and removed the half-written rewrite (and stopped its
  // own compaction of the drained queue at close).
  await store!.close();
  store = undefined;
  expect(readdirSync(folder).filter((file) => file.endsWith('.tmp'))).toEqual([]);
}, 90_000);
