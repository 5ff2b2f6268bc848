/**
 * Rebuilds a queue from journal text. A crash can leave the last line half written (the OS
 * flushed part of one write); that line, and any other line that does not parse, is skipped and
 * counted, never fatal (F19, F26's "torn last line").
 */
import type { OutboxRecord } from '../../outbox/records';
import { classifyFirstLine, parseEntry, type FileVersion, type JournalEntry } from './format';

export interface JournalContents {
  version: FileVersion;
  /** Queue name from the header (absent in version 0). */
  name?: string;
  /** Live records by id, in the order they were added. */
  records: Map<string, OutboxRecord>;
  meta: Map<string, unknown>;
  /** Highest sequence number ever seen plus one. */
  nextSeq: number;
  /** Lines that did not parse (a torn tail after a crash, or damage). */
  skippedLines: number;
}

export function emptyContents(): JournalContents {
  return { version: { kind: 'current' }, records: new Map(), meta: new Map(), nextSeq: 0, skippedLines: 0 };
}

export function replayJournal(text: string): JournalContents {
  const contents = emptyContents();
  const lines = text.split('\n');
  // A file ending in '\n' splits into a last empty string; anything else there is a torn tail.
  if (lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) return contents;

  const first = classifyFirstLine(lines[0]);
  contents.version = first.version;
  if (first.version.kind === 'unknown') return contents;
  contents.name = first.header?.name;
  const version = first.version.kind;
  const startAt = version === 'v0' ? 0 : 1;
  for (let i = startAt; i < lines.length; i++) {
    const entry = parseEntry(lines[i], version);
    if (entry) applyEntry(contents, entry);
    else contents.skippedLines++;
  }
  return contents;
}

export function applyEntry(contents: JournalContents, entry: JournalEntry): void {
  const { records } = contents;
  switch (entry.op) {
    case 'add':
      records.set(entry.r.id, entry.r);
      contents.nextSeq = Math.max(contents.nextSeq, entry.r.seq + 1);
      return;
    case 'ack':
      for (const id of entry.ids) records.delete(id);
      for (const [key, value] of Object.entries(entry.meta ?? {})) contents.meta.set(key, value);
      return;
    case 'evict':
      for (const id of entry.ids) records.delete(id);
      return;
    case 'lease':
      for (const id of entry.ids) {
        const record = records.get(id);
        if (!record) continue;
        record.leaseUntil = entry.until;
        record.leaseOwner = entry.owner;
        if (entry.batch !== undefined) record.batch = entry.batch;
      }
      return;
    case 'release':
      for (const id of entry.ids) {
        const record = records.get(id);
        if (record) clearLease(record);
      }
      return;
    case 'unbatch':
      for (const id of entry.ids) delete records.get(id)?.batch;
      return;
    case 'meta':
      contents.meta.set(entry.key, entry.value);
      return;
    case 'seq':
      contents.nextSeq = Math.max(contents.nextSeq, entry.next);
      return;
  }
}

export function clearLease(record: OutboxRecord): void {
  delete record.leaseUntil;
  delete record.leaseOwner;
}

/** The whole state as entries: what compaction writes after the header. */
export function snapshotEntries(contents: JournalContents): JournalEntry[] {
  const entries: JournalEntry[] = [{ op: 'seq', next: contents.nextSeq }];
  for (const [key, value] of contents.meta) entries.push({ op: 'meta', key, value });
  for (const record of contents.records.values()) entries.push({ op: 'add', r: record });
  return entries;
}
