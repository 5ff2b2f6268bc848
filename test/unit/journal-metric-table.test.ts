/**
 * The journal store's metric table (metric points kept as columns, not objects): each record it
 * gives back is the one handed in, and a JournalStore whose points go through it (`stage`, as the
 * outbox's group commit hands them over) answers every claim, ack, release and unbatch as the
 * plain MemoryStore does, before and after a reopen.
 */
import { readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MetricTable } from '../../src/node/journal/metric-table';
import { openJournalStore } from '../../src/node/journal-store';
import { MemoryStore } from '../../src/outbox/memory-store';
import { RECORD_FORMAT_VERSION, newRecordId, recordIdKey, type OutboxRecord } from '../../src/outbox/records';
import type { ClaimOptions, OutboxStore, StoreCaps } from '../../src/outbox/store';
import { pythonDatetime } from '../../src/wire/format';
import { metricRecord } from '../helpers/metric-record';

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const START = Date.UTC(2026, 11, 4, 10, 0, 0);
const ROOMY: StoreCaps = { maxRecords: 1e7, maxBytes: 1e10 };

function statusRecord(seq: number, run: string, at: number): OutboxRecord {
  const body = { status: 'running' };
  const json = JSON.stringify(body);
  return { v: RECORD_FORMAT_VERSION, id: newRecordId(at), seq, run, kind: 'status', body, createdAt: at, bytes: json.length, json };
}

/**
 * Records with their body as JSON text: a store gives a batch's record its `json` (the request
 * needs only those characters), a record read back from a file its `body`; the characters are the same.
 */
function withBodyJson(records: OutboxRecord[]): Array<Omit<OutboxRecord, 'json'>> {
  return records.map(({ json, body, ...record }) => ({ ...record, body: json ?? JSON.stringify(body) }));
}

/** A record the table gives back, as it was handed in: its body parsed from the JSON it gives. */
function asHanded(record: OutboxRecord): string {
  const { json, ...rest } = record;
  return JSON.stringify({ ...rest, body: JSON.parse(json!) });
}

function valuesFor(next: () => number, step: number): Record<string, number | null> {
  const shape = next();
  if (shape < 0.7) return { step, loss: 1 / (step + 1), acc: step / (step + 100) };
  if (shape < 0.85) return { step, loss: null };
  if (shape < 0.95) return { [`k${Math.floor(next() * 5)}`]: -next() * 1e6, step };
  return { huge: Number.MAX_VALUE, tiny: Number.MIN_VALUE, negative: -0.5 };
}

