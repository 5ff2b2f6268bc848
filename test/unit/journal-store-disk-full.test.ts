import { readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { logger } from '../../src/runtime/logger';
import { openJournalStore } from '../../src/node/journal-store';
import { replayJournalFile } from '../../src/node/journal/replay';
import { testRecord } from '../helpers/store-contract';

const disk = vi.hoisted(() => ({ full: false }));

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const writeSync = ((...args: Parameters<typeof fs.writeSync>) => {
    if (disk.full) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    return (fs.writeSync as (...a: unknown[]) => number)(...args);
  }) as typeof fs.writeSync;
  return { ...fs, default: { ...fs, writeSync }, writeSync };
});

const CAPS = { maxRecords: 1e6, maxBytes: 1e9 };
let root = '';

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'journal-full-'));
  logger.resetWarnings();
  disk.full = false;
});

afterEach(async () => {
  disk.full = false;
  vi.restoreAllMocks();
  await rm(root, { recursive: true, force: true });
});

// The mocked write reaches the calling thread only: this is the store writing without its writer
// thread (runtimes without worker_threads). The thread's path on a really full disk: F39 in
// test/node/journal-disk-full.test.ts.
it('keeps working in memory with one warning when the disk fills up, and says so in its kind', async () => {
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  const store = await openJournalStore({ name: 'http://127.0.0.1:8000', caps: CAPS, directory: root, writerThread: false });
  await store.append([testRecord(1, 'a', 'create')], CAPS);
  expect(store.kind).toBe('journal');

  disk.full = true;
  await expect(store.append([testRecord(2, 'a', 'metrics')], CAPS)).resolves.toEqual({ evicted: 0 });
  await store.append([testRecord(3, 'a', 'metrics')], CAPS);
  expect(store.kind).toBe('memory');
  expect(warn).toHaveBeenCalledTimes(1);
  expect(String(warn.mock.calls[0][0])).toMatch(/ENOSPC.*memory only/);

  const claimed = await store.claim({ owner: 'o', leaseMs: 1000, now: 0, maxCount: 10, maxBytes: 1e6 });
  expect(claimed.map((record) => record.seq)).toEqual([1]);
  await store.close();
});

it('at exit, a journal that fell behind is rewritten from memory once more: the records kept in memory outlive the process', async () => {
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  vi.spyOn(console, 'info').mockImplementation(() => {});
  const store = await openJournalStore({ name: 'http://127.0.0.1:8000', caps: CAPS, directory: root, writerThread: false });
  await store.append([testRecord(1, 'a', 'create')], CAPS);
  disk.full = true;
  await store.append([testRecord(2, 'a', 'metrics')], CAPS);
  expect(store.kind).toBe('memory');

  // Freed a moment later, well within the wait between two rewrites while the process runs.
  disk.full = false;
  store.flushSync?.();
  expect(store.kind).toBe('journal');
  const [journal] = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.jsonl'));
  expect([...replayJournalFile(join(root, journal)).records.values()].map((record) => record.seq)).toEqual([1, 2]);
  await store.close();
});
