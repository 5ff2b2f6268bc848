import { evictBeyondCaps } from './eviction';
import { shallowCopy, type OutboxRecord } from './records';
import { selectBatch } from './select-batch';
import type { AppendResult, ClaimOptions, OutboxStore, StoreCaps, StoreKind } from './store';

/**
 * The queue kept in memory only: the fallback when no durable store opens (F13), and the store of
 * unit tests. Every method runs synchronously inside one call, which makes each one atomic.
 * Records are copied in and out, so a caller mutating its objects never changes the queue (a record
 * serialised at the call shares its body: the request sends its `json`).
 */
export class MemoryStore implements OutboxStore {
  readonly kind: StoreKind = 'memory';
  /** A claim gives copies (`copyRecord`). */
  readonly claimsCopies: boolean = true;
  /** Ascending `seq`: appends arrive in order, and the outbox assigns `seq` in order. */
  private records: OutboxRecord[] = [];
  /** Sum of the records' `bytes`, kept up to date so an append checks the caps without a scan. */
  private bytes = 0;
  private readonly meta = new Map<string, unknown>();
  private seqAfterLast = 0;
  private closed = false;

  async append(records: OutboxRecord[], caps: StoreCaps): Promise<AppendResult> {
    this.assertOpen();
    const copies = records.map(copyRecord);
    for (const record of copies) this.seqAfterLast = Math.max(this.seqAfterLast, record.seq + 1);
    const last = this.records[this.records.length - 1];
    for (const record of copies) {
      this.records.push(record);
      this.bytes += record.bytes;
    }
    if (last && copies.some((record) => record.seq < last.seq)) this.records.sort((a, b) => a.seq - b.seq);
    if (this.records.length <= caps.maxRecords && this.bytes <= caps.maxBytes) return { evicted: 0 };
    const evicted = evictBeyondCaps(this.records, caps, this.bytes);
    this.bytes = this.sumBytes();
    return { evicted };
  }

  async claim(options: ClaimOptions): Promise<OutboxRecord[]> {
    this.assertOpen();
    const selected = selectBatch(this.records, options);
    if (!selected) return [];
    const leaseUntil = options.now + options.leaseMs;
    for (const record of selected.records) {
      record.leaseUntil = leaseUntil;
      record.leaseOwner = options.owner;
      record.batch = selected.batch;
    }
    return selected.records.map(copyRecord);
  }

  async ack(ids: string[], meta?: Record<string, unknown>): Promise<void> {
    this.assertOpen();
    const gone = new Set(ids);
    this.records = this.records.filter((record) => {
      if (!gone.has(record.id)) return true;
      this.bytes -= record.bytes;
      return false;
    });
    for (const [key, value] of Object.entries(meta ?? {})) this.meta.set(key, copyJson(value));
  }

  async release(ids: string[]): Promise<void> {
    this.assertOpen();
    this.forEachOf(ids, (record) => {
      delete record.leaseUntil;
      delete record.leaseOwner;
    });
  }

  async unbatch(ids: string[]): Promise<void> {
    this.assertOpen();
    this.forEachOf(ids, (record) => delete record.batch);
  }

  async count(): Promise<{ records: number; bytes: number; byRun: Record<string, number> }> {
    this.assertOpen();
    const byRun: Record<string, number> = {};
    let bytes = 0;
    for (const record of this.records) {
      byRun[record.run] = (byRun[record.run] ?? 0) + 1;
      bytes += record.bytes;
    }
    return { records: this.records.length, bytes, byRun };
  }

  async getMeta(key: string): Promise<unknown> {
    this.assertOpen();
    return copyJson(this.meta.get(key));
  }

  async setMeta(key: string, value: unknown): Promise<void> {
    this.assertOpen();
    this.meta.set(key, copyJson(value));
  }

  async nextSeq(): Promise<number> {
    this.assertOpen();
    return this.seqAfterLast;
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private sumBytes(): number {
    let bytes = 0;
    for (const record of this.records) bytes += record.bytes;
    return bytes;
  }

  private forEachOf(ids: string[], change: (record: OutboxRecord) => void): void {
    const wanted = new Set(ids);
    for (const record of this.records) if (wanted.has(record.id)) change(record);
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the memory store is closed');
  }
}

/** A record serialised at the call (`json`) is never changed: only older records need their body copied. */
function copyRecord(record: OutboxRecord): OutboxRecord {
  return record.json === undefined ? { ...record, body: copyJson(record.body) } : shallowCopy(record);
}

function copyJson<T>(value: T): T {
  return value === undefined ? value : structuredClone(value);
}
