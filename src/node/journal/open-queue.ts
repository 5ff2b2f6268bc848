/**
 * Opening a queue folder: take a lock, adopt every journal whose owner is gone, merge them into
 * one fresh journal of this process (the compaction at open), then delete what was merged. One
 * adopted journal read whole is not written again: this process appends to it.
 *
 * Merged journals are deleted only after the new one is written and flushed, so a crash at any
 * point leaves every record in at least one file; the next open merges by record id, so a record
 * present twice is kept once.
 */
import { chmodSync, mkdirSync } from 'node:fs';
import { logger } from '../../runtime/logger';
import type { OutboxRecord } from '../../outbox/records';
import { headerLine } from './format';
import { JournalFile, type JournalFileOptions } from './journal-file';
import { endsWithNewline } from './read-lines';
import {
  adoptJournal,
  isJournalOwned,
  journalPathFor,
  journalPaths,
  lockPaths,
  releaseLock,
  removeQuietly,
  takeFreshLock,
  type OwnedJournal,
} from './ownership';
import { clearLease, emptyContents, queuedRecords, replayEntry, replayJournalFile, snapshotLines, type JournalContents } from './replay';

export interface OpenedQueue {
  owned: OwnedJournal;
  file: JournalFile;
  contents: JournalContents;
}

export function openQueue(directory: string, name: string, fileOptions: JournalFileOptions): OpenedQueue {
  // The queue holds the run's data: private to its user whatever the umask (F41).
  mkdirSync(directory, { recursive: true, mode: PRIVATE_FOLDER_MODE });
  keepPrivate(directory);
  const owned = takeFreshLock(directory);
  try {
    const adopted = adoptFreeJournals(directory, owned);
    const contents = mergeContents(adopted.map((journal) => journal.contents));
    // Every adopted journal's owner is gone, and its requests with it: waiting out its leases would
    // hold each run (and a crash's `failed` status behind it) for a whole lease. The batch keys
    // stay, so the retry is the same request under the same Idempotency-Key.
    const freed = contents.metrics.clearLeases();
    for (const record of contents.records.values()) {
      if (record.leaseUntil !== undefined) freed.push(record.id);
      clearLease(record);
    }
    const whole = adopted.length === 1 && endsWhole(adopted[0]) ? adopted[0] : undefined;
    if (whole) {
      // One journal, every line of it read: appending to it keeps the queue as a rewrite would,
      // without writing a long queue again (a million points took seconds at every start).
      releaseLock(owned);
      const file = JournalFile.append(whole.owned.journalPath, fileOptions);
      // The file says so too (`status` reads it), as a rewrite would.
      if (freed.length > 0) file.append(`${JSON.stringify({ op: 'release', ids: freed })}\n`);
      return { owned: whole.owned, file, contents };
    }
    const file = JournalFile.create(owned.journalPath, snapshotLines(headerLine(name, process.pid, Date.now()), contents), fileOptions);
    for (const journal of adopted) {
      removeQuietly(journal.owned.journalPath);
      releaseLock(journal.owned);
    }
    return { owned, file, contents };
  } catch (error) {
    releaseLock(owned);
    throw error;
  }
}

interface AdoptedJournal {
  owned: OwnedJournal;
  contents: JournalContents;
}

/**
 * Whether a journal can be appended to as it is: of the current format, every line read, the last
 * one ended (a line cut short by a crash would swallow the next one written after it).
 */
function endsWhole(journal: AdoptedJournal): boolean {
  const { contents, owned } = journal;
  return contents.version.kind === 'current' && contents.skippedLines === 0 && endsWithNewline(owned.journalPath);
}