describe('MetricTable', () => {
  it('gives back each record as handed in, field for field, across chunks and after the oldest are gone', () => {
    const next = random(7);
    const table = new MetricTable();
    const handed: OutboxRecord[] = [];
    let at = START;
    for (let seq = 10; seq < 10 + 150_000; seq++) {
      if (next() < 0.01) at += 1 + Math.floor(next() * 3);
      const record = metricRecord(seq, next() < 0.9 ? 'run-a' : 'run-b', valuesFor(next, seq), at);
      // Now and then a point stamped apart from its id's millisecond (a clock that stepped back).
      if (next() < 0.05) record.createdAt += 3;
      expect(table.add(record)).toBe(true);
      handed.push(record);
    }
    table.showThrough(10 + 100_000);
    expect(table.visibleCount).toBe(100_001);
    expect(table.visibleBytes).toBe(handed.slice(0, 100_001).reduce((sum, record) => sum + record.bytes, 0));
    // Looked up in no order (the cursor never helps): each visible one is found in its slot, in
    // either chunk; one not yet visible is not.
    for (let i = 0; i < 2_000; i++) {
      const record = handed[Math.floor(next() * 150_000)];
      const slot = table.find(record.id);
      if (record.seq <= 10 + 100_000) expect(table.keyAt(slot), record.id).toBe(recordIdKey(record.id));
      else expect(slot, record.id).toBe(-1);
    }
    // The oldest 70,000 go (more than a chunk: it is dropped), then every tenth of the rest.
    for (const record of handed.slice(0, 70_000)) table.remove(table.find(record.id));
    const left = handed.slice(70_000, 100_001).filter((_, i) => i % 10 !== 0);
    for (const [i, record] of handed.slice(70_000, 100_001).entries()) if (i % 10 === 0) table.remove(table.find(record.id));
    expect(table.visibleCount).toBe(left.length);
    const byRun: Record<string, number> = {};
    table.countInto(byRun);
    expect(byRun).toEqual({ 'run-a': left.filter((r) => r.run === 'run-a').length, 'run-b': left.filter((r) => r.run === 'run-b').length });

    const seen: OutboxRecord[] = [];
    for (let slot = table.head; slot < table.end(false); slot++) if (table.isLive(slot)) seen.push(table.record(slot, true));
    expect(seen.length).toBe(left.length);
    // The body's JSON byte for byte as JSON.stringify wrote it (the request body and the journal
    // line are made of it), every other field as handed in.
    seen.forEach((record, i) => {
      expect(record.json).toBe(JSON.stringify(left[i].body));
      expect(asHanded(record)).toBe(JSON.stringify(left[i]));
    });
    // Not yet visible: not found, but there for a rewrite of the file.
    expect(table.find(handed[120_000].id)).toBe(-1);
    expect(asHanded(table.record(table.end(true) - 1, true))).toBe(JSON.stringify(handed.at(-1)));

    // Everything goes, then a new burst fills the emptied chunks again: nothing of the old shows
    // (no lease, no gone flag, no createdAt apart).
    for (const record of left.slice(0, 5_000)) table.lease(table.find(record.id), START + 60_000, 'owner', 'batch-1');
    table.showThrough(10 + 150_000);
    for (const record of handed.slice(100_001)) table.remove(table.find(record.id));
    for (const record of left) table.remove(table.find(record.id));
    expect(table.size).toBe(0);
    const again: OutboxRecord[] = [];
    for (let seq = 200_000; seq < 200_000 + 70_000; seq++) {
      const record = metricRecord(seq, 'run-c', valuesFor(next, seq), at + 60_000 + Math.floor((seq - 200_000) / 1_000));
      expect(table.add(record)).toBe(true);
      again.push(record);
    }
    table.showThrough(270_000);
    const refilled: string[] = [];
    for (let slot = table.head; slot < table.end(false); slot++) if (table.isLive(slot)) refilled.push(asHanded(table.record(slot, true)));
    expect(refilled).toEqual(again.map((record) => JSON.stringify(record)));
  });

  it('takes its chunks from the memory it is given, one chunk ahead, and gives back the same records', () => {
    const table = new MetricTable();
    const handed: number[] = [];
    table.useMemory((bytes) => {
      handed.push(bytes);
      return new SharedArrayBuffer(bytes);
    });
    const records: OutboxRecord[] = [];
    for (let seq = 0; seq < 140_000; seq++) {
      const record = metricRecord(seq, 'run', { step: seq, loss: 1 / (seq + 1), acc: seq % 7 === 0 ? null : seq / 3 }, START + Math.floor(seq / 100));
      expect(table.add(record)).toBe(true);
      records.push(record);
    }
    // Slots 0, 65,536 and 131,072 opened a chunk: the first made on the spot, each next one ahead.
    expect(handed).toHaveLength(4);
    expect(new Set(handed).size).toBe(1);
    expect(handed[0]).toBeGreaterThanOrEqual(65_536 * (8 + 4 * 8 + 5 * 4 + 2 + 1));
    table.showThrough(140_000);
    for (const slot of [0, 65_535, 65_536, 131_071, 131_072, 139_999]) expect(asHanded(table.record(slot, true))).toBe(JSON.stringify(records[slot]));
  });

  it('takes fresh memory for a chunk when the memory given has none', () => {
    const table = new MetricTable();
    table.useMemory(() => undefined);
    for (let seq = 0; seq < 70_000; seq++) expect(table.add(metricRecord(seq, 'run', { step: seq }, START))).toBe(true);
    table.showThrough(70_000);
    expect(table.record(69_999, true).json).toBe(JSON.stringify({ values: { step: 69_999 }, created_at: pythonDatetime(START) }));
  });

  it('keeps a lease per batch: lease, release (the key stays) and unbatch show in the records', () => {
    const table = new MetricTable();
    const records = Array.from({ length: 6 }, (_, i) => metricRecord(i, 'run-a', { step: i }, START));
    for (const record of records) table.add(record);
    table.showThrough(5);
    const slots = records.map((record) => table.find(record.id));
    for (const slot of slots.slice(0, 3)) table.lease(slot, START + 30_000, 'tab-a', 'key-1');
    for (const slot of slots.slice(3)) table.lease(slot, START + 30_000, 'tab-b', 'key-2');
    expect(table.record(slots[0], true)).toMatchObject({ leaseUntil: START + 30_000, leaseOwner: 'tab-a', batch: 'key-1' });
    expect(table.record(slots[4], true)).toMatchObject({ leaseOwner: 'tab-b', batch: 'key-2' });
    for (const slot of slots.slice(0, 3)) table.release(slot);
    const released = table.record(slots[1], true);
    expect(released.batch).toBe('key-1');
    expect('leaseUntil' in released || 'leaseOwner' in released).toBe(false);
    table.unbatch(slots[4]);
    expect(table.record(slots[4], true)).toMatchObject({ leaseOwner: 'tab-b' });
    expect(table.record(slots[4], true).batch).toBeUndefined();
    expect(table.record(slots[5], true).batch).toBe('key-2');
  });

  it('refuses what it cannot keep: another process id, a seq out of order', () => {
    const table = new MetricTable();
    const first = metricRecord(5, 'run-a', { step: 1 }, START);
    expect(table.add(first)).toBe(true);
    expect(table.add({ ...metricRecord(6, 'run-a', { step: 2 }, START), id: '0190a1b2-c3d4-7000-8abc-def012345678' })).toBe(false);
    expect(table.add(metricRecord(4, 'run-a', { step: 3 }, START))).toBe(false);
    expect(table.size).toBe(1);
  });
});

