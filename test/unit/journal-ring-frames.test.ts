/**
 * The journal ring's binary metric frames: what the writer thread writes for them is, line for
 * line, the record `addLine` would write, through the ring's end many times over (a small ring),
 * with names a plain object would mangle and every kind of number the metrics path lets through.
 */
import { closeSync, openSync, readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { addLine } from '../../src/node/journal/format';
import { JournalRing } from '../../src/node/journal/ring';
import type { OutboxRecord } from '../../src/outbox/records';
import { validateMetrics } from '../../src/wire/validation';
import { journalPathsRemovedAfterEach } from '../helpers/journal-paths';
import { metricRecord } from '../helpers/metric-record';

const newJournalPath = journalPathsRemovedAfterEach();

function openFile(): { path: string; fd: number } {
  const path = newJournalPath('ring-frames-');
  return { path, fd: openSync(path, 'a', 0o600) };
}

it('metric frames become exactly the add lines of their records, text frames stay as written, in push order', () => {
  const { path, fd } = openFile();
  const ring = new JournalRing(fd, { ringBytes: 4096 });
  expect(ring.threaded).toBe(true);
  const hostile = validateMetrics(JSON.parse('{"__proto__": 1, "constructor": 2, "a\\"b\\\\c\\n": null, "ünï": -0, "2": 5e-324, "10": 1e21}'));
  const expected: unknown[] = [];
  const start = Date.UTC(2024, 0, 2, 3, 4, 5, 678);
  for (let i = 0; i < 600; i++) {
    const run = i % 3 === 0 ? 'run-"quoted"' : 'run-b';
    const values = i % 7 === 0 ? hostile : { step: i, loss: 1 / (i + 1), acc: i % 2 === 0 ? null : -i / 3 };
    const record = metricRecord(i, run, values, start + Math.floor(i / 5));
    // Ids of this process go as their number (the thread spells them); one of another form (a
    // record another process queued, say) as its characters.
    if (i % 11 === 0) record.id = `0190a1b2-c3d4-7${String(i % 1000).padStart(3, '0')}-8abc-def012345678`;
    expect(ring.pushMetric(record)).toBe(true);
    expected.push(JSON.parse(addLine(record)));
    if (i % 50 === 0) {
      const text = `{"op":"meta","key":"k${i}","value":"ü${i}"}\n`;
      ring.pushText(text);
      expected.push(JSON.parse(text));
    }
  }
  expect(ring.flushSync()).toBe(true);
  ring.close();
  closeSync(fd);
  const lines = readFileSync(path, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line));
  expect(lines).toEqual(expected);
});

it('a burst several rings long, never yielding, goes to the file whole and in order while the thread frees room a piece at a time', () => {
  const { path, fd } = openFile();
  // 2 MiB: the thread frees it 1 MiB at a time (WRITE_OUT_MOST_BYTES), so the pushes wait for a
  // piece, not for the whole ring, and positions wrap many times.
  const ring = new JournalRing(fd, { ringBytes: 2 << 20 });
  const start = Date.UTC(2024, 0, 2, 3, 4, 5, 678);
  // Made first, so the pushes run back to back, faster than the thread writes.
  const records = Array.from({ length: 200_000 }, (_, i) =>
    metricRecord(i, i % 5 === 0 ? 'run-a' : 'run-b', { step: i, loss: 1 / (i + 1), acc: i / (i + 100) }, start + Math.floor(i / 1000)),
  );
  const expected: string[] = [];
  let refused = 0;
  for (const record of records) {
    if (!ring.pushMetric(record)) refused++;
    if (record.seq % 20_000 === 0) ring.pushText(`{"op":"meta","key":"k${record.seq}","value":${record.seq}}\n`);
  }
  expect(refused).toBe(0);
  for (const record of records) {
    expected.push(addLine(record));
    if (record.seq % 20_000 === 0) expected.push(`{"op":"meta","key":"k${record.seq}","value":${record.seq}}\n`);
  }
  expect(ring.flushSync()).toBe(true);
  ring.close();
  closeSync(fd);
  const lines = readFileSync(path, 'utf8').split('\n');
  expect(lines.pop()).toBe('');
  expect(lines.length).toBe(expected.length);
  expect(lines.map((line) => JSON.parse(line))).toEqual(expected.map((line) => JSON.parse(line)));
});

