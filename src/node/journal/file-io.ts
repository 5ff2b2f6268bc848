/** Whole writes and durable folder entries: what creating and rewriting a journal file share. */
import { closeSync, fdatasyncSync, openSync, writeSync } from 'node:fs';

/** When a journal's writes are flushed to the disk (the policies: journal-file.ts). */
export type FsyncPolicy = 'always' | 'interval' | 'never';

/** Lines gathered into one write: few calls, and never one string of the whole file (it may pass V8's 512 MiB). */
export const WRITE_PIECE_CHARS = 4 * 1024 * 1024;

/** Writes `lines` in order, WRITE_PIECE_CHARS at a time; returns the bytes written. */
export function writeLines(fd: number, lines: Iterable<string>): number {
  let written = 0;
  let piece = '';
  for (const line of lines) {
    piece += line;
    if (piece.length >= WRITE_PIECE_CHARS) {
      written += writeAll(fd, piece);
      piece = '';
    }
  }
  return written + writeAll(fd, piece);
}

/** Writes all of `data` (write(2) may take less than it is given); returns its length in bytes. */
export function writeAll(fd: number, data: string | Uint8Array): number {
  const buffer = typeof data === 'string' ? Buffer.from(data) : data;
  let offset = 0;
  while (offset < buffer.length) offset += writeSync(fd, buffer, offset, buffer.length - offset);
  return buffer.length;
}

/** A new or renamed file is durable only once its directory entry is (POSIX fsync on the folder). */
export function syncDirectory(directory: string, policy: FsyncPolicy): void {
  if (policy === 'never') return;
  try {
    const fd = openSync(directory, 'r');
    try {
      fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Windows cannot open a folder for syncing; the rename is still atomic there.
  }
}
