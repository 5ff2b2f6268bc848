/**
 * Read-only views of the outbox folders, for `polyaxon-tracking status` and `sync`: which queues
 * exist, which journals they hold, whether a live process owns each, and what is pending.
 * Nothing here takes a lock or changes a file; to deliver, open the queue with
 * `openJournalStore({ name })`, which adopts every journal whose owner is gone.
 */
import { closeSync, openSync, readSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { FileVersion } from './format';
import { isJournalOwned, journalPaths } from './ownership';
import { replayJournal, replayJournalFile, type JournalContents } from './replay';

export interface JournalInfo {
  path: string;
  /** Queue name (target server) from the header; absent in version 0 files. */
  name?: string;
  /** A live process holds this journal; its records are that process's to send. */
  owned: boolean;
  version: FileVersion;
  sizeBytes: number;
}

export interface QueueInfo {
  /** Queue name from the first journal that records it (folder names are sanitised). */
  name?: string;
  directory: string;
  journals: JournalInfo[];
}

/** The journals in one queue folder, oldest name first. */
export function listJournals(directory: string): JournalInfo[] {
  const infos: JournalInfo[] = [];
  for (const path of journalPaths(directory)) {
    let head: JournalContents;
    let sizeBytes: number;
    try {
      sizeBytes = statSync(path).size;
      head = replayJournal(readFirstLine(path));
    } catch {
      continue;
    }
    infos.push({ path, name: head.name, owned: isJournalOwned(path), version: head.version, sizeBytes });
  }
  return infos;
}

/** The header line, read without loading a journal that may hold a long queue. */
function readFirstLine(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(64 * 1024);
    const length = readSync(fd, buffer, 0, buffer.length, 0);
    const text = buffer.subarray(0, length).toString('utf8');
    const end = text.indexOf('\n');
    return end < 0 ? text : text.slice(0, end + 1);
  } finally {
    closeSync(fd);
  }
}

/** Every queue folder under the outbox root (see `outboxRoot()`). */
export function listQueues(root: string): QueueInfo[] {
  let names: string[];
  try {
    names = readdirSync(root, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
  } catch {
    return [];
  }
  return names.map((folder) => {
    const directory = join(root, folder);
    const journals = listJournals(directory);
    return { name: journals.find((journal) => journal.name)?.name, directory, journals };
  });
}

/** What one journal holds (pending records in `seq` order, meta), without adopting it. */
export function readJournal(path: string): JournalContents {
  return replayJournalFile(path);
}
