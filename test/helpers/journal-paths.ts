import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';

/**
 * For a test file's top level: gives a function that makes a fresh temp folder (named from
 * `prefix`) and returns the path of a `journal.jsonl` in it; the folders go after each test.
 */
export function journalPathsRemovedAfterEach(): (prefix: string) => string {
  const folders: string[] = [];
  afterEach(() => {
    for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
  });
  return (prefix) => {
    const folder = mkdtempSync(join(tmpdir(), prefix));
    folders.push(folder);
    return join(folder, 'journal.jsonl');
  };
}