function adoptFreeJournals(directory: string, own: OwnedJournal): AdoptedJournal[] {
  removeOrphanLocks(directory);
  const adopted: AdoptedJournal[] = [];
  for (const path of journalPaths(directory)) {
    if (path === own.journalPath || isJournalOwned(path)) continue;
    // Nobody writes a free journal, so what is read here is what the rename below takes over.
    let contents: JournalContents;
    try {
      contents = replayJournalFile(path);
    } catch (error) {
      // Gone meanwhile (another process adopted it), or unreadable: never adopted, so never deleted.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        logger.warnOnce('journal-unreadable', `left ${path} untouched: it cannot be read (${(error as Error).message})`);
      }
      continue;
    }
    if (contents.version.kind === 'unknown') {
      // F25: never delete what this version cannot read; a newer library drains it.
      logger.warnOnce(
        'journal-unknown-version',
        `left ${path} untouched: ${contents.version.detail} is not a journal format this version reads`,
      );
      continue;
    }
    const owned = adoptJournal(directory, path);
    if (!owned) continue;
    if (contents.skippedLines > 0) {
      logger.warnOnce(
        'journal-torn-line',
        `skipped ${contents.skippedLines} unreadable line(s) in ${path} (a write cut short by a crash)`,
      );
    }
    if (contents.version.kind === 'v0') logger.info(`migrated ${contents.records.size} record(s) from ${path}`);
    adopted.push({ owned, contents });
  }
  return adopted;
}

/** Locks left by a process that died between taking the lock and writing its journal. */
function removeOrphanLocks(directory: string): void {
  const journals = new Set(journalPaths(directory));
  for (const lockPath of lockPaths(directory)) {
    const journalPath = journalPathFor(lockPath);
    if (!journals.has(journalPath) && !isJournalOwned(journalPath)) removeQuietly(lockPath);
  }
}

/**
 * One queue from several journals: records in `seq` order (two processes that ran at the same
 * time each numbered their own records, so equal numbers keep their journal's order), meta
 * merged, and the next sequence number past all of them. A record in two journals (a crash
 * between writing the merged journal and deleting the others) is kept once.
 */
export function mergeContents(parts: JournalContents[]): JournalContents {
  if (parts.length === 1) return inSeqOrder(parts[0]);
  const merged = emptyContents();
  for (const part of parts) {
    for (const [key, value] of part.meta) merged.meta.set(key, value);
    merged.nextSeq = Math.max(merged.nextSeq, part.nextSeq);
  }
  const queues = parts.map((part) => queuedRecords(inSeqOrder(part), true)[Symbol.iterator]());
  const heads = queues.map((queue) => queue.next());
  // Copies of one record carry one `seq`: the ids met at the current one are all it takes.
  let seq = Number.NaN;
  const ids = new Set<string>();
  for (;;) {
    let next = -1;
    heads.forEach((head, i) => {
      if (!head.done && (next < 0 || head.value.seq < (heads[next].value as OutboxRecord).seq)) next = i;
    });
    if (next < 0) return merged;
    const record = heads[next].value as OutboxRecord;
    heads[next] = queues[next].next();
    if (record.seq !== seq) {
      seq = record.seq;
      ids.clear();
    }
    if (ids.has(record.id)) continue;
    ids.add(record.id);
    replayEntry(merged, { op: 'add', r: withBody(record) });
  }
}

/** The contents with `records` in `seq` order (a journal adds out of order only rarely). */
function inSeqOrder(contents: JournalContents): JournalContents {
  let last = -Infinity;
  for (const record of contents.records.values()) {
    if (record.seq < last) {
      const ordered = [...contents.records.values()].sort((a, b) => a.seq - b.seq);
      contents.records = new Map(ordered.map((one) => [one.id, one]));
      return contents;
    }
    last = record.seq;
  }
  return contents;
}

/** A metric table's record as a journal gives it back: its body parsed from its JSON. */
function withBody(record: OutboxRecord): OutboxRecord {
  const { json, ...fields } = record;
  return json === undefined ? record : { ...fields, body: JSON.parse(json) };
}

const PRIVATE_FOLDER_MODE = 0o700;

/** A queue folder made by an earlier version (0755) is made private too; best effort (Windows has no modes). */
function keepPrivate(directory: string): void {
  try {
    chmodSync(directory, PRIVATE_FOLDER_MODE);
  } catch {
    // Not ours to change (another user's folder) or no modes here: the files inside are 0600 still.
  }
}
