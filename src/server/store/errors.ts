/**
 * What can go wrong with the server's database, as errors that carry the message a person needs:
 * which file, and which command checks it.
 */

export const CHECK_COMMAND = 'polyaxon-tracking serve --check --data';

/** better-sqlite3 is an optional dependency: a client-only install does not have it. */
export class StoreUnavailableError extends Error {
  constructor(cause: unknown) {
    super(
      'the local server needs the optional dependency better-sqlite3, which is not installed ' +
        `(${(cause as Error)?.message ?? String(cause)}). Install it with \`npm install better-sqlite3@~12.11.1\` ` +
        '(it builds from source: python3, make and a C++ compiler are needed when no prebuilt binary fits).',
      { cause },
    );
  }
}

/** The database file cannot be read as a sound SQLite database; nothing was written to it. */
export class DamagedStoreError extends Error {
  constructor(
    readonly file: string,
    readonly dataDir: string,
    detail: string,
  ) {
    super(
      `the server's database ${file} is damaged (${detail}); it was left as it is. ` +
        `Check it with \`${CHECK_COMMAND} ${dataDir}\`, then restore it from a backup or move it aside to start afresh.`,
    );
  }
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}

/**
 * No space, or the device refused the write (SQLITE_FULL, SQLITE_IOERR_*, ENOSPC, EIO, EDQUOT):
 * the request was not stored and may be retried once space is freed.
 */
export function isStorageFull(error: unknown): boolean {
  const code = codeOf(error);
  return code === 'SQLITE_FULL' || code.startsWith('SQLITE_IOERR') || code === 'ENOSPC' || code === 'EIO' || code === 'EDQUOT';
}

/** SQLite found a page or a record it cannot read (SQLITE_CORRUPT, SQLITE_NOTADB). */
export function isDamage(error: unknown): boolean {
  const code = codeOf(error);
  return code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB';
}
