/**
 * JournalRewrite's last step: the lines, then what was appended to the old file meanwhile, renamed
 * over it. After a flush in the background under 'interval', the last piece is left to the
 * policy's next flush (the file is installed dirty); otherwise it is flushed before the rename.
 */
import { appendFileSync, closeSync, readFileSync, writeFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import type { FsyncPolicy } from '../../src/node/journal/file-io';
import { JournalRewrite, type RewriteTarget } from '../../src/node/journal/rewrite';
import { journalPathsRemovedAfterEach } from '../helpers/journal-paths';

const newJournalPath = journalPathsRemovedAfterEach();

function journal(fsync: FsyncPolicy) {
  const path = newJournalPath('rewrite-');
  writeFileSync(path, 'old 1\nold 2\n');
  const installed: { size: number; dirty: boolean }[] = [];
  const target: RewriteTarget = {
    path,
    fsync,
    flushSync: () => true,
    install: (fd, size, dirty) => {
      closeSync(fd);
      installed.push({ size, dirty });
    },
  };
  return { path, target, installed };
}

for (const [fsync, syncedInBackground, dirty] of [
  ['interval', true, true],
  ['interval', false, false],
  ['always', true, false],
  ['never', true, false],
] as const) {
  it(`${fsync}, ${syncedInBackground ? 'after' : 'without'} a flush in the background: the new file is whole and installed ${dirty ? 'dirty' : 'flushed'}`, async () => {
    const { path, target, installed } = journal(fsync);
    const rewrite = new JournalRewrite(target, ['new 1\n', 'new 2\n'], `${path}.tmp`, true);
    appendFileSync(path, 'appended 1\n');
    expect(rewrite.step(Infinity)).toBe(true);
    if (syncedInBackground) await rewrite.syncInBackground();
    appendFileSync(path, 'appended 2\n');
    rewrite.finish(syncedInBackground);
    const text = 'new 1\nnew 2\nappended 1\nappended 2\n';
    expect(readFileSync(path, 'utf8')).toBe(text);
    expect(installed).toEqual([{ size: text.length, dirty }]);
  });
}
