/**
 * F19 at the journal's size limit: a dead process's journal larger than the longest string V8
 * makes (512 MiB; the journal cap is 1 GiB) is adopted whole by the next process, every point in
 * the queue and in its new journal. Reading it as one string failed, the failure read as an empty
 * journal, and the adopted file was deleted: every point in it lost.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readdirSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { constants } from 'node:buffer';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { JOURNAL_FORMAT, JOURNAL_VERSION } from '../../src/node/journal/format';
import { forEachLine } from '../../src/node/journal/read-lines';
import { openJournalStore, queueDirectory } from '../../src/node/journal-store';
import type { OutboxStore } from '../../src/outbox/store';

const NAME = 'http://127.0.0.1:8000';
const RUN = '01a24631-36cc-7000-a6e8-f2036ab51d28';
const SUFFIX = '-a6e8-f2036ab51d28';
const CREATED_AT = 1796473960157;
/** Points lines are written in, per write. */
const WRITE_POINTS = 20_000;

let root = '';
let store: OutboxStore | undefined;
afterEach(async () => {
  await store?.close();
  await rm(root, { recursive: true, force: true });
});

/** The `add` line of point `seq`, as a tracking process writes it. */
function pointLine(seq: number): string {
  const at = CREATED_AT + Math.floor(seq / 4096);
  const id = `${at.toString(16).padStart(12, '0').replace(/^(.{8})/, '$1-')}-7${(seq % 4096).toString(16).padStart(3, '0')}${SUFFIX}`;
  const values = `{"step":${seq},"loss":${1 / (seq + 1)},"accuracy":${seq / (seq + 100)},"learning_rate":0.001}`;
  const body = `{"values":${values},"created_at":"${new Date(at).toISOString()}"}`;
  return `{"op":"add","r":{"v":1,"id":"${id}","seq":${seq},"run":"${RUN}","kind":"metrics","createdAt":${at},"bytes":${body.length},"body":${body}}}\n`;
}

it('F19 adopts a dead process journal larger than the longest string, every point of it, kept line for line', async () => {
  root = await mkdtemp(join(tmpdir(), 'journal-large-'));
  const queue = queueDirectory(root, NAME);
  mkdirSync(queue, { recursive: true });
  const dead = spawnSync(process.execPath, ['-e', '']).pid!;
  const path = join(queue, `${dead}-large.jsonl`);
  const fd = openSync(path, 'w');
  writeSync(fd, `${JSON.stringify({ format: JOURNAL_FORMAT, version: JOURNAL_VERSION, name: NAME, pid: dead })}\n`);
  let points = 0;
  while (statSync(path).size <= constants.MAX_STRING_LENGTH + 16 * 1024 * 1024) {
    let text = '';
    for (let i = 0; i < WRITE_POINTS; i++) text += pointLine(points++);
    writeSync(fd, text);
  }
  closeSync(fd);
  writeFileSync(join(queue, `${dead}-large.lock`), JSON.stringify({ pid: dead, host: hostname() }));

  store = await openJournalStore({ name: NAME, caps: { maxRecords: 1e7, maxBytes: 1e10 }, directory: root });
  expect(store.kind).toBe('journal');
  expect((await store.count()).records).toBe(points);
  const batch = await store.claim({ owner: 'p', leaseMs: 30_000, now: Date.now(), maxCount: 3, maxBytes: 1e9 });
  const sent = (record: { id: string; json?: string; body?: unknown }) => [record.id, record.json ?? JSON.stringify(record.body)];
  expect(batch.map(sent)).toEqual([0, 1, 2].map((seq) => sent(JSON.parse(pointLine(seq)).r)));

  // One journal under this process's name, holding every point, in order, as it was.
  const files = readdirSync(queue).filter((name) => name.endsWith('.jsonl'));
  expect(files).toHaveLength(1);
  expect(files[0]).not.toContain('large');
  let seq = 0;
  let differing = 0;
  forEachLine(join(queue, files[0]), (line) => {
    if (!line.startsWith('{"op":"add"')) return;
    if (`${line}\n` !== pointLine(seq)) differing++;
    seq++;
  });
  expect({ points: seq, differing }).toEqual({ points, differing: 0 });
}, 300_000);
