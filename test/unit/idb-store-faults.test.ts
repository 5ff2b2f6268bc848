import { IDBFactory, IDBKeyRange, IDBObjectStore as FDBObjectStore, forceCloseDatabase } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { logger } from '../../src/runtime/logger';
import type { OutboxStore } from '../../src/outbox/store';
import { databaseName, openBrowserStore, openIndexedDbStore } from '../../src/browser/idb-store';
import { outboxFixture } from '../helpers/outbox-fixture';
import { rawContents } from '../helpers/idb-raw';
import { testRecord, drainStore } from '../helpers/store-contract';

const NAME = 'http://127.0.0.1:8000';
const CAPS = { maxRecords: 1e6, maxBytes: 1e9 };
const CLAIM = { owner: 'tab', leaseMs: 30_000, now: 0, maxCount: 1000, maxBytes: 1e9 };

let factory: IDBFactory;
let warn: ReturnType<typeof vi.spyOn>;
const opened: OutboxStore[] = [];

async function track<T extends OutboxStore>(store: Promise<T>): Promise<T> {
  const value = await store;
  opened.push(value);
  return value;
}

const drain = (store: OutboxStore) => drainStore(store, CLAIM);

/** A factory whose `open` hangs forever for the first `hangs` calls, then behaves. */
function hangingFactory(hangs: number): IDBFactory {
  let calls = 0;
  return {
    open: (name: string, version?: number) => (++calls <= hangs ? ({} as IDBOpenDBRequest) : factory.open(name, version)),
    deleteDatabase: (name: string) => factory.deleteDatabase(name),
    cmp: (a: unknown, b: unknown) => factory.cmp(a, b),
    databases: () => factory.databases(),
  } as IDBFactory;
}

async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

beforeEach(() => {
  factory = new IDBFactory();
  logger.resetWarnings();
  warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
});

afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
  vi.restoreAllMocks();
});

describe('F13 IndexedDB missing or failing', () => {
  it('F13 falls back to memory with one warning when IndexedDB is missing', async () => {
    expect(globalThis.indexedDB).toBeUndefined();
    const first = await track(openBrowserStore({ name: NAME, caps: CAPS }));
    const second = await track(openBrowserStore({ name: NAME, caps: CAPS }));
    expect([first.kind, second.kind]).toEqual(['memory', 'memory']);
    expect(warn).toHaveBeenCalledTimes(1);
    await first.append([testRecord(1, 'a', 'create')], CAPS);
    expect(await drain(first)).toEqual([1]);
  });

  it('F13 falls back to memory when open() throws, without an unhandled rejection', async () => {
    const throwing = { open: () => { throw new DOMException('denied', 'SecurityError'); } } as unknown as IDBFactory;
    const store = await track(openBrowserStore({ name: NAME, caps: CAPS, keyRange: IDBKeyRange, indexedDB: throwing }));
    expect(store.kind).toBe('memory');
    expect(String(warn.mock.calls[0][0])).toMatch(/SecurityError/);
    await store.append([testRecord(1, 'a', 'metrics')], CAPS);
    expect((await store.count()).records).toBe(1);
  });

  it('F13 falls back to memory when the open request fails', async () => {
    const failing = {
      open: () => {
        const request = {} as { error: DOMException; onerror?: () => void };
        setTimeout(() => {
          request.error = new DOMException('broken', 'UnknownError');
          request.onerror?.();
        });
        return request;
      },
    } as unknown as IDBFactory;
    const store = await track(openBrowserStore({ name: NAME, caps: CAPS, keyRange: IDBKeyRange, indexedDB: failing }));
    expect(store.kind).toBe('memory');
    expect(warn).toHaveBeenCalledTimes(1);
    await expect(openIndexedDbStore({ name: NAME, caps: CAPS, keyRange: IDBKeyRange, indexedDB: failing })).rejects.toThrow(/broken/);
  });
});

