/**
 * Who owns which journal, across processes.
 *
 * Every process writes only its own journal `<pid>-<random>.jsonl`, next to a lock file
 * `<pid>-<random>.lock` created with O_EXCL before the journal and removed after a clean close.
 * A journal is free when its lock is missing (clean close) or names a process that is gone
 * (`process.kill(pid, 0)` fails with ESRCH: SIGKILL, power loss). A new process adopts free
 * journals by first taking a fresh lock of its own, then renaming the journal under that lock:
 * rename is atomic, so when two processes race for one journal only one rename finds the file,
 * and each record ends up in exactly one live queue, which is what keeps claims exclusive without
 * any lock held across processes while sending.
 *
 * Limits, stated rather than hidden: a lock written on another host (a home folder on NFS) is
 * treated as live since its pid cannot be checked; a dead owner's pid reused by an unrelated
 * long-lived process keeps that journal waiting until that process ends.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, readdirSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

export const JOURNAL_SUFFIX = '.jsonl';
const LOCK_SUFFIX = '.lock';
const TEMP_SUFFIX = '.tmp';

interface LockContent {
  pid: number;
  host: string;
}

/** A journal this process holds: its path and the lock that keeps other processes out. */
export interface OwnedJournal {
  base: string;
  journalPath: string;
  lockPath: string;
}

export function lockPathFor(journalPath: string): string {
  return journalPath.slice(0, -JOURNAL_SUFFIX.length) + LOCK_SUFFIX;
}

export function journalPathFor(lockPath: string): string {
  return lockPath.slice(0, -LOCK_SUFFIX.length) + JOURNAL_SUFFIX;
}

export function tempPathFor(journalPath: string): string {
  return journalPath + TEMP_SUFFIX;
}

/** Takes a fresh, unique lock in `directory`; throws when the folder is not writable. */
export function takeFreshLock(directory: string): OwnedJournal {
  const base = `${process.pid}-${randomBytes(6).toString('hex')}`;
  const journalPath = join(directory, base + JOURNAL_SUFFIX);
  const lockPath = join(directory, base + LOCK_SUFFIX);
  const fd = openSync(lockPath, 'wx', 0o600);
  try {
    const content: LockContent = { pid: process.pid, host: hostname() };
    writeSync(fd, JSON.stringify(content));
  } finally {
    closeSync(fd);
  }
  return { base, journalPath, lockPath };
}

export function releaseLock(owned: OwnedJournal): void {
  removeQuietly(owned.lockPath);
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when the journal's lock names a live process (or one we cannot check). */
export function isJournalOwned(journalPath: string, ownPaths: ReadonlySet<string> = new Set()): boolean {
  if (ownPaths.has(journalPath)) return true;
  let text: string;
  try {
    text = readFileSync(lockPathFor(journalPath), 'utf8');
  } catch {
    return false;
  }
  let lock: Partial<LockContent>;
  try {
    lock = JSON.parse(text);
  } catch {
    // A lock being written right now is empty for an instant; only its owner could be writing it.
    return true;
  }
  if (typeof lock.pid !== 'number') return true;
  if (lock.host !== undefined && lock.host !== hostname()) return true;
  return isProcessAlive(lock.pid);
}

export function journalPaths(directory: string): string[] {
  return pathsEndingWith(directory, JOURNAL_SUFFIX);
}

export function lockPaths(directory: string): string[] {
  return pathsEndingWith(directory, LOCK_SUFFIX);
}

function pathsEndingWith(directory: string, suffix: string): string[] {
  let names: string[];
  try {
    names = readdirSync(directory);
  } catch {
    return [];
  }
  return names
    .filter((name) => name.endsWith(suffix))
    .sort()
    .map((name) => join(directory, name));
}

/**
 * Moves a free journal under a fresh lock of this process. Null when another process took it
 * first (the rename found nothing) or it turned out to be owned.
 */
export function adoptJournal(directory: string, journalPath: string): OwnedJournal | null {
  if (isJournalOwned(journalPath)) return null;
  const adopted = takeFreshLock(directory);
  try {
    renameSync(journalPath, adopted.journalPath);
  } catch {
    releaseLock(adopted);
    return null;
  }
  // The previous owner is gone; its stale lock and half-written compaction are garbage now.
  removeQuietly(lockPathFor(journalPath));
  removeQuietly(tempPathFor(journalPath));
  return adopted;
}

export function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone: the outcome we wanted.
  }
}
