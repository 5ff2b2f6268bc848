/** Whole writes and durable folder entries: what creating and rewriting a journal file share. */
import { closeSync, fdatasyncSync, openSync, writeSync } from 'node:fs';

/** When a journal's writes are flushed to the disk (the policies: journal-file.ts). */
export type FsyncPolicy = 'always' | 'interval' | 'never';

/** Lines gathered into one write: few calls, and never one string of the whole file (it may pass V8's 512 MiB). */
const WRITE_PIECE_CHARS = 4 * 1024 * 1024;

/** Writes text to a file in order, gathered into pieces of about WRITE_PIECE_CHARS; counts the bytes. */
export class PieceWriter {
  readonly #fd: number;
  #piece = '';
  /** Bytes written to the file so far (what `flush` has not written yet is not counted). */
  written = 0;

  constructor(fd: number) {
    this.#fd = fd;
  }

  add(text: string): void {
    this.#piece += text;
    if (this.#piece.length >= WRITE_PIECE_CHARS) this.flush();
  }

  /** Bytes after everything added so far. */
  addBytes(bytes: Uint8Array): void {
    this.flush();
    this.written += writeAll(this.#fd, bytes);
  }

  flush(): void {
    if (this.#piece === '') return;
    this.written += writeAll(this.#fd, this.#piece);
    this.#piece = '';
  }
}

/** Writes `lines` in order, WRITE_PIECE_CHARS at a time; returns the bytes written. */
export function writeLines(fd: number, lines: Iterable<string>): number {
  const writer = new PieceWriter(fd);
  for (const line of lines) writer.add(line);
  writer.flush();
  return writer.written;
}

/** Writes all of `data` (write(2) may take less than it is given); returns its length in bytes. */
function writeAll(fd: number, data: string | Uint8Array): number {
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