/** A record as a journal of another process gives it back: its id ends with that process's suffix, its body parsed. */
function readBack(record: OutboxRecord, suffix: string): OutboxRecord {
  return JSON.parse(JSON.stringify({ ...record, id: record.id.slice(0, 18) + suffix }));
}

const OTHER = '-9abc-0123456789ab';
const ANOTHER = '-8def-ba9876543210';

describe('MetricTable taking points read back from a journal (adopt)', () => {
  it('gives each back field for field, its id ending as it did, and finds it by that id only', () => {
    const next = random(11);
    const table = new MetricTable();
    const read: OutboxRecord[] = [];
    let at = START;
    for (let seq = 0; seq < 70_000; seq++) {
      if (next() < 0.01) at += 1;
      const record = readBack(metricRecord(seq, seq % 3 === 0 ? 'run-b' : 'run-a', valuesFor(next, seq), at), seq < 40_000 ? OTHER : ANOTHER);
      expect(table.adopt(record), record.id).toBe(true);
      read.push(record);
    }
    // In the queue at once: counted and found.
    expect(table.visibleCount).toBe(70_000);
    expect(table.visibleBytes).toBe(read.reduce((sum, record) => sum + record.bytes, 0));
    for (let i = 0; i < 1_000; i++) {
      const record = read[Math.floor(next() * read.length)];
      const slot = table.find(record.id);
      expect(asHanded(table.record(slot, true))).toBe(JSON.stringify(record));
      expect(table.record(slot, true).json).toBe(JSON.stringify(record.body));
      // The same time and counter from another process is another record.
      expect(table.find(record.id.slice(0, 18) + (record.id.endsWith(OTHER) ? ANOTHER : OTHER))).toBe(-1);
    }
    // This process's own points follow them.
    const own = metricRecord(70_000, 'run-a', { step: 1 }, at + 10);
    expect(table.add(own)).toBe(true);
    table.showThrough(70_000);
    expect(table.record(table.find(own.id), true).id).toBe(own.id);
  });

  it('keeps the lease and batch key a read-back point carries, and frees the leases of a process that is gone', () => {
    const table = new MetricTable();
    const leased = { ...readBack(metricRecord(0, 'run-a', { step: 0 }, START), OTHER), leaseUntil: START + 30_000, leaseOwner: 'gone', batch: 'key-1' };
    const batched = { ...readBack(metricRecord(1, 'run-a', { step: 1 }, START), OTHER), batch: 'key-1' };
    const plain = readBack(metricRecord(2, 'run-a', { step: 2 }, START), OTHER);
    for (const record of [leased, batched, plain]) expect(table.adopt(record)).toBe(true);
    expect(asHanded(table.record(table.find(leased.id), true))).toBe(JSON.stringify(leased));
    expect(asHanded(table.record(table.find(batched.id), true))).toBe(JSON.stringify(batched));
    expect(table.clearLeases()).toEqual([leased.id]);
    expect(table.record(table.find(leased.id), true)).toMatchObject({ batch: 'key-1' });
    expect('leaseUntil' in table.record(table.find(leased.id), true)).toBe(false);
    expect(table.record(table.find(plain.id), true).batch).toBeUndefined();
  });

  it('gives back every created_at as it was: one per point, of other forms, and far apart', () => {
    // Made by hand: newRecordId's clock would stay weeks ahead for the tests after this one.
    const idAt = (ms: number, counter: number) =>
      `${ms.toString(16).padStart(12, '0').replace(/^(.{8})/, '$1-')}-7${counter.toString(16).padStart(3, '0')}${OTHER}`;
    const point = (seq: number, at: number, created_at: string): OutboxRecord => {
      const body = { values: { step: seq }, created_at };
      return { v: 1, id: idAt(at, seq % 4096), seq, run: 'run-a', kind: 'metrics', body, createdAt: at, bytes: JSON.stringify(body).length };
    };
    const table = new MetricTable();
    const read = Array.from({ length: 5_000 }, (_, seq) => point(seq, START + seq * 7, pythonDatetime(START + seq * 7)));
    // Weeks later: past what an instant's code reaches (24 days from the first) the text is kept as is.
    read.push(point(5_000, START + 30 * 86_400_000, pythonDatetime(START + 30 * 86_400_000)));
    // Other forms of created_at (an older version's, a time zone of its own): kept as text too.
    read.push(point(5_001, START + 30 * 86_400_000 + 1, '2024-04-25T00:00:00Z'));
    read.push(point(5_002, START + 30 * 86_400_000 + 2, '2024-04-25 00:00:00+02:00'));
    read.push(point(5_003, START + 30 * 86_400_000 + 3, pythonDatetime(START + 1)));
    for (const record of read) expect(table.adopt(record), record.id).toBe(true);
    const back: string[] = [];
    for (let slot = table.head; slot < table.end(false); slot++) back.push(asHanded(table.record(slot, true)));
    expect(back).toEqual(read.map((record) => JSON.stringify(record)));
    expect(table.visibleBytes).toBe(read.reduce((sum, record) => sum + record.bytes, 0));
  });

  it('refuses a point it would not give back as read: other fields, other values, another body, another id, out of order', () => {
    const table = new MetricTable();
    const point = (seq: number, change: (record: any) => void = () => {}) => {
      const record: any = readBack(metricRecord(seq, 'run-a', { step: seq, loss: 0.5 }, START), OTHER);
      change(record);
      return record as OutboxRecord;
    };
    expect(table.adopt(point(10))).toBe(true);
    const refused: Array<[string, OutboxRecord]> = [
      ['a field of its own', point(11, (r) => (r.extra = 1))],
      ['a body field of its own', point(12, (r) => (r.body.step = 1))],
      ['created_at before values', point(13, (r) => (r.body = { created_at: r.body.created_at, values: r.body.values }))],
      ['a boolean value', point(14, (r) => (r.body.values.loss = true))],
      ['a text value', point(15, (r) => (r.body.values.loss = '0.5'))],
      ['a nested value', point(16, (r) => (r.body.values.loss = { v: 1 }))],
      ['another format version', point(17, (r) => (r.v = 2))],
      ['another kind', point(18, (r) => (r.kind = 'logs'))],
      ['an id of another form', point(19, (r) => (r.id = `r${r.seq}`))],
      ['an id in capitals', point(20, (r) => (r.id = r.id.toUpperCase()))],
      ['a seq below the last', point(9)],
    ];
    for (const [why, record] of refused) expect(table.adopt(record), why).toBe(false);
    expect(table.size).toBe(1);
  });
});

