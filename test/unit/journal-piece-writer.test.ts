/**
 * PieceWriter gathers lines into one buffer and writes it when full: the file must hold exactly
 * the UTF-8 of the lines in order, across piece boundaries, with lines larger than a piece, and
 * with characters of every UTF-8 length.
 */
import { closeSync, openSync, readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { PieceWriter, writeLines } from '../../src/node/journal/file-io';
import { journalPathsRemovedAfterEach } from '../helpers/journal-paths';

const newJournalPath = journalPathsRemovedAfterEach();

function newFile(): { path: string; fd: number } {
  const path = newJournalPath('piece-writer-');
  return { path, fd: openSync(path, 'w', 0o600) };
}

const MIB = 1024 * 1024;

it('writes the lines byte for byte, across pieces and around lines larger than a piece', () => {
  const lines: string[] = [];
  for (let i = 0; i < 20_000; i++) lines.push(`{"i":${i},"s":"${'é€😀'.repeat(i % 40)}"}\n`);
  lines.splice(7_000, 0, `${'x'.repeat(3 * MIB)}\n`);
  lines.splice(12_000, 0, `${'€'.repeat(MIB / 2)}\n`, '\n', `${'y'.repeat(MIB / 3 - 1)}\n`);
  const { path, fd } = newFile();
  const written = writeLines(fd, lines);
  closeSync(fd);
  const expected = Buffer.from(lines.join(''));
  expect(written).toBe(expected.length);
  expect(readFileSync(path).equals(expected)).toBe(true);
});

it('puts bytes added between lines in their place, and a lone surrogate as UTF-8 replacement', () => {
  const { path, fd } = newFile();
  const writer = new PieceWriter(fd);
  writer.add('a\n');
  writer.addBytes(Buffer.from('raw\n'));
  writer.add('b\ud800\n');
  writer.flush();
  writer.flush();
  closeSync(fd);
  expect(readFileSync(path, 'utf8')).toBe('a\nraw\nb\ufffd\n');
  expect(writer.written).toBe(Buffer.byteLength('a\nraw\nb\ufffd\n'));
});
