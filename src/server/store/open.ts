import { chmod, open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { WalSync } from './durability';
import { DamagedStoreError, isDamage } from './errors';
import { JOURNAL_FILE, importJournal, type ImportReport } from './journal-import';
import { migrate } from './migrations';
import { loadSqlite, type Database } from './sqlite';
import { ServerStore } from './store';

/** The database in the data folder; SQLite keeps `-wal` and `-shm` files beside it. */
export const DATABASE_FILE = 'server.db';

/** SQLite's page cache: enough for the hot pages, bounded so a big store starts small (RSS). */
const CACHE_KIB = 32 * 1024;
/** Pages (4 KiB) the WAL grows to before a checkpoint: 16 MiB. */
const WAL_CHECKPOINT_PAGES = 4000;

export interface OpenStoreOptions {
  /** A folder holding `journal.jsonl` of an earlier version to import; the store must be empty. */
  importFrom?: string;
}

export interface OpenedStore {
  store: ServerStore;
  /** What was imported from a JSONL journal at this start, if anything. */
  imported: ImportReport | null;
}

/**
 * Opens (creating if needed) the store of `dataDir`: the file is created 0600 before SQLite sees
 * it, so the -wal and -shm files SQLite creates beside it get the same mode whatever the umask.
 * A file SQLite cannot read is refused with DamagedStoreError before anything is written to it.
 * On a first start beside a `journal.jsonl` of an earlier version, that journal is imported.
 */
export async function openStore(dataDir: string, options: OpenStoreOptions = {}): Promise<OpenedStore> {
  const file = join(dataDir, DATABASE_FILE);
  const Sqlite = await loadSqlite();
  await createPrivately(file);
  let db: Database;
  try {
    db = new Sqlite(file, { fileMustExist: true });
  } catch (error) {
    if (isDamage(error)) throw new DamagedStoreError(file, dataDir, (error as Error).message);
    throw error;
  }
  try {
    await refuseDamage(db, file, dataDir);
    db.pragma('journal_mode = WAL');
    // NORMAL plus WalSync's fsync before every acknowledgement: see durability.ts.
    db.pragma('synchronous = NORMAL');
    db.pragma(`cache_size = -${CACHE_KIB}`);
    // Checkpoints copy each changed page once however often it changed since the last one: a
    // larger WAL means less copying (pages rewritten by every request: a run's row, series
    // tails, b-tree interiors). Recovery after a crash reads at most this much.
    db.pragma(`wal_autocheckpoint = ${WAL_CHECKPOINT_PAGES}`);
    // A big import leaves a big WAL; it is cut back to this once checkpointed.
    db.pragma(`journal_size_limit = ${64 * 1024 * 1024}`);
    migrate(db, file);
  } catch (error) {
    db.close();
    if (isDamage(error)) throw new DamagedStoreError(file, dataDir, (error as Error).message);
    throw error;
  }
  for (const suffix of ['-wal', '-shm']) await tighten(`${file}${suffix}`);
  const store = new ServerStore(db, file, new WalSync(`${file}-wal`, dataDir));

  let imported: ImportReport | null = null;
  try {
    const source = options.importFrom ?? (isEmpty(db) && (await exists(join(dataDir, JOURNAL_FILE))) ? dataDir : undefined);
    if (source !== undefined) {
      if (!isEmpty(db)) throw new Error(`--import needs an empty store, and ${file} already holds data`);
      imported = importJournal(store, join(source, JOURNAL_FILE));
      await store.durable();
    }
  } catch (error) {
    await store.close();
    throw error;
  }
  return { store, imported };
}

/** Nothing was ever stored: no id handed out, no journal imported. */
function isEmpty(db: Database): boolean {
  const used = db.prepare('SELECT SUM(last_id) FROM id_sequence').pluck().get() as number;
  const imports = db.prepare('SELECT COUNT(*) FROM journal_import').pluck().get() as number;
  return used === 0 && imports === 0;
}

/**
 * Reads what a start needs (header, schema, versions, sequences) and compares the file's size
 * with the page count its header claims: a file cut short is damaged even where no page read at
 * start touches the missing part. `serve --check` reads every page.
 */
async function refuseDamage(db: Database, file: string, dataDir: string): Promise<void> {
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
  if (tables.length === 0) return;
  if (!tables.includes('schema_migration')) {
    throw new Error(`${file} is not a polyaxon-tracking database (no schema_migration table); move it aside or use another --data folder`);
  }
  db.prepare('SELECT * FROM id_sequence').all();
  const walBytes = await stat(`${file}-wal`).then((info) => info.size, () => 0);
  if (walBytes === 0) {
    const pages = db.pragma('page_count', { simple: true }) as number;
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    const { size } = await stat(file);
    if (size < pages * pageSize) {
      throw new DamagedStoreError(file, dataDir, `the file has ${size} bytes but its header counts ${pages} pages of ${pageSize} bytes`);
    }
  }
}

async function createPrivately(file: string): Promise<void> {
  const handle = await open(file, 'a', 0o600);
  await handle.close();
  await tighten(file);
}

/** A file restored from a backup may have lost its mode; the data stays private (F41). */
async function tighten(file: string): Promise<void> {
  const mode = await stat(file).then((info) => info.mode & 0o777, () => undefined);
  if (mode !== undefined && mode & 0o077) await chmod(file, 0o600).catch(() => undefined);
}

function exists(file: string): Promise<boolean> {
  return stat(file).then(() => true, () => false);
}
