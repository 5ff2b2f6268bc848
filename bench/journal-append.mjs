/**
 * Journal append throughput per fsync policy, in records/s, with the outbox's write pattern: one
 * group commit per tick holding the records logged in that tick.
 *
 *   node --import tsx bench/journal-append.mjs [records=20000] [records per commit=10]
 *   node --import tsx bench/journal-append.mjs --json    (the comparison bench/run.mjs reports)
 *
 * The store is not part of the built package's API, so this runs against src/ through tsx;
 * bench/run.mjs starts it as a child process with `--json`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openJournalStore } from '../src/node/journal-store.ts';
import { median } from './lib/measure.mjs';

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

export const DEFAULT_FSYNC = 'interval';
const POLICIES = ['interval', 'always', 'never'];
/** 1 per commit: a loop logging once per tick, the worst case for `'always'`; 100: a burst in one tick. */
const COMMIT_SIZES = [1, 100];
const ROUNDS = 3;
const MAX_RECORDS_PER_ROUND = 5_000;
const ROUND_BUDGET_MS = 500;

/** One round on an open store: commits built first, then appended in turn until the count or the budget. */
async function timedRound(store, perCommit, firstSeq) {
  const commits = [];
  for (let seq = firstSeq; seq < firstSeq + MAX_RECORDS_PER_ROUND; seq += perCommit) {
    commits.push(Array.from({ length: perCommit }, (_, i) => metricRecord(seq + i)));
  }
  let appended = 0;
  const started = performance.now();
  for (const batch of commits) {
    await store.append(batch, CAPS);
    appended += batch.length;
    if (performance.now() - started >= ROUND_BUDGET_MS) break;
  }
  return { records: appended, ms: performance.now() - started };
}

/**
 * Every policy and commit size side by side: one open store each, rounds interleaved across them
 * so changes in machine load hit all alike, each round bounded by a record count and a time
 * budget, the first round a warm-up; records/s is the median over the other rounds. Nothing is
 * acked, so the queue grows across rounds as it does offline.
 */
export async function comparePolicies() {
  const directory = await mkdtemp(join(tmpdir(), 'journal-bench-'));
  const configs = POLICIES.flatMap((fsync) => COMMIT_SIZES.map((perCommit) => ({ fsync, perCommit, rates: [], counts: [], seq: 1 })));
  try {
    for (const config of configs) {
      config.store = await openJournalStore({ name: `bench-${config.fsync}-${config.perCommit}`, caps: CAPS, directory, fsync: config.fsync });
      if (config.store.kind !== 'journal') throw new Error(`the journal store fell back to ${config.store.kind}`);
    }
    for (let round = 0; round <= ROUNDS; round++) {
      for (const config of configs) {
        const measured = await timedRound(config.store, config.perCommit, config.seq);
        config.seq += measured.records;
        if (round === 0) continue;
        config.rates.push(measured.records / (measured.ms / 1000));
        config.counts.push(measured.records);
      }
    }
  } finally {
    for (const config of configs) await config.store?.close();
    await rm(directory, { recursive: true, force: true });
  }
  return configs.map(({ fsync, perCommit, rates, counts }) => ({
    fsync,
    perCommit,
    isDefault: fsync === DEFAULT_FSYNC,
    recordsPerSecond: median(rates),
    recordsPerRound: counts,
  }));
}

if (import.meta.url === pathToFileURL(process.argv[1]).href && process.argv.includes('--json')) {
  process.stdout.write(`${JSON.stringify(await comparePolicies())}\n`);
} else if (import.meta.url === pathToFileURL(process.argv[1]).href) {
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
