/**
 * Journal append throughput per fsync policy, in records/s, with the outbox's write pattern: one
 * group commit per tick holding the records logged in that tick.
 *
 *   node --import tsx bench/journal-append.mjs [records=20000] [records per commit=10]
 *
 * `measureJournalAppend` is exported for bench/run.mjs.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openJournalStore } from '../src/node/journal-store.ts';

const CAPS = { maxRecords: 10_000_000, maxBytes: 10_000_000_000 };

function metricRecord(seq) {
  const body = { values: { step: seq, loss: 1 / seq, accuracy: seq / (seq + 1) }, created_at: new Date().toISOString() };
  const id = `018f${String(seq).padStart(28, '0')}`;
  return { v: 1, id, seq, run: 'bench-run', kind: 'metrics', body, createdAt: Date.now(), bytes: JSON.stringify(body).length };
}

/** Appends `records` records in commits of `perCommit` under `fsync`; resolves records/s. */
export async function measureJournalAppend({ fsync, records = 20_000, perCommit = 10 }) {
  const directory = await mkdtemp(join(tmpdir(), 'journal-bench-'));
  try {
    const store = await openJournalStore({ name: 'bench', caps: CAPS, directory, fsync });
    const started = performance.now();
    for (let seq = 1; seq <= records; seq += perCommit) {
      const batch = [];
      for (let i = seq; i < seq + perCommit && i <= records; i++) batch.push(metricRecord(i));
      await store.append(batch, CAPS);
    }
    await store.close();
    const seconds = (performance.now() - started) / 1000;
    return { fsync, records, perCommit, recordsPerSecond: Math.round(records / seconds), seconds };
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const records = Number(process.argv[2] ?? 20_000);
  const perCommit = Number(process.argv[3] ?? 10);
  console.log(`journal append, ${records} metric records, ${perCommit} per group commit, in ${tmpdir()}`);
  // Warm the JIT once so the first policy measured is not charged for compiling the store.
  await measureJournalAppend({ fsync: 'never', records: Math.min(records, 5000), perCommit });
  for (const fsync of ['never', 'interval', 'always']) {
    const result = await measureJournalAppend({ fsync, records, perCommit });
    console.log(`${fsync.padEnd(9)} ${String(result.recordsPerSecond).padStart(9)} records/s  (${result.seconds.toFixed(2)} s)`);
  }
}
