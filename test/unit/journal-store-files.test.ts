import { spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { logger } from '../../src/runtime/logger';
import type { OutboxStore } from '../../src/outbox/store';
import { JOURNAL_FORMAT, JOURNAL_VERSION } from '../../src/node/journal/format';
import { bodyJson } from '../../src/outbox/records';
import {
  listJournals,
  listQueues,
  openJournalStore,
  queueDirectory,
  readJournal,
  type JournalStoreOptions,
} from '../../src/node/journal-store';
import { testRecord, drainStore } from '../helpers/store-contract';

const NAME = 'http://127.0.0.1:8000';
const ROOMY = { maxRecords: 1e6, maxBytes: 1e9 };
const CLAIM = { owner: 'p', leaseMs: 30_000, now: 0, maxCount: 1000, maxBytes: 1e9 };

let root = '';
let queue = '';
const opened: OutboxStore[] = [];

async function open(extra: Partial<JournalStoreOptions> = {}) {
  const store = await openJournalStore({ name: NAME, caps: ROOMY, directory: root, ...extra });
  opened.push(store);
  return store;
}

const drain = (store: OutboxStore) => drainStore(store, CLAIM);

function journalFiles(): string[] {
  return readdirSync(queue).filter((name) => name.endsWith('.jsonl'));
}

/** A pid that belonged to a process which has exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid!;
}

/** A journal and lock as a process killed mid-run leaves them. */
function writeOrphan(pid: number, tag: string, lines: object[]): string {
  mkdirSync(queue, { recursive: true });
  const base = join(queue, `${pid}-${tag}`);
  const header = { format: JOURNAL_FORMAT, version: JOURNAL_VERSION, name: NAME, pid };
  writeFileSync(`${base}.jsonl`, [header, ...lines].map((line) => `${JSON.stringify(line)}\n`).join(''));
  writeFileSync(`${base}.lock`, JSON.stringify({ pid, host: hostname() }));
  return `${base}.jsonl`;
}

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'journal-files-'));
  queue = queueDirectory(root, NAME);
  logger.resetWarnings();
});

afterEach(async () => {
  vi.restoreAllMocks();
  for (const store of opened.splice(0)) await store.close();
  await rm(root, { recursive: true, force: true });
});

describe('journal layout', () => {
  it('writes a versioned JSONL journal in a folder per server under the root', async () => {
    const store = await open();
    expect(store.kind).toBe('journal');
    await store.append([testRecord(1, 'a', 'metrics')], ROOMY);
    const [file] = journalFiles();
    expect(file).toMatch(new RegExp(`^${process.pid}-[0-9a-f]+\\.jsonl$`));
    const lines = readFileSync(join(queue, file), 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line));
    expect(lines[0]).toMatchObject({ format: JOURNAL_FORMAT, version: 1, name: NAME });
    expect(lines.at(-1)).toEqual({ op: 'add', r: testRecord(1, 'a', 'metrics') });
  });

  it('F32 a group reaches the file while the caller never yields again (writer thread)', async () => {
    const store = await open();
    const [file] = journalFiles();
    void store.append([testRecord(1, 'a', 'metrics'), testRecord(2, 'a', 'metrics')], ROOMY);
    // Blocks this thread (no await, no turn of the event loop) until the lines are there, or 20 s.
    const pause = new Int32Array(new SharedArrayBuffer(4));
    const deadline = Date.now() + 20_000;
    let lines = 0;
    while (Date.now() < deadline && (lines = readFileSync(join(queue, file), 'utf8').trimEnd().split('\n').length) < 4) Atomics.wait(pause, 0, 0, 1);
    expect(lines).toBe(4);
  });

  it('without a writer thread, writes one line group per call, before the call returns', async () => {
    const store = await openJournalStore({ name: NAME, caps: ROOMY, directory: root, writerThread: false });
    opened.push(store);
    const [file] = journalFiles();
    const before = statSync(join(queue, file)).size;
    void store.append([testRecord(1, 'a', 'metrics'), testRecord(2, 'a', 'metrics')], ROOMY);
    const text = readFileSync(join(queue, file), 'utf8');
    expect(statSync(join(queue, file)).size).toBeGreaterThan(before);
    expect(text.trimEnd().split('\n')).toHaveLength(4);
  });

  it('takes its root from POLYAXON_OUTBOX_DIR when no directory is given', async () => {
    const store = await openJournalStore({
      name: NAME,
      caps: ROOMY,
      getEnv: (name) => (name === 'POLYAXON_OUTBOX_DIR' ? root : undefined),
    });
    opened.push(store);
    expect(store.kind).toBe('journal');
    expect(journalFiles()).toHaveLength(1);
  });

  it('keeps two servers in two folders', async () => {
    const a = await open();
    const b = await open({ name: 'https://polyaxon.example.com:443' });
    await a.append([testRecord(1, 'a', 'metrics')], ROOMY);
    expect((await b.count()).records).toBe(0);
    expect(listQueues(root).map((info) => info.name).sort()).toEqual([NAME, 'https://polyaxon.example.com:443']);
  });

  it('falls back to memory with one warning when the folder cannot be created', async () => {
    const blocker = join(root, 'a-file');
    writeFileSync(blocker, '');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const first = await open({ directory: blocker });
    const second = await open({ directory: blocker });
    expect(first.kind).toBe('memory');
    expect(second.kind).toBe('memory');
    expect(warn).toHaveBeenCalledTimes(1);
    await first.append([testRecord(1, 'a', 'metrics')], ROOMY);
    expect((await first.count()).records).toBe(1);
  });
});

