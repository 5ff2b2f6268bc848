import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { forEachLine } from '../../src/node/journal/read-lines';
import { replayJournal, replayJournalFile } from '../../src/node/journal/replay';
import { JOURNAL_FORMAT, JOURNAL_VERSION } from '../../src/node/journal/format';
import { testRecord } from '../helpers/store-contract';

let folder = '';
beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'read-lines-'));
});
afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

function linesOf(text: string | Buffer, pieceBytes: number): string[] {
  const path = join(folder, 'file.jsonl');
  writeFileSync(path, text);
  const lines: string[] = [];
  forEachLine(path, (line) => lines.push(line), pieceBytes);
  return lines;
}

describe('a journal read a piece at a time', () => {
  it('gives the lines split as the whole text would be, whatever the piece size', () => {
    // Multi-byte characters on every piece boundary, empty lines, a line far longer than a piece,
    // and a last line without its newline (a torn write).
    const text = `{"run":"é"}\n\n${'x'.repeat(50)}\n日本語の行\n🙂🙂🙂\n{"torn":`;
    const expected = text.split('\n');
    for (const piece of [1, 2, 3, 5, 7, 16, 64, 1 << 20]) expect(linesOf(text, piece), `piece of ${piece} bytes`).toEqual(expected);
  });

  it('gives no last empty line for a file ending in a newline, and none for an empty file', () => {
    expect(linesOf('a\nb\n', 3)).toEqual(['a', 'b']);
    expect(linesOf('', 3)).toEqual([]);
  });

  it('replays a file to the same queue as its text', () => {
    const header = { format: JOURNAL_FORMAT, version: JOURNAL_VERSION, name: 'q' };
    const entries = [
      header,
      { op: 'add', r: testRecord(1, 'ä', 'metrics') },
      { op: 'add', r: testRecord(2, 'b', 'logs') },
      { op: 'ack', ids: [testRecord(1, 'ä', 'metrics').id], meta: { k: 'ü' } },
      { op: 'seq', next: 9 },
    ];
    const text = `${entries.map((entry) => JSON.stringify(entry)).join('\n')}\n{"op":"add","r":{"id":`;
    const path = join(folder, 'journal.jsonl');
    writeFileSync(path, text);
    const fromFile = replayJournalFile(path, 7);
    expect(fromFile).toEqual(replayJournal(text));
    expect([...fromFile.records.values()].map((record) => record.seq)).toEqual([2]);
    expect(fromFile.skippedLines).toBe(1);
    expect(fromFile.nextSeq).toBe(9);
  });
});
