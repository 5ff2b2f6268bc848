/** Whole writes and durable folder entries: what creating and rewriting a journal file share. */
import { close, closeSync, fdatasync, fdatasyncSync, open, openSync, writeSync } from 'node:fs';

/** When a journal's writes are flushed to the disk (the policies: journal-file.ts). */
export type FsyncPolicy = 'always' | 'interval' | 'never';

/**
 * Bytes gathered into one write: few calls. The lines are encoded into one buffer as they come, so
 * each line string dies at once (a rewrite makes a million of them: gathered as a string until the
 * write, they all outlived young-generation collections, which copied them).
 */
const WRITE_PIECE_BYTES = 1024 * 1024;
/** UTF-8 takes at most this many bytes for a UTF-16 unit. */
const MAX_UTF8_PER_UNIT = 3;

/** Writes text to a file in order, gathered into pieces of up to WRITE_PIECE_BYTES; counts the bytes. */
export class PieceWriter {
  readonly #fd: number;
  #piece: Buffer | undefined;
  #used = 0;
  /** Bytes written to the file so far (what `flush` has not written yet is not counted). */
  written = 0;

  constructor(fd: number) {
    this.#fd = fd;
  }

  add(text: string): void {
    const most = text.length * MAX_UTF8_PER_UNIT;
    if (most > WRITE_PIECE_BYTES) {
      this.flush();
      this.written += writeAll(this.#fd, Buffer.from(text));
      return;
    }
    if (this.#used + most > WRITE_PIECE_BYTES) this.flush();
    this.#piece ??= Buffer.allocUnsafe(WRITE_PIECE_BYTES);
    this.#used += this.#piece.write(text, this.#used);
  }

  /** Bytes after everything added so far. */
  addBytes(bytes: Uint8Array): void {
    this.flush();
    this.written += writeAll(this.#fd, bytes);
  }

  flush(): void {
    if (this.#used === 0 || !this.#piece) return;
    this.written += writeAll(this.#fd, this.#piece.subarray(0, this.#used));
    this.#used = 0;
  }
}

/** Writes `lines` in order, WRITE_PIECE_BYTES at a time; returns the bytes written. */
export function writeLines(fd: number, lines: Iterable<string>): number {
  const writer = new PieceWriter(fd);
  for (const line of lines) writer.add(line);
  writer.flush();
  return writer.written;
}

/** Writes all of `data` (write(2) may take less than it is given); returns its length in bytes. */
function writeAll(fd: number, buffer: Uint8Array): number {
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

/**
 * Closes `fd` off the calling thread, once `after` settles (a flush of it in the background). For
 * a file a rename replaced, the last close frees all of it: 60–150 ms on the calling thread for a
 * 300 MB journal at the end of a drain (bench/fixtures/drain-child.mjs), the longest stall there.
 */
export function closeInBackground(fd: number, after: Promise<unknown> | null): void {
  const closeIt = () => close(fd, () => {});
  if (after) void after.then(closeIt, closeIt);
  else closeIt();
}

/** `syncDirectory` under a flushing policy, off the calling thread; a failure is ignored as there. */
export function syncDirectoryInBackground(directory: string): void {
  open(directory, 'r', (error, fd) => {
    if (error) return;
    fdatasync(fd, () => close(fd, () => {}));
  });
}
