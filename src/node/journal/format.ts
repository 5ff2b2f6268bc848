/**
 * The journal's on-disk format: one JSON object per line, the first line a header naming the
 * format and its version. Everything else in src/node/journal reads and writes through here, so
 * a format change is one file plus a migration (F25).
 */
import { RECORD_FORMAT_VERSION, recordBytes, type OutboxRecord } from '../../outbox/records';

export const JOURNAL_FORMAT = 'polyaxon-tracking-journal';
export const JOURNAL_VERSION = 1;

export interface JournalHeader {
  format: typeof JOURNAL_FORMAT;
  version: number;
  /** The queue name (target server) the journal belongs to; folder names are sanitised. */
  name?: string;
  pid?: number;
  createdAt?: number;
}

/**
 * One line after the header. `evict` is an ack for space (F15-style caps), kept apart so a reader
 * of the file can tell deliveries from drops. `seq` carries the next free sequence number across
 * compactions, when no record is left to remember it.
 */
export type JournalEntry =
  | { op: 'add'; r: OutboxRecord }
  | { op: 'ack'; ids: string[]; meta?: Record<string, unknown> }
  | { op: 'evict'; ids: string[] }
  | { op: 'lease'; ids: string[]; until: number; owner: string; batch?: string }
  | { op: 'release'; ids: string[] }
  | { op: 'unbatch'; ids: string[] }
  | { op: 'meta'; key: string; value: unknown }
  | { op: 'seq'; next: number };

/** What the first line says about the rest of the file. */
export type FileVersion =
  | { kind: 'current' }
  /** Version 0 wrote no header and records without `v` and `bytes`; migrated on read. */
  | { kind: 'v0' }
  /** A newer or foreign format: left untouched on disk for a version that understands it. */
  | { kind: 'unknown'; detail: string };

export function headerLine(name: string, pid: number, now: number): string {
  const header: JournalHeader = { format: JOURNAL_FORMAT, version: JOURNAL_VERSION, name, pid, createdAt: now };
  return `${JSON.stringify(header)}\n`;
}

let lastRun: string | undefined;
let lastRunJson = '';

function quotedRun(run: string): string {
  if (run !== lastRun) {
    lastRunJson = JSON.stringify(run);
    lastRun = run;
  }
  return lastRunJson;
}

/**
 * The `add` line of a record. A record serialised at the call carries its body as `json`: those
 * characters are spliced in as the `body`, unchanged (write once), and `json` is not written.
 */
export function addLine(record: OutboxRecord): string {
  const { json } = record;
  if (json === undefined) return `{"op":"add","r":${JSON.stringify(record)}}\n`;
  if (record.leaseUntil === undefined && record.leaseOwner === undefined && record.batch === undefined) {
    // A fresh record, the hot path: its fields written by hand, in a fixed order.
    // `id` comes from newRecordId (hex digits and dashes) and `kind` is one of RecordKind's
    // words: neither needs escaping. `run` is quoted once per run.
    const { v, id, seq, run, kind, createdAt, bytes } = record;
    return `{"op":"add","r":{"v":${v},"id":"${id}","seq":${seq},"run":${quotedRun(run)},"kind":"${kind}","createdAt":${createdAt},"bytes":${bytes},"body":${json}}}\n`;
  }
  const { json: _json, body: _body, ...fields } = record;
  return `{"op":"add","r":${JSON.stringify(fields).slice(0, -1)},"body":${json}}}\n`;
}

export function classifyFirstLine(line: string): { version: FileVersion; header?: JournalHeader } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { version: { kind: 'unknown', detail: 'first line is not JSON' } };
  }
  if (!isObject(value)) return { version: { kind: 'unknown', detail: 'first line is not an object' } };
  if ('op' in value) return { version: { kind: 'v0' } };
  if (value.format !== JOURNAL_FORMAT) {
    return { version: { kind: 'unknown', detail: `format ${JSON.stringify(value.format)}` } };
  }
  if (value.version !== JOURNAL_VERSION) {
    return { version: { kind: 'unknown', detail: `version ${JSON.stringify(value.version)}` } };
  }
  return { version: { kind: 'current' }, header: value as unknown as JournalHeader };
}

/** Parses one entry line; null when it is not a well-formed entry (a torn write, say). */
export function parseEntry(line: string, version: 'current' | 'v0'): JournalEntry | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (!isObject(value) || typeof value.op !== 'string') return null;
  if (value.op === 'add') {
    const record = version === 'v0' ? migrateV0Record(value.r) : value.r;
    return isRecord(record) ? { op: 'add', r: record } : null;
  }
  if (value.op === 'meta') return typeof value.key === 'string' ? (value as unknown as JournalEntry) : null;
  if (value.op === 'seq') return Number.isSafeInteger(value.next) ? (value as unknown as JournalEntry) : null;
  if (!Array.isArray(value.ids) || !value.ids.every((id) => typeof id === 'string')) return null;
  if (value.op === 'lease') {
    const valid = typeof value.until === 'number' && typeof value.owner === 'string';
    return valid ? (value as unknown as JournalEntry) : null;
  }
  if (['ack', 'evict', 'release', 'unbatch'].includes(value.op)) return value as unknown as JournalEntry;
  return null;
}

/** Version 0 records lacked the format version and the byte size the caps need. */
function migrateV0Record(value: unknown): unknown {
  if (!isObject(value)) return value;
  const bytes = typeof value.bytes === 'number' ? value.bytes : recordBytes(value.body);
  return { ...value, v: RECORD_FORMAT_VERSION, bytes };
}

function isRecord(value: unknown): value is OutboxRecord {
  return (
    isObject(value) &&
    typeof value.id === 'string' &&
    Number.isSafeInteger(value.seq) &&
    typeof value.run === 'string' &&
    typeof value.kind === 'string' &&
    typeof value.bytes === 'number'
  );
}

function isObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
