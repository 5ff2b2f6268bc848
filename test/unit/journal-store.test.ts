import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openJournalStore } from '../../src/node/journal-store';
import { runStoreContract } from '../helpers/store-contract';

let root = '';

async function openFresh() {
  root = await mkdtemp(join(tmpdir(), 'journal-contract-'));
  return openJournalStore({ name: 'http://127.0.0.1:8000', caps: { maxRecords: 1e6, maxBytes: 1e9 }, directory: root });
}

runStoreContract(
  'JournalStore',
  openFresh,
  async () => {
    await rm(root, { recursive: true, force: true });
  },
  {
    reopen: () => openJournalStore({ name: 'http://127.0.0.1:8000', caps: { maxRecords: 1e6, maxBytes: 1e9 }, directory: root }),
  },
);

runStoreContract(
  "JournalStore with fsync 'always'",
  async () => {
    root = await mkdtemp(join(tmpdir(), 'journal-contract-'));
    return openJournalStore({ name: 'http://127.0.0.1:8000', caps: { maxRecords: 1e6, maxBytes: 1e9 }, directory: root, fsync: 'always' });
  },
  async () => {
    await rm(root, { recursive: true, force: true });
  },
);
