import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { readJournalLine } from './journal-format';
import type { ServerStore } from './store';

/** The file earlier versions of the server kept in the data folder instead of a database. */
export const JOURNAL_FILE = 'journal.jsonl';

export interface SkippedLine {
  line: number;
  reason: string;
}

export interface ImportReport {
  file: string;
  /** Entries (requests that changed something) imported. */
  entries: number;
  /** Lines that were not imported: a torn last line, or a line without the journal's shape. */
  skipped: SkippedLine[];
  bytes: number;
}

const CHUNK_BYTES = 4 * 1024 * 1024;

/**
 * Calls `onLine(text, lineNumber)` for every non-blank line of `file`, reading it in chunks (a
 * journal may be larger than a string can be). The file is opened read-only and left unchanged.
 */
export function eachLine(file: string, onLine: (text: string, line: number) => void): number {
  const fd = openSync(file, 'r');
  try {
    const bytes = fstatSync(fd).size;
    const buffer = Buffer.alloc(CHUNK_BYTES);
    let carry = Buffer.alloc(0);
    let lineNumber = 0;
    const emit = (raw: Buffer) => {
      lineNumber += 1;
      const text = raw.toString('utf8').trim();
      if (text) onLine(text, lineNumber);
    };
    for (;;) {
      const read = readSync(fd, buffer, 0, CHUNK_BYTES, null);
      if (read === 0) break;
      const chunk = carry.length ? Buffer.concat([carry, buffer.subarray(0, read)]) : buffer.subarray(0, read);
      let start = 0;
      for (let newline = chunk.indexOf(0x0a); newline !== -1; newline = chunk.indexOf(0x0a, start)) {
        emit(chunk.subarray(start, newline));
        start = newline + 1;
      }
      carry = Buffer.from(chunk.subarray(start));
    }
    if (carry.length) emit(carry);
    return bytes;
  } finally {
    closeSync(fd);
  }
}

/** Reads the journal without importing it (`serve --check`): entries and skipped lines. */
export function checkJournal(file: string): ImportReport {
  const skipped: SkippedLine[] = [];
  let entries = 0;
  const bytes = eachLine(file, (text, line) => {
    const outcome = readJournalLine(text);
    if (outcome.kind === 'entry') entries += 1;
    else skipped.push({ line, reason: outcome.reason });
  });
  return { file, entries, skipped, bytes };
}

/**
 * Imports a JSONL journal into an empty store in one transaction, keeping every id, name,
 * status, metric order and idempotency key: each entry is applied with the meaning the in-memory
 * state gave it. Skipped lines are reported with their line number; the file is not changed.
 */
export function importJournal(store: ServerStore, file: string): ImportReport {
  return store.write(() => {
    const skipped: SkippedLine[] = [];
    let entries = 0;
    const bytes = eachLine(file, (text, line) => {
      const outcome = readJournalLine(text);
      if (outcome.kind === 'skipped') {
        skipped.push({ line, reason: outcome.reason });
        return;
      }
      store.applyEntry(outcome.entry);
      entries += 1;
    });
    store.db
      .prepare('INSERT INTO journal_import (source, imported_at, entries, skipped_lines, bytes) VALUES (?, ?, ?, ?, ?)')
      .run(file, new Date().toISOString(), entries, skipped.length, bytes);
    return { file, entries, skipped, bytes };
  });
}

/** One line for people: what was imported and which lines were not. */
export function describeImport(report: ImportReport): string {
  const head = `imported ${report.entries} entries from ${report.file}`;
  if (report.skipped.length === 0) return head;
  const lines = report.skipped.map((skip) => `  ${report.file}:${skip.line}: ${skip.reason}`);
  return `${head}; skipped ${report.skipped.length} line(s):\n${lines.join('\n')}`;
}