it('a point that follows the one before takes a short frame, and every line is still exactly its record', () => {
  const { path, fd } = openFile();
  const ring = new JournalRing(fd, { ringBytes: 1 << 20 });
  const at = Date.UTC(2024, 0, 2, 3, 4, 5, 678);
  // Points of one run and keys, each the next seq: all but the first follow the one before.
  const follow = Array.from({ length: 1000 }, (_, i) => metricRecord(i, 'run-a', { step: i, loss: 1 / (i + 1), acc: i % 3 === 0 ? null : -i / 7 }, at + Math.floor(i / 300)));
  for (const record of follow) expect(ring.pushMetric(record)).toBe(true);
  // The first point's frame names its keys; the others take 5 + 10 + 3 × 9 bytes each.
  expect(ring.framedBytes).toBeLessThan(1000 * 45 + 200);
  const records = [...follow];
  const push = (record: OutboxRecord) => {
    expect(ring.pushMetric(record)).toBe(true);
    records.push(record);
  };
  const next = (values: Record<string, number | null>, at: number, seq = records[records.length - 1].seq + 1) => metricRecord(seq, 'run-a', values, at);
  const last = () => records[records.length - 1];
  // Each breaks what a short frame leaves out, then the point after it follows it again.
  push(next({ step: 1, loss: 2, acc: 3 }, at, last().seq + 2)); // a seq skipped
  push(next({ step: 1, loss: 2, acc: 3 }, at));
  push(next({ step: 1, loss: 2, acc: 3 }, at - 5_000)); // the clock went back (the id goes on)
  push(next({ step: 1, loss: 2, acc: 3 }, at + 3_000_000_000)); // a step past 32 bits of ms
  push(next({ step: 1, loss: 2, acc: 3 }, at + 3_000_000_001));
  const fractional = next({ step: 1, loss: 2, acc: 3 }, at);
  fractional.createdAt = at + 0.1;
  push(fractional);
  push(next({ step: 1, loss: 2, acc: 3 }, at));
  const otherProcess = next({ step: 1, loss: 2, acc: 3 }, at);
  otherProcess.id = '0190a1b2-c3d4-7123-8abc-def012345678';
  push(otherProcess);
  push(next({ step: 1, loss: 2, acc: 3 }, at));
  const larger = next({ step: 1, loss: 2, acc: 3 }, at);
  larger.bytes += 1;
  push(larger);
  push(next({ step: 1, loss: 2, acc: 3 }, at));
  push(next({ step: 1, acc: 3, loss: 2 }, at)); // the same keys in another order
  push(next({ step: 1, acc: 3, loss: 2 }, at));
  push(metricRecord(last().seq + 1, 'run-b', { step: 1, acc: 3, loss: 2 }, at)); // another run
  push(next({ step: 1, acc: null, loss: -0 }, at));
  expect(ring.flushSync()).toBe(true);
  ring.close();
  closeSync(fd);
  const lines = readFileSync(path, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line));
  expect(lines).toEqual(records.map((record) => JSON.parse(addLine(record))));
});

it('without a writer thread no binary frame is taken: the caller writes the line itself', () => {
  const { fd } = openFile();
  const ring = new JournalRing(fd, { thread: false });
  expect(ring.pushMetric(metricRecord(0, 'r', { x: 1 }, Date.now()))).toBe(false);
  ring.close();
  closeSync(fd);
});

it('past 65,536 names the numbering starts over partway through a record, and every line still names its own keys', () => {
  const { path, fd } = openFile();
  const ring = new JournalRing(fd, { ringBytes: 1 << 20 });
  const expected: unknown[] = [];
  const at = Date.UTC(2024, 0, 2, 3, 4, 5, 678);
  // The run and `first` are names 1 and 2, then three new names per record: name 65,537 is the
  // third key of record 21,844, whose first two keys were numbered before the restart.
  const first = metricRecord(0, 'run-a', { first: 1 }, at);
  expect(ring.pushMetric(first)).toBe(true);
  expected.push(JSON.parse(addLine(first)));
  for (let i = 0; i < 23_000; i++) {
    const record = metricRecord(i + 1, 'run-a', { [`a${i}`]: i, [`b${i}`]: -i, [`c${i}`]: null }, at);
    expect(ring.pushMetric(record)).toBe(true);
    expected.push(JSON.parse(addLine(record)));
  }
  expect(ring.flushSync()).toBe(true);
  ring.close();
  closeSync(fd);
  const lines = readFileSync(path, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line));
  expect(lines).toEqual(expected);
});

it('a run numbered, after the numbering starts over, as another run was is written as itself in the same millisecond', () => {
  const { path, fd } = openFile();
  const ring = new JournalRing(fd, { ringBytes: 16 << 20 });
  const at = Date.UTC(2024, 0, 2, 3, 4, 5, 678);
  // Names 0 and 1: run-a and the id suffix. One new key per record fills the numbering to 65,536;
  // defining run-b then starts it over, and run-b is name 0, as run-a was, in the same
  // millisecond: the thread must not reuse what it wrote for run-a's lines.
  const records = [metricRecord(0, 'run-a', {}, at)];
  for (let i = 1; i <= 65_534; i++) records.push(metricRecord(i, 'run-a', { [`k${i}`]: i / 3 }, at));
  records.push(metricRecord(65_535, 'run-b', {}, at), metricRecord(65_536, 'run-b', { x: 0.5 }, at));
  for (const record of records) expect(ring.pushMetric(record)).toBe(true);
  expect(ring.flushSync()).toBe(true);
  ring.close();
  closeSync(fd);
  const lines = readFileSync(path, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line));
  expect(lines.slice(-3)).toEqual(records.slice(-3).map((record) => JSON.parse(addLine(record))));
  expect(lines).toHaveLength(records.length);
});

it('a record refused for too many keys leaves the next record of the same keys and run named right', () => {
  const { path, fd } = openFile();
  const ring = new JournalRing(fd, { ringBytes: 4 << 20 });
  const at = Date.UTC(2024, 0, 2, 3, 4, 5, 678);
  // The same (empty) keys and run before and after: the second may reuse the first's name indexes.
  const before = metricRecord(0, 'run-a', {}, at);
  expect(ring.pushMetric(before)).toBe(true);
  const wide: Record<string, number> = {};
  for (let key = 0; key < 0xffff + 1; key++) wide[`k${key}`] = key;
  // Too many keys for a frame: refused (the caller writes its line as text), after naming the 65,520 a frame takes.
  expect(ring.pushMetric(metricRecord(1, 'run-a', wide, at))).toBe(false);
  const after = metricRecord(2, 'run-a', {}, at);
  expect(ring.pushMetric(after)).toBe(true);
  expect(ring.flushSync()).toBe(true);
  ring.close();
  closeSync(fd);
  const lines = readFileSync(path, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line));
  expect(lines).toEqual([JSON.parse(addLine(before)), JSON.parse(addLine(after))]);
});
