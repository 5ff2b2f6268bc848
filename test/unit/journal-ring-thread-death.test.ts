/**
 * The writer thread dies with frames still in the ring: the frames refer to names its DEFINE
 * frames gave and to points its decoder stepped from, which the main thread never decoded. The
 * main thread must not write them wrong or throw into the caller: it reports a failed write, as
 * the thread does for a frame it cannot decode, so the store keeps the records in memory and
 * rewrites the journal (journal-store.ts `recover`); the ring then works on the main thread.
 */
import { closeSync, openSync, readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { addLine } from '../../src/node/journal/format';
import { JournalRing } from '../../src/node/journal/ring';
import { journalPathsRemovedAfterEach } from '../helpers/journal-paths';
import { metricRecord } from '../helpers/metric-record';

const newJournalPath = journalPathsRemovedAfterEach();

/** The points of one training run, step after step. */
const trainingPoint = (seq: number, at: number) => metricRecord(seq, 'run-a', { step: seq, loss: 1 / (seq + 1), acc: seq / 1000 }, at);

/** The thread writes a record's members in an order of its own: lines compare as what they parse to. */
const parsedLines = (text: string): unknown[] => text.trimEnd().split('\n').map((line) => JSON.parse(line));

it('frames the thread left behind fail the write instead of throwing; after the rewrite the main thread writes', async () => {
  const path = newJournalPath('ring-thread-death-');
  const fd = openSync(path, 'a', 0o600);
  const ring = new JournalRing(fd, { ringBytes: 1 << 20 });
  const start = Date.UTC(2024, 0, 2, 3, 4, 5);
  const first = trainingPoint(0, start);
  expect(ring.pushMetric(first)).toBe(true);
  ring.pushText('{"op":"meta","key":"a","value":1}\n');
  expect(ring.flushSync()).toBe(true);
  const written = readFileSync(path, 'utf8');
  expect(parsedLines(written)).toEqual(parsedLines(`${addLine(first)}{"op":"meta","key":"a","value":1}\n`));

  // Pushed while the thread cannot write: NEXT frames stepping from the point above, names it defined.
  const ended = ring.endThread();
  const queued = [first];
  for (let seq = 1; seq <= 1000; seq++) {
    const record = trainingPoint(seq, start + seq);
    expect(ring.pushMetric(record)).toBe(true);
    queued.push(record);
  }
  await ended;
  expect(ring.threaded).toBe(false);

  expect(ring.flushSync()).toBe(false);
  expect(ring.failure).toBe('EIO');
  // Nothing of the frames left behind reached the file, no line half written.
  expect(readFileSync(path, 'utf8')).toBe(written);

  // The store's recovery: the whole queue in a new file, swapped in; the failure is cleared.
  const rewrittenPath = newJournalPath('ring-thread-death-rewritten-');
  const rewrittenFd = openSync(rewrittenPath, 'a', 0o600);
  const lines = queued.map((record) => addLine(record)).join('');
  ring.replaceFile(rewrittenFd);
  ring.pushText(lines);
  expect(ring.failure).toBeUndefined();
  // No thread decodes metric frames now: the store writes such records as text lines.
  const later = trainingPoint(1001, start + 1001);
  expect(ring.pushMetric(later)).toBe(false);
  ring.pushText(addLine(later));
  expect(ring.flushSync()).toBe(true);
  expect(readFileSync(rewrittenPath, 'utf8')).toBe(lines + addLine(later));
  ring.close();
  closeSync(fd);
  closeSync(rewrittenFd);
});
