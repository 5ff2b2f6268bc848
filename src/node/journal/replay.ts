/**
 * Rebuilds a queue from journal text. A crash can leave the last line half written (the OS
 * flushed part of one write); that line, and any other line that does not parse, is skipped and
 * counted, never fatal (F19, F26's "torn last line").
 *
 * Metric points go into a metric table (columns of numbers, journal/metric-table.ts), the others
 * into a map of records: a journal of a million queued points read back is a few typed arrays,
 * not a million objects (it took 1.8 GB, 2 GB past the heap's limit on a smaller machine).
 */
import type { OutboxRecord } from '../../outbox/records';
import { addLine, classifyFirstLine, parseEntry, type FileVersion, type JournalEntry } from './format';
import { MetricTable } from './metric-table';
import { forEachLine } from './read-lines';

export interface JournalContents {
  version: FileVersion;
  /** Queue name from the header (absent in version 0). */
  name?: string;
  /** Live records but the metric table's, by id, in the order they were added. */
  records: Map<string, OutboxRecord>;
  /** Live metric points, in `seq` order: the queue is them and `records`, merged by `seq` (`queuedRecords`). */
  metrics: MetricTable;
  meta: Map<string, unknown>;
  /** Highest sequence number ever seen plus one. */
  nextSeq: number;
  /** Lines that did not parse (a torn tail after a crash, or damage). */
  skippedLines: number;
}

export function emptyContents(): JournalContents {
  return { version: { kind: 'current' }, records: new Map(), metrics: new MetricTable(), meta: new Map(), nextSeq: 0, skippedLines: 0 };
}

/**
 * Every live record, `records` and `metrics` merged in `seq` order; the table's with their body's
 * JSON when `bodies`. The walk covers the records queued when it is called and may be taken a
 * piece at a time while the queue changes (a compaction a slice at a time): each record is given
 * as it is when the walk reaches it, and one that left the queue by then is passed over. Records
 * added later are not given.
 */
export function queuedRecords(contents: JournalContents, bodies: boolean): Generator<OutboxRecord> {
  const { metrics, records } = contents;
  return walkQueue(metrics, records, [...records.values()], metrics.slotBase + metrics.end(true), bodies);
}

function* walkQueue(metrics: MetricTable, records: Map<string, OutboxRecord>, held: OutboxRecord[], end: number, bodies: boolean): Generator<OutboxRecord> {
  // Slot numbers from the table's first slot ever (`slotBase`): dropping chunks shifts indexes.
  let next = metrics.slotBase + metrics.head;
  /** The index of the next slot to look at, past those dropped or passed meanwhile; -1 at the end. */
  const nextSlot = (): number => {
    next = Math.max(next, metrics.slotBase + metrics.head);
    return next < end ? next - metrics.slotBase : -1;
  };
  for (const record of held) {
    for (let slot = nextSlot(); slot >= 0 && metrics.seqAt(slot) < record.seq; slot = nextSlot()) {
      next++;
      if (metrics.isLive(slot)) yield metrics.record(slot, bodies);
    }
    if (records.get(record.id) === record) yield record;
  }
  for (let slot = nextSlot(); slot >= 0; slot = nextSlot()) {
    next++;
    if (metrics.isLive(slot)) yield metrics.record(slot, bodies);
  }
}

/** How many records are live. */
export function queuedCount(contents: JournalContents): number {
  return contents.records.size + contents.metrics.size;
}

/** Rebuilds a queue from journal text (a short journal, or its header line alone). */
export function replayJournal(text: string): JournalContents {
  const replay = new JournalReplay();
  const lines = text.split('\n');
  // A file ending in '\n' splits into a last empty string; anything else there is a torn tail.
  if (lines[lines.length - 1] === '') lines.pop();
  for (const line of lines) replay.line(line);
  return replay.contents;
}

/** Rebuilds a queue from the journal at `path`, read a piece at a time; throws when it cannot be read. */
export function replayJournalFile(path: string, pieceBytes?: number): JournalContents {
  const replay = new JournalReplay();
  forEachLine(path, (line) => replay.line(line), pieceBytes);
  return replay.contents;
}

/** Applies a journal's lines in order: the header first, then its entries. */
class JournalReplay {
  readonly contents = emptyContents();
  #version: 'current' | 'v0' | 'unknown' | undefined;

  line(line: string): void {
    const contents = this.contents;
    if (this.#version === undefined) {
      const first = classifyFirstLine(line);
      contents.version = first.version;
      contents.name = first.header?.name;
      this.#version = first.version.kind;
      // A version 0 file has no header: its first line is an entry already.
      if (this.#version !== 'v0') return;
    }
    if (this.#version === 'unknown') return;
    const entry = parseEntry(line, this.#version);
    if (entry) replayEntry(contents, entry);
    else contents.skippedLines++;
  }
}

/** Applies an entry read back: a metric point goes into the table when it can (`MetricTable.adopt`). */
export function replayEntry(contents: JournalContents, entry: JournalEntry): void {
  const { metrics } = contents;
  if (entry.op === 'add') {
    if (metrics.adopt(entry.r)) {
      contents.nextSeq = Math.max(contents.nextSeq, entry.r.seq + 1);
      return;
    }
    // The same record added again: the last add wins, as in the map.
    const slot = metrics.size > 0 ? metrics.find(entry.r.id) : -1;
    if (slot >= 0) metrics.remove(slot);
  }
  applyEntry(contents, entry);
  applyToTable(metrics, entry);
}

/**
 * Applies an entry's lease, release, unbatch, ack or evict to the records of `metrics` among its
 * ids; `leaving` hears of each slot an ack or evict removes, before it goes.
 */
export function applyToTable(metrics: MetricTable, entry: JournalEntry, leaving?: (slot: number, id: string) => void): void {
  if (metrics.size === 0 || !('ids' in entry)) return;
  for (const id of entry.ids) {
    const slot = metrics.find(id);
    if (slot < 0) continue;
    if (entry.op === 'lease') metrics.lease(slot, entry.until, entry.owner, entry.batch);
    else if (entry.op === 'release') metrics.release(slot);
    else if (entry.op === 'unbatch') metrics.unbatch(slot);
    else {
      leaving?.(slot, id);
      metrics.remove(slot);
    }
  }
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

/**
 * The whole state as a journal's lines, one at a time (a long queue's text would not fit in one
 * string): what compaction writes. `records` in `seq` order; default: the contents'.
 */
export function* snapshotLines(header: string, contents: JournalContents, records: Iterable<OutboxRecord> = queuedRecords(contents, true)): Generator<string> {
  yield header;
  yield `${JSON.stringify({ op: 'seq', next: contents.nextSeq })}\n`;
  for (const [key, value] of contents.meta) yield `${JSON.stringify({ op: 'meta', key, value })}\n`;
  for (const record of records) yield addLine(record);
}