describe('a JournalStore holding points in its metric table', () => {
  let root = '';
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  /** What the group commit does: stage each record at the call, then append those not taken with the group's last seq. */
  async function appendGroup(store: OutboxStore, group: OutboxRecord[]): Promise<void> {
    const rest = group.filter((record) => !store.stage!(record));
    await store.append(rest, ROOMY, group.at(-1)!.seq);
  }

  it('answers every claim, ack, release and unbatch as the MemoryStore does, before and after a reopen', async () => {
    root = await mkdtemp(join(tmpdir(), 'metric-table-'));
    const open = () => openJournalStore({ name: 'http://127.0.0.1:8000', caps: ROOMY, directory: root, compactMinBytes: 64 * 1024 });
    let journal = await open();
    const memory = new MemoryStore();
    const next = random(11);
    let seq = 0;
    let at = START;
    let takenCount = 0;
    const allIds: string[] = [];
    /** A reopen adopts the journal of a closed store: its leases end (open-queue.ts), their batch keys stay. */
    const reopen = async () => {
      await journal.close();
      journal = await open();
      await memory.release(allIds);
      leased.length = 0;
    };
    const leased: Array<{ owner: string; records: OutboxRecord[] }> = [];
    const owners = ['tab-a', 'tab-b'];
    for (let step = 0; step < 600; step++) {
      const roll = next();
      if (roll < 0.45) {
        at += Math.floor(next() * 3);
        const group: OutboxRecord[] = [];
        const size = 1 + Math.floor(next() * 300);
        for (let i = 0; i < size; i++) {
          const run = next() < 0.8 ? 'run-a' : 'run-b';
          group.push(next() < 0.03 ? statusRecord(seq++, run, at) : metricRecord(seq++, run, valuesFor(next, seq), at));
        }
        const copies = group.map((record) => ({ ...record }));
        takenCount += group.length;
        allIds.push(...group.map((record) => record.id));
        await appendGroup(journal, group);
        await memory.append(copies, ROOMY);
      } else if (roll < 0.75) {
        const options: ClaimOptions = {
          owner: owners[Math.floor(next() * 2)],
          leaseMs: 30_000,
          now: START,
          maxCount: 1 + Math.floor(next() * 400),
          maxBytes: 64 * 1024,
          runBatchesInFlight: next() < 0.5 ? 2 : 1,
        };
        const [fromJournal, fromMemory] = [await journal.claim(options), await memory.claim(options)];
        expect(withBodyJson(fromJournal), `step ${step}`).toEqual(withBodyJson(fromMemory));
        if (fromMemory.length > 0) leased.push({ owner: options.owner, records: fromMemory });
      } else if (leased.length > 0) {
        const { records } = leased.splice(Math.floor(next() * leased.length), 1)[0];
        const ids = records.map((record) => record.id);
        const what = next();
        if (what < 0.6) await Promise.all([journal.ack(ids), memory.ack(ids)]);
        else if (what < 0.85) await Promise.all([journal.release(ids), memory.release(ids)]);
        else await Promise.all([journal.unbatch(ids), memory.unbatch(ids)]);
      }
      if (step % 50 === 0) expect(await journal.count(), `step ${step}`).toEqual(await memory.count());
      if (step === 300) await reopen();
    }
    expect(takenCount).toBeGreaterThan(20_000);
    await reopen();
    expect(await journal.count()).toEqual(await memory.count());
    // Every lease ends; what is left comes out of both in the same batches.
    const drain: ClaimOptions = { owner: 'drain', leaseMs: 30_000, now: START + 60_000, maxCount: 10_000, maxBytes: 1e9 };
    for (;;) {
      const [fromJournal, fromMemory] = [await journal.claim(drain), await memory.claim(drain)];
      expect(withBodyJson(fromJournal)).toEqual(withBodyJson(fromMemory));
      if (fromMemory.length === 0) break;
      const ids = fromMemory.map((record) => record.id);
      await Promise.all([journal.ack(ids), memory.ack(ids)]);
    }
    await journal.close();
  });

  it('keeps the queue whole through a compaction taken a slice at a time while records come and go', async () => {
    root = await mkdtemp(join(tmpdir(), 'metric-table-'));
    // A slice budget of 0 ms: 64 lines a slice, so rewriting the 7,500 records left takes many turns
    // of the event loop, and appends, claims, acks, releases and meta land in between; acks empty
    // the table's first chunk of 65,536 slots meanwhile, and it is dropped under the walk.
    const open = () => openJournalStore({ name: 'http://127.0.0.1:8000', caps: ROOMY, directory: root, compactMinBytes: 64 * 1024, compactSliceMs: 0 });
    let journal = await open();
    const memory = new MemoryStore();
    const next = random(23);
    const folder = join(root, readdirSync(root)[0]);
    const journalSize = () => statSync(join(folder, readdirSync(folder).find((file) => file.endsWith('.jsonl'))!)).size;
    const compacting = () => readdirSync(folder).some((file) => file.endsWith('.tmp'));
    let seq = 0;
    const appendBoth = async (size: number, statuses = 0.03, run = 'run-a') => {
      const group = Array.from({ length: size }, () => (next() < statuses ? statusRecord(seq++, run, START) : metricRecord(seq++, run, valuesFor(next, seq), START)));
      const copies = group.map((record) => ({ ...record }));
      await appendGroup(journal, group);
      await memory.append(copies, ROOMY);
    };
    const claimBoth = async (options: ClaimOptions) => {
      const [fromJournal, fromMemory] = [await journal.claim(options), await memory.claim(options)];
      expect(withBodyJson(fromJournal)).toEqual(withBodyJson(fromMemory));
      return fromMemory.map((record) => record.id);
    };
    // Points only at first, so claims take them 5,000 at a time.
    for (let i = 0; i < 240; i++) await appendBoth(500, 0, i >= 130 && i < 144 ? 'run-b' : 'run-a');
    const sizeBefore = journalSize();
    const owner = { owner: 'a', leaseMs: 30_000, now: START, maxBytes: 1e9 };
    const ackBoth = async (ids: string[]) => Promise.all([journal.ack(ids), memory.ack(ids)]);
    const leased: string[][] = [];
    // Points 65,000 to 71,999 (another run) stay, leased as two batches: the first ends where the
    // table's first chunk of 65,536 slots ends. Every other point is acknowledged; once most of the
    // file is dead, it is rewritten.
    for (let i = 0; i < 13; i++) await ackBoth(await claimBoth({ ...owner, maxCount: 5_000 }));
    leased.push(await claimBoth({ ...owner, maxCount: 536 }), await claimBoth({ ...owner, maxCount: 6_464, runBatchesInFlight: 2 }));
    for (let ids = ['']; ids.length > 0 && !compacting(); ) await ackBoth((ids = await claimBoth({ ...owner, maxCount: 5_000 })));
    expect(compacting()).toBe(true);
    // The walk that writes the new file is on its way when the first chunk's last points go: the
    // chunk is dropped and every slot's index shifts under the walk, which must lose nothing.
    await ackBoth(leased.shift()!);
    expect(compacting()).toBe(true);
    // The rest of that run's points stay leased until the end; the changes take batches claimed later.
    const kept = leased.splice(0, 1);
    const during = new Set<string>();
    // Each kind of change in turn, a turn of the event loop (a slice) between two, until the
    // compaction is over (and the round is complete).
    const changes = ['claim', 'ack', 'release', 'claim', 'unbatch', 'meta', 'claim', 'append', 'append'];
    const someLeased = (change: string) => (change === 'ack' ? leased.shift() : leased.splice(Math.floor(next() * leased.length), 1)[0]) ?? [];
    for (let step = 0; step < 2_000 && (compacting() || step % changes.length !== 0); step++) {
      const change = changes[step % changes.length];
      if (compacting()) during.add(change);
      await new Promise((resolve) => setTimeout(resolve, 0));
      if (change === 'append') await appendBoth(1 + Math.floor(next() * 200));
      else if (change === 'claim') leased.push(await claimBoth({ ...owner, owner: next() < 0.5 ? 'a' : 'b', maxCount: 1 + Math.floor(next() * 300) }));
      else if (change === 'meta') await Promise.all([journal.setMeta('step', step), memory.setMeta('step', step)]);
      else {
        const ids = someLeased(change);
        if (change === 'ack') await ackBoth(ids);
        else if (change === 'release') await Promise.all([journal.release(ids), memory.release(ids)]);
        else await Promise.all([journal.unbatch(ids), memory.unbatch(ids)]);
      }
    }
    expect([...during].sort()).toEqual([...new Set(changes)].sort());
    expect(compacting()).toBe(false);
    expect(journalSize()).toBeLessThan(sizeBefore / 4);
    expect(await journal.count()).toEqual(await memory.count());

    // The next process reads the rewritten file back: the same queue (its leases end at a reopen).
    await journal.close();
    journal = await open();
    await memory.release([...kept, ...leased].flat());
    expect(await journal.count()).toEqual(await memory.count());
    expect(await journal.getMeta('step')).toEqual(await memory.getMeta('step'));
    for (;;) {
      const ids = await claimBoth({ ...owner, owner: 'drain', now: START + 60_000, maxCount: 10_000 });
      if (ids.length === 0) break;
      await ackBoth(ids);
    }
    await journal.close();
  });

  it('closed in the middle of a compaction taken a slice at a time: the rewrite is dropped, the old file holds the queue', async () => {
    root = await mkdtemp(join(tmpdir(), 'metric-table-'));
    const open = () => openJournalStore({ name: 'http://127.0.0.1:8000', caps: ROOMY, directory: root, compactMinBytes: 64 * 1024, compactSliceMs: 0 });
    let journal = await open();
    const next = random(29);
    const folder = join(root, readdirSync(root)[0]);
    const temps = () => readdirSync(folder).filter((file) => file.endsWith('.tmp'));
    const ids: string[] = [];
    for (let group = 0; group < 64; group++) {
      // A millisecond of its own for each group: ids made in one millisecond repeat after 4,096.
      const records = Array.from({ length: 1_000 }, (_, i) => metricRecord(ids.length + i, 'run-a', valuesFor(next, ids.length + i), START + group));
      ids.push(...records.map((record) => record.id));
      await appendGroup(journal, records);
    }
    // Acknowledged from the front until the file is rewritten: the 4,000 or so points left take
    // many turns at 64 lines a turn, and the store is closed during the first.
    const owner = { owner: 'a', leaseMs: 30_000, now: START, maxBytes: 1e9 };
    let acked = 0;
    while (temps().length === 0 && acked < ids.length) {
      const batch = await journal.claim({ ...owner, maxCount: 5_000 });
      await journal.ack(batch.map((record) => record.id));
      acked += batch.length;
    }
    expect(temps()).toHaveLength(1);
    expect(acked).toBeLessThan(ids.length);
    await journal.close();
    expect(temps()).toEqual([]);

    // The next open finds every point not acknowledged, in order.
    journal = await open();
    const found: string[] = [];
    for (;;) {
      const batch = await journal.claim({ ...owner, owner: 'next', now: START + 60_000, maxCount: 10_000 });
      if (batch.length === 0) break;
      found.push(...batch.map((record) => record.id));
      await journal.ack(batch.map((record) => record.id));
    }
    const expected = ids.slice(acked);
    expect(found).toEqual(expected);
    await journal.close();
  });

  it('evicts the oldest points from the table at the journal cap, and counts them', async () => {
    root = await mkdtemp(join(tmpdir(), 'metric-table-'));
    const store = await openJournalStore({ name: 'http://127.0.0.1:8000', caps: ROOMY, directory: root });
    const records = Array.from({ length: 2_000 }, (_, i) => metricRecord(i, 'run-a', { step: i, loss: 0.5 }, START));
    for (const record of records) expect(store.stage!(record)).toBe(true);
    const { evicted } = await store.append([], { ...ROOMY, maxJournalBytes: 100 * 1024 }, 1_999);
    expect(evicted).toBeGreaterThan(0);
    const { records: left } = await store.count();
    expect(left).toBe(2_000 - evicted);
    const claimed = await store.claim({ owner: 'a', leaseMs: 1_000, now: START, maxCount: 10_000, maxBytes: 1e9 });
    expect(claimed.map((record) => record.id)).toEqual(records.slice(evicted).map((record) => record.id));
    await store.close();
  });

  it('counts the lines of acknowledged points out of the journal cap: only what is left is weighed against it', async () => {
    root = await mkdtemp(join(tmpdir(), 'metric-table-'));
    const store = await openJournalStore({ name: 'http://127.0.0.1:8000', caps: ROOMY, directory: root });
    const records = Array.from({ length: 2_000 }, (_, i) => metricRecord(i, 'run-a', { step: i, loss: 0.5 }, START));
    for (const record of records) expect(store.stage!(record)).toBe(true);
    expect((await store.append([], ROOMY, 1_999)).evicted).toBe(0);
    const delivered = await store.claim({ owner: 'a', leaseMs: 1_000, now: START, maxCount: 1_000, maxBytes: 1e9 });
    await store.ack(delivered.map((record) => record.id));
    // 1,000 points of about 330 counted bytes each are left: over a 250 KB cap by about a quarter.
    // Were the acknowledged ones still counted, every point left would go.
    const { evicted } = await store.append([], { ...ROOMY, maxJournalBytes: 250 * 1024 }, 1_999);
    expect(evicted).toBeGreaterThan(0);
    expect(evicted).toBeLessThan(500);
    await store.close();
  });
});
