/**
 * A journal replaced by a rewrite (compaction, recovery): appends go to the new file, and the old
 * one's descriptor, closed off the calling thread (freeing a large unlinked file took 60–150 ms
 * there), is closed all the same, after a flush of it still running in the background.
 */
import { existsSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { expect, it } from 'vitest';
import { JournalFile } from '../../src/node/journal/journal-file';
import { eventually } from '../helpers/fault-setup';
import { journalPathsRemovedAfterEach } from '../helpers/journal-paths';

const newJournalPath = journalPathsRemovedAfterEach();
const hasProcFd = existsSync('/proc/self/fd');

/** This process's descriptors open on `path` after a rename replaced it (Linux names them "… (deleted)"). */
function replacedDescriptors(path: string): number {
  let count = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === `${path} (deleted)`) count++;
    } catch {
      // The listing's own descriptor, closed by now.
    }
  }
  return count;
}

for (const thread of [true, false]) {
  it.skipIf(!hasProcFd)(`${thread ? 'with' : 'without'} a writer thread: each replaced file's descriptor is closed, a flush of it running or not`, async () => {
    const path = newJournalPath('replace-');
    const file = JournalFile.create(path, ['first\n'], { fsync: 'interval', fsyncIntervalMs: 1, unrefTimer: () => {}, ring: { ringBytes: 1 << 16, thread } });
    try {
      for (let round = 0; round < 20; round++) {
        file.append(`appended ${round}\n`);
        await file.written();
        // Every other round right after the interval's flush of the file began.
        if (round % 2 === 1) await new Promise((resolve) => setTimeout(resolve, 2));
        file.replace([`round ${round}\n`], `${path}.tmp`);
      }
      file.append('last\n');
      await file.written();
      expect(readFileSync(path, 'utf8')).toBe('round 19\nlast\n');
      await eventually(() => replacedDescriptors(path) === 0, 1_000);
      expect(replacedDescriptors(path)).toBe(0);
    } finally {
      await file.close();
    }
  });
}
