import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * Writes files under `folder`, creating folders as needed; resolves with the last file's path.
 * Paths were checked by the caller (src/wire/output-path.ts: no `..`, no absolute paths).
 */
export async function writeFiles(folder: string, files: Array<{ path: string; bytes: Uint8Array }>): Promise<string> {
  let where = folder;
  for (const file of files) {
    where = join(folder, file.path);
    await mkdir(dirname(where), { recursive: true });
    await writeFile(where, file.bytes);
  }
  return where;
}
