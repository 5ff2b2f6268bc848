import { open, readFile, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { JournalEntry } from './model';

export const JOURNAL_FILE = 'journal.jsonl';

export interface JournalLoad {
  entries: JournalEntry[];
  /** Lines that did not parse as an entry and were skipped (a torn last line after a crash). */
  skippedLines: number;
}

/**
 * The server's append-only JSONL file. One line per request that changed something; a request is
 * acknowledged only after its line is written and fsynced. Lines arriving while an fsync is in
 * flight are written together with the next one (group commit): at most one fsync per request,
 * never one per metric point.
 */
export class Journal {
  private pending: Array<{ text: string; resolve: () => void; reject: (error: unknown) => void }> = [];
  private draining: Promise<void> | null = null;
  private closed = false;

  private constructor(
    private readonly handle: FileHandle,
    /** Bytes known to be durable; a failed write is cut back to here so no half line remains. */
    private durableBytes: number,
  ) {}

  /** Opens (creating if needed) the journal in `dataDir` and reads every entry already in it. */
  static async open(dataDir: string): Promise<{ journal: Journal; loaded: JournalLoad }> {
    const path = join(dataDir, JOURNAL_FILE);
    const existed = await stat(path).then(() => true, () => false);
    const handle = await open(path, 'a+', 0o600);
    try {
      const raw = existed ? await readFile(path) : Buffer.alloc(0);
      const { entries, skippedLines, goodBytes, needsNewline } = parseJournal(raw);
      // A torn tail is cut off so the next append starts on a clean line.
      if (goodBytes < raw.length) await handle.truncate(goodBytes);
      if (needsNewline) await handle.write('\n');
      if (goodBytes < raw.length || needsNewline) await handle.sync();
      if (!existed) await syncDirectory(dataDir);
      const size = goodBytes + (needsNewline ? 1 : 0);
      return { journal: new Journal(handle, size), loaded: { entries, skippedLines } };
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** Resolves once `entry` is on disk (written and fsynced). */
  append(entry: JournalEntry): Promise<void> {
    if (this.closed) return Promise.reject(new Error('journal is closed'));
    return new Promise((resolve, reject) => {
      this.pending.push({ text: `${JSON.stringify(entry)}\n`, resolve, reject });
      this.draining ??= this.drain().finally(() => {
        this.draining = null;
      });
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.draining;
    await this.handle.close();
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0);
      const bytes = Buffer.from(batch.map((item) => item.text).join(''));
      try {
        await this.handle.write(bytes);
        await this.handle.sync();
        this.durableBytes += bytes.length;
        for (const item of batch) item.resolve();
      } catch (error) {
        await this.handle.truncate(this.durableBytes).catch(() => undefined);
        for (const item of batch) item.reject(error);
      }
    }
  }
}

interface ParsedJournal extends JournalLoad {
  /** Length of the prefix made of whole lines (the rest is a torn tail). */
  goodBytes: number;
  /** The last line parsed but its newline never reached the disk. */
  needsNewline: boolean;
}

export function parseJournal(raw: Buffer): ParsedJournal {
  const entries: JournalEntry[] = [];
  let skippedLines = 0;
  let start = 0;
  let goodBytes = 0;
  let needsNewline = false;
  while (start < raw.length) {
    const newline = raw.indexOf(0x0a, start);
    const end = newline === -1 ? raw.length : newline;
    const text = raw.subarray(start, end).toString('utf8').trim();
    const entry = text ? parseEntry(text) : null;
    if (entry) entries.push(entry);
    else if (text) skippedLines += 1;
    if (newline === -1) {
      if (entry) {
        goodBytes = raw.length;
        needsNewline = true;
      }
      break;
    }
    start = newline + 1;
    goodBytes = start;
  }
  return { entries, skippedLines, goodBytes, needsNewline };
}

function parseEntry(text: string): JournalEntry | null {
  try {
    const value = JSON.parse(text) as Partial<JournalEntry> | null;
    if (value && value.v === 1 && Array.isArray(value.events)) return value as JournalEntry;
  } catch {
    // Falls through: a line that is not JSON is a torn write.
  }
  return null;
}

/** Makes a newly created file's directory entry durable too (POSIX needs the parent fsynced). */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r').catch(() => null);
  if (!handle) return;
  try {
    await handle.sync();
  } catch {
    // Some platforms (Windows) cannot fsync a directory; the file's own fsync still holds.
  } finally {
    await handle.close();
  }
}
