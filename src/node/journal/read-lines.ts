/**
 * A journal's lines, read a piece at a time. A journal may hold up to `maxJournalBytes` (1 GiB by
 * default), and V8 makes no string past 512 MiB: read whole as one string, a large journal could
 * not be read at all. Each line is decoded alone, between two `\n` bytes (a byte that never occurs
 * inside a UTF-8 character), so a character split by a piece's end is never torn.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** Bytes read per `read(2)`: large enough that the calls cost nothing next to parsing the lines. */
export const READ_PIECE_BYTES = 8 * 1024 * 1024;
const NEWLINE = 0x0a;

/**
 * Hands `onLine` every line of the file at `path`, without its `\n`, in order; a last line without
 * one (a write cut short) too. Throws when the file cannot be opened or read.
 */
export function forEachLine(path: string, onLine: (line: string) => void, pieceBytes = READ_PIECE_BYTES): void {
  const fd = openSync(path, 'r');
  try {
    let buffer: Buffer = Buffer.allocUnsafe(pieceBytes);
    // Bytes at the buffer's start that belong to a line not yet ended.
    let kept = 0;
    for (;;) {
      if (kept === buffer.length) buffer = grown(buffer);
      const read = readSync(fd, buffer, kept, buffer.length - kept, null);
      if (read === 0) {
        if (kept > 0) onLine(buffer.toString('utf8', 0, kept));
        return;
      }
      const filled = buffer.subarray(0, kept + read);
      let start = 0;
      for (let end = filled.indexOf(NEWLINE, kept); end >= 0; end = filled.indexOf(NEWLINE, start)) {
        onLine(filled.toString('utf8', start, end));
        start = end + 1;
      }
      kept = filled.length - start;
      filled.copyWithin(0, start);
    }
  } finally {
    closeSync(fd);
  }
}

/** A buffer twice as large holding the same bytes: one line longer than a piece. */
function grown(buffer: Buffer): Buffer {
  const larger = Buffer.allocUnsafe(buffer.length * 2);
  buffer.copy(larger);
  return larger;
}

/** Whether the file at `path` ends with `\n` (false when it is empty or cannot be read). */
export function endsWithNewline(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const size = fstatSync(fd).size;
    const last = Buffer.alloc(1);
    return size > 0 && readSync(fd, last, 0, 1, size - 1) === 1 && last[0] === NEWLINE;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