describe('F14 open that never settles', () => {
  it('F14 times out to memory, retries IndexedDB later, and keeps the order across both', async () => {
    let now = 0;
    const store = await track(
      openBrowserStore({ name: NAME, caps: CAPS, keyRange: IDBKeyRange, indexedDB: hangingFactory(1), openTimeoutMs: 300, retryAfterMs: 1000, now: () => now }),
    );
    expect(store.kind).toBe('memory');
    expect(String(warn.mock.calls[0][0])).toMatch(/more than 300 ms/);
    await store.append([testRecord(1, 'a', 'create'), testRecord(2, 'a', 'metrics')], CAPS);
    await store.setMeta('run:a', { id: 4 });

    now = 1000;
    await store.count();
    await eventually(() => store.kind === 'indexeddb');
    await store.append([testRecord(3, 'a', 'metrics'), testRecord(4, 'a', 'status')], CAPS);

    const durable = await track(openIndexedDbStore({ name: NAME, caps: CAPS, keyRange: IDBKeyRange, indexedDB: factory }));
    expect((await durable.count()).records).toBe(2);
    expect(await durable.getMeta('run:a')).toEqual({ id: 4 });
    await durable.close();
    expect(await drain(store)).toEqual([1, 2, 3, 4]);
  });

  it('F14 openIndexedDbStore rejects after openTimeoutMs', async () => {
    const started = Date.now();
    await expect(openIndexedDbStore({ name: NAME, caps: CAPS, keyRange: IDBKeyRange, indexedDB: hangingFactory(1), openTimeoutMs: 40 })).rejects.toThrow(
      /more than 40 ms/,
    );
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('F15 quota exceeded', () => {
  it('F15 drops the oldest metrics, counts them and stores the new records', async () => {
    const store = await track(openBrowserStore({ name: NAME, caps: CAPS, keyRange: IDBKeyRange, indexedDB: factory }));
    await store.append([testRecord(1, 'a', 'create'), ...[2, 3, 4, 5, 6].map((seq) => testRecord(seq, 'a', 'metrics'))], CAPS);
    const put = FDBObjectStore.prototype.put;
    let failures = 1;
    vi.spyOn(FDBObjectStore.prototype, 'put').mockImplementation(function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
      if (this.name === 'records' && failures-- > 0) throw new DOMException('full', 'QuotaExceededError');
      return put.apply(this, args);
    });
    const result = await store.append([testRecord(7, 'a', 'metrics')], CAPS);
    expect(result.evicted).toBe(2);
    expect(store.kind).toBe('indexeddb');
    expect(await drain(store)).toEqual([1, 4, 5, 6, 7]);
  });

  it('F15 keeps new records in memory when the quota stays exceeded, never throwing', async () => {
    const store = await track(openBrowserStore({ name: NAME, caps: CAPS, keyRange: IDBKeyRange, indexedDB: factory }));
    await store.append([testRecord(1, 'a', 'create'), testRecord(2, 'a', 'metrics')], CAPS);
    const put = FDBObjectStore.prototype.put;
    vi.spyOn(FDBObjectStore.prototype, 'put').mockImplementation(function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
      if (this.name === 'records' && (args[0] as { seq: number }).seq >= 3) throw new DOMException('full', 'QuotaExceededError');
      return put.apply(this, args);
    });
    const result = await store.append([testRecord(3, 'a', 'status')], CAPS);
    expect(result.evicted).toBe(1);
    expect(store.kind).toBe('memory');
    expect(warn).toHaveBeenCalledTimes(1);
    expect(await drain(store)).toEqual([1, 3]);
  });
});

describe('F16 connection closed by the browser', () => {
  it('F16 reopens on the next operation after db.close() or a forced close', async () => {
    const connections: IDBDatabase[] = [];
    const open = factory.open.bind(factory);
    vi.spyOn(factory, 'open').mockImplementation((name, version) => {
      const request = open(name, version);
      request.addEventListener('success', () => connections.push(request.result));
      return request;
    });
    const store = await track(openIndexedDbStore({ name: NAME, caps: CAPS, keyRange: IDBKeyRange, indexedDB: factory }));
    await store.append([testRecord(1, 'a', 'metrics')], CAPS);
    connections[0].close();
    await store.append([testRecord(2, 'a', 'metrics')], CAPS);
    expect(connections).toHaveLength(2);
    // The browser's own close (storage cleared, device low on space) fires `close` on the connection.
    forceCloseDatabase(connections[1] as never);
    expect((await store.count()).records).toBe(2);
    expect(connections).toHaveLength(3);
    expect(await drain(store)).toEqual([1, 2]);
  });
});

describe('F25 older schema', () => {
  it('F25 migrates a version 1 database (one keyval store, records without v and bytes)', async () => {
    const request = factory.open(databaseName(NAME), 1);
    request.onupgradeneeded = () => {
      const legacy = request.result.createObjectStore('outbox');
      legacy.put({ id: 'old-1', seq: 7, run: 'a', kind: 'create', body: { name: 'x' }, createdAt: 1 }, 'r:000000000007');
      legacy.put({ id: 'old-2', seq: 8, run: 'a', kind: 'metrics', body: { values: { loss: 'é' } }, createdAt: 2 }, 'r:000000000008');
      legacy.put({ user: 'u', project: 'p', id: 3 }, 'm:run:a');
    };
    await new Promise((resolve) => (request.onsuccess = resolve));
    request.result.close();

    const store = await track(openIndexedDbStore({ name: NAME, caps: CAPS, keyRange: IDBKeyRange, indexedDB: factory }));
    expect(await store.getMeta('run:a')).toEqual({ user: 'u', project: 'p', id: 3 });
    expect(await store.nextSeq()).toBe(9);
    const bytes = JSON.stringify({ values: { loss: 'é' } }).length;
    expect(await store.count()).toMatchObject({ records: 2, bytes: 12 + bytes });
    const [create] = await store.claim(CLAIM);
    expect(create).toMatchObject({ id: 'old-1', v: 1, bytes: 12 });
    await store.ack([create.id]);
    expect(await drain(store)).toEqual([8]);
  });
});

describe('F25 version 2 layout', () => {
  it('F25 migrates a version 2 database (no run index): counts per run, and a batch claimed before comes back under its key', async () => {
    const metrics = (seq: number, run: string) => ({ v: 1, id: `${run}-${seq}`, seq, run, kind: 'metrics', body: { values: { step: seq } }, createdAt: seq, bytes: 20 });
    // A batch of two claimed by a page that went away: lease (run out) and key on its head only.
    const head = { ...metrics(1, 'a'), leaseUntil: 5, leaseOwner: 'gone', batch: 'a-1.2.0badc0de' };
    const request = factory.open(databaseName(NAME), 2);
    request.onupgradeneeded = () => {
      const records = request.result.createObjectStore('records', { keyPath: ['seq', 'id'] });
      records.createIndex('id', 'id', { unique: true });
      for (const record of [head, metrics(2, 'a'), metrics(3, 'b'), metrics(4, 'a')]) records.put(record);
      const meta = request.result.createObjectStore('meta');
      meta.put({ records: 3, bytes: 60 }, ['internal', 'totals']);
      meta.put({ records: 1, bytes: 20 }, ['internal', 'totals-delta', 'a-4']);
      meta.put({ user: 'u', project: 'p', id: 3 }, 'run:a');
    };
    await new Promise((resolve) => (request.onsuccess = resolve));
    request.result.close();

    const store = await track(openIndexedDbStore({ name: NAME, caps: CAPS, keyRange: IDBKeyRange, indexedDB: factory }));
    expect(await store.count()).toEqual({ records: 4, bytes: 80, byRun: { a: 3, b: 1 } });
    expect(await store.getMeta('run:a')).toEqual({ user: 'u', project: 'p', id: 3 });
    expect(await store.nextSeq()).toBe(5);
    const batch = await store.claim({ ...CLAIM, now: 1_000 });
    expect(batch.map((record) => [record.seq, record.batch])).toEqual([
      [1, head.batch],
      [2, head.batch],
    ]);
    await store.ack(batch.map((record) => record.id));
    expect(await store.count()).toEqual({ records: 2, bytes: 40, byRun: { a: 1, b: 1 } });
    expect(await drain(store)).toEqual([3, 4]);
  });
});

describe('security', () => {
  it('never writes the token: no stored value holds the token the settings carry', async () => {
    const store = await track(openBrowserStore({ name: NAME, caps: CAPS, keyRange: IDBKeyRange, indexedDB: factory }));
    const { outbox, settings } = outboxFixture({ store, startOffline: true });
    settings.token = 'tok-3c1f9a7e5b';
    await outbox.setRunTarget('run-1', { user: 'u', project: 'p', id: 7 });
    outbox.append({ run: 'run-1', kind: 'metrics', body: { values: { loss: 0.5 }, created_at: '2024-01-01T00:00:00Z' } });
    outbox.append({ run: 'run-1', kind: 'status', body: { status: 'running' } });
    await outbox.persist();
    const stored = JSON.stringify(await rawContents(factory, NAME));
    expect(stored).toContain('running');
    expect(stored).not.toContain('tok-3c1f9a7e5b');
    await outbox.close({ timeoutMs: 100 });
  });
});
