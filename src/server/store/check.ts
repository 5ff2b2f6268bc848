import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DATABASE_FILE } from './open';
import { JOURNAL_FILE, checkJournal, type ImportReport } from './journal-import';
import { loadSqlite } from './sqlite';

export interface CheckReport {
  database: string;
  /** `PRAGMA integrity_check`'s findings: `['ok']` for a sound file; empty when there is no file. */
  integrity: string[];
  /** The JSONL journal of an earlier version in the folder, read as an import would read it. */
  journal: ImportReport | null;
  /** Journals this database imported (source file, entries, skipped lines). */
  imports: Array<{ source: string; imported_at: string; entries: number; skipped_lines: number }>;
  ok: boolean;
}

/**
 * `serve --check`: reads every page of the database (`PRAGMA integrity_check`) and every line of
 * a JSONL journal beside it, and writes nothing: the database is opened read-only.
 */
export async function checkStore(dataDir: string): Promise<CheckReport> {
  const database = join(dataDir, DATABASE_FILE);
  const journalFile = join(dataDir, JOURNAL_FILE);
  const journal = (await stat(journalFile).then(() => true, () => false)) ? checkJournal(journalFile) : null;
  const report: CheckReport = { database, integrity: [], journal, imports: [], ok: true };
  if (!(await stat(database).then(() => true, () => false))) return report;
  const Sqlite = await loadSqlite();
  try {
    const db = new Sqlite(database, { readonly: true, fileMustExist: true });
    try {
      const findings = db.pragma('integrity_check') as Array<{ integrity_check: unknown }>;
      report.integrity = findings.map((row) => String(row.integrity_check));
      const hasImports = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'journal_import'").get();
      if (hasImports) report.imports = db.prepare('SELECT source, imported_at, entries, skipped_lines FROM journal_import').all() as CheckReport['imports'];
    } finally {
      db.close();
    }
  } catch (error) {
    report.integrity = [`cannot be read: ${(error as Error).message}`];
  }
  report.ok = report.integrity.length === 1 && report.integrity[0] === 'ok';
  return report;
}

export function describeCheck(report: CheckReport): string {
  const lines: string[] = [];
  if (report.integrity.length === 0) lines.push(`${report.database}: no database yet`);
  else if (report.ok) lines.push(`${report.database}: ok (PRAGMA integrity_check)`);
  else lines.push(`${report.database}: DAMAGED`, ...report.integrity.map((finding) => `  ${finding}`));
  for (const done of report.imports) {
    lines.push(`imported ${done.source} at ${done.imported_at}: ${done.entries} entries, ${done.skipped_lines} line(s) skipped`);
  }
  if (report.journal) {
    const { file, entries, skipped } = report.journal;
    lines.push(`${file}: ${entries} readable entries, ${skipped.length} unreadable line(s)`);
    for (const skip of skipped) lines.push(`  ${file}:${skip.line}: ${skip.reason}`);
  }
  return lines.join('\n');
}