describe('recovery', () => {
  it('skips a torn last line after a crash with one warning and keeps the rest', async () => {
    const path = writeOrphan(deadPid(), 'torn', [
      { op: 'add', r: testRecord(1, 'a', 'metrics') },
      { op: 'add', r: testRecord(2, 'a', 'metrics') },
    ]);
    appendFileSync(path, '{"op":"add","r":{"id":"r000003","seq":3,"ru');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const store = await open();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toMatch(/unreadable line/);
    expect(await drain(store)).toEqual([1, 2]);
  });

  it('leaves a journal it cannot read where it is, with one warning, and adopts the others', async () => {
    const readable = writeOrphan(deadPid(), 'readable', [{ op: 'add', r: testRecord(1, 'a', 'metrics') }]);
    // A read fails on a folder (EISDIR) as it would on a failing disk: such a journal is not the
    // empty queue it reads as, and deleting it, as an adopted journal is, would lose it.
    const unreadable = join(queue, '1-unreadable.jsonl');
    mkdirSync(unreadable);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const store = await open();
    expect(await drain(store)).toEqual([1]);
    expect(statSync(unreadable).isDirectory()).toBe(true);
    expect(() => statSync(readable)).toThrow(/ENOENT/);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toMatch(/1-unreadable\.jsonl untouched: it cannot be read \(EISDIR/);
  });

  it('removes locks that dead processes left without a journal, but not live ones', async () => {
    const live = await open();
    const dead = writeOrphan(deadPid(), 'nojournal', []);
    rmSync(dead);
    await open();
    const locks = readdirSync(queue).filter((name) => name.endsWith('.lock'));
    expect(locks).toHaveLength(2);
    expect(locks.every((name) => name.startsWith(`${process.pid}-`))).toBe(true);
    expect(live.kind).toBe('journal');
  });

  it('keeps the next sequence number when every record was acked', async () => {
    const store = await open();
    await store.append([testRecord(41, 'a', 'status')], ROOMY);
    expect(await drain(store)).toEqual([41]);
    await store.close();
    const reopened = await open();
    expect(await reopened.nextSeq()).toBe(42);
  });

  it('frees the leases of a crashed process at once and keeps its batch keys, so its retry is the same batch', async () => {
    const path = writeOrphan(deadPid(), 'leased', [
      { op: 'add', r: testRecord(1, 'a', 'metrics') },
      { op: 'add', r: testRecord(2, 'a', 'metrics') },
      { op: 'add', r: testRecord(3, 'a', 'metrics') },
      { op: 'lease', ids: ['r000001', 'r000002'], until: 500, owner: 'gone', batch: 'k1' },
    ]);
    const store = await open();
    const retry = await store.claim({ ...CLAIM, now: 1 });
    expect(retry.map((record) => [record.id, record.batch])).toEqual([
      ['r000001', 'k1'],
      ['r000002', 'k1'],
    ]);
    expect(journalFiles()).not.toContain(path.split('/').at(-1));
  });
});

describe('a dead journal read whole', () => {
  it('goes on in the same file, its lines kept as they are, and frees its leases in the file too', async () => {
    const path = writeOrphan(deadPid(), 'whole', [
      { op: 'add', r: testRecord(1, 'a', 'metrics') },
      { op: 'add', r: testRecord(2, 'a', 'metrics') },
      { op: 'lease', ids: ['r000001'], until: Date.now() + 60_000, owner: 'gone', batch: 'k1' },
    ]);
    const before = readFileSync(path, 'utf8');
    const store = await open();
    await store.append([testRecord(3, 'a', 'metrics')], ROOMY);
    await store.close();
    const [file] = journalFiles();
    const after = readFileSync(join(queue, file), 'utf8');
    expect(after.startsWith(before)).toBe(true);
    expect(after.slice(before.length).split('\n')[0]).toBe('{"op":"release","ids":["r000001"]}');
    // Read as `status` reads it: nothing leased, every record there.
    const contents = readJournal(join(queue, file));
    expect([...contents.records.values()].map((record) => [record.seq, record.leaseUntil, record.batch])).toEqual([
      [1, undefined, 'k1'],
      [2, undefined, undefined],
      [3, undefined, undefined],
    ]);
    expect(await drain(await open())).toEqual([1, 2, 3]);
  });

  it('rewrites one whose last line lacks its newline, so the next line is not joined to it', async () => {
    const path = writeOrphan(deadPid(), 'unended', [
      { op: 'add', r: testRecord(1, 'a', 'metrics') },
      { op: 'add', r: testRecord(2, 'a', 'metrics') },
    ]);
    writeFileSync(path, readFileSync(path, 'utf8').slice(0, -1));
    const store = await open();
    await store.append([testRecord(3, 'a', 'metrics')], ROOMY);
    await store.close();
    expect(await drain(await open())).toEqual([1, 2, 3]);
  });
});

describe('several processes', () => {
  it('leaves the journal of a live process alone', async () => {
    const first = await open();
    await first.append([testRecord(1, 'a', 'metrics')], ROOMY);
    const second = await open();
    expect((await second.count()).records).toBe(0);
    expect(await first.claim(CLAIM)).toHaveLength(1);
    expect(journalFiles()).toHaveLength(2);
  });

  it('resumes what a closed store left, and merges dead journals in seq order', async () => {
    const first = await open();
    await first.append([testRecord(1, 'a', 'create'), testRecord(4, 'a', 'metrics')], ROOMY);
    await first.close();
    writeOrphan(deadPid(), 'other', [
      { op: 'add', r: testRecord(2, 'b', 'create') },
      { op: 'add', r: testRecord(3, 'b', 'metrics') },
      { op: 'meta', key: 'run:b', value: { id: 9 } },
    ]);
    const next = await open();
    expect(journalFiles()).toHaveLength(1);
    expect(await next.getMeta('run:b')).toEqual({ id: 9 });
    expect(await next.nextSeq()).toBe(5);
    expect(await drain(next)).toEqual([1, 2, 3, 4]);
  });

  it('merges the metric points of dead journals (kept as columns) in seq order, a point in two journals once, every line as it was', async () => {
    // Points as two processes that ran at once wrote them: ids of each process's form, seqs interleaved.
    const point = (seq: number, suffix: string) => ({
      v: 1,
      id: `01a24631-${(0x4000 + seq).toString(16)}-7000${suffix}`,
      seq,
      run: 'run-1',
      kind: 'metrics',
      createdAt: 1796473960157,
      bytes: 80,
      body: { values: { step: seq, loss: 1 / (seq + 1) }, created_at: '2026-12-05T12:00:00.157Z' },
    });
    const first = [0, 2, 4, 5].map((seq) => point(seq, '-9abc-0123456789ab'));
    const second = [1, 3, 6].map((seq) => point(seq, '-8def-ba9876543210'));
    // A merge cut short by a crash: the first journal's last point is in the second journal too.
    const inBoth = first[3];
    writeOrphan(deadPid(), 'first', first.map((r) => ({ op: 'add', r })));
    writeOrphan(deadPid(), 'second', [...second, inBoth].sort((a, b) => a.seq - b.seq).map((r) => ({ op: 'add', r })));
    const store = await open();
    expect((await store.count()).records).toBe(7);
    const [file] = journalFiles();
    const lines = readFileSync(join(queue, file), 'utf8').split('\n').filter((line) => line.includes('"op":"add"'));
    expect(lines).toEqual([...first, ...second].sort((a, b) => a.seq - b.seq).map((r) => JSON.stringify({ op: 'add', r })));
    expect(await drain(store)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('lists journals with their owner state for status and sync', async () => {
    const live = await open();
    await live.append([testRecord(1, 'a', 'metrics')], ROOMY);
    const orphan = writeOrphan(deadPid(), 'orphan', [{ op: 'add', r: testRecord(2, 'b', 'metrics') }]);
    const infos = listJournals(queue);
    expect(infos.map((info) => info.owned).sort()).toEqual([false, true]);
    expect(infos.find((info) => info.path === orphan)).toMatchObject({ name: NAME, owned: false, version: { kind: 'current' } });
    expect([...readJournal(orphan).records.keys()]).toEqual(['r000002']);
  });
});

describe('F25 older and newer formats', () => {
  it('F25 migrates a version 0 journal (no header, records without v and bytes)', async () => {
    mkdirSync(queue, { recursive: true });
    copyFileSync(join(__dirname, '../fixtures/journal-v0/outbox.jsonl'), join(queue, 'outbox.jsonl'));
    const store = await open();
    expect(await store.getMeta('run:run-1')).toEqual({ user: 'alice', project: 'mnist', id: 12 });
    expect(await store.nextSeq()).toBe(4);
    const metrics = await store.claim(CLAIM);
    expect(metrics.map((record) => record.seq)).toEqual([1, 2]);
    expect(metrics[0]).toMatchObject({ v: 1, bytes: bodyJson(metrics[0]).length });
    await store.ack(metrics.map((record) => record.id));
    const [log] = await store.claim(CLAIM);
    expect(log).toMatchObject({ seq: 3, body: 'épilogue ✓', bytes: '"épilogue ✓"'.length });
    expect(journalFiles()).toHaveLength(1);
  });

  it('F25 leaves a journal of a newer format untouched and warns', async () => {
    mkdirSync(queue, { recursive: true });
    const future = join(queue, '1-future.jsonl');
    const text = `${JSON.stringify({ format: JOURNAL_FORMAT, version: 2 })}\n{"op":"put","x":1}\n`;
    writeFileSync(future, text);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const store = await open();
    expect((await store.count()).records).toBe(0);
    expect(readFileSync(future, 'utf8')).toBe(text);
    expect(String(warn.mock.calls[0][0])).toMatch(/untouched: version 2/);
  });
});

describe('compaction', () => {
  it('rewrites the journal to its live records once acks dominate, and keeps them', async () => {
    // 'never': each rewrite of this short queue finishes inside its first slice, so the rule is
    // seen round by round (under 'interval' it finishes after a flush in the background: below).
    const store = await open({ compactMinBytes: 4096, fsync: 'never' });
    const [file] = journalFiles();
    const body = { values: { loss: 0.5 }, pad: 'x'.repeat(200) };
    let seq = 0;
    let largest = 0;
    for (let round = 0; round < 40; round++) {
      const records = Array.from({ length: 10 }, () => testRecord(++seq, 'a', 'metrics', body));
      await store.append(records, ROOMY);
      largest = Math.max(largest, statSync(join(queue, file)).size);
      // The first round leaves one record live; every later one is acknowledged whole.
      const batch = await store.claim({ ...CLAIM, maxCount: round === 0 ? 9 : 10 });
      await store.ack(batch.map((record) => record.id));
    }
    const size = statSync(join(queue, file)).size;
    // A file under 64 MiB is rewritten once fifteen sixteenths of it is dead: with one live line
    // of about 330 bytes it is rewritten at about 5 KB, so it stays under that and one round's
    // lines (about 4 KB). Never rewritten, it would pass 160 KB.
    expect(largest).toBeLessThan(3 * 4096);
    expect(size).toBeLessThan(3 * 4096);
    await store.close();
    const reopened = await open();
    expect((await reopened.count()).records).toBe(1);
    expect(await reopened.nextSeq()).toBe(401);
  });

  it("under 'interval', a short queue's rewrite finishes once its flush in the background is done", async () => {
    const store = await open({ compactMinBytes: 4096 });
    const [file] = journalFiles();
    const body = { values: { loss: 0.5 }, pad: 'x'.repeat(200) };
    const records = Array.from({ length: 40 }, (_, i) => testRecord(i + 1, 'a', 'metrics', body));
    await store.append(records, ROOMY);
    const full = statSync(join(queue, file)).size;
    const batch = await store.claim({ ...CLAIM, maxCount: 39 });
    await store.ack(batch.map((record) => record.id));
    const deadline = Date.now() + 5_000;
    while (statSync(join(queue, file)).size >= full && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    // The one live line and the header are left.
    expect(statSync(join(queue, file)).size).toBeLessThan(1024);
    await store.close();
    const reopened = await open();
    expect((await reopened.count()).records).toBe(1);
  });
});
