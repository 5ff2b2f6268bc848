/**
 * The metric points queued, those read back at open (`adopt`) and those this process logs (`add`),
 * kept as columns of numbers instead of a record object each: a million queued points are a few typed arrays the garbage collector never walks, not a
 * million objects it copies and marks on every pass (peak RSS and the stall after a burst).
 *
 * A slot holds what the record's line needs again (compaction, recovery) and what a claim sends,
 * in 33 bytes plus 8 per value: the id as its number (`recordIdKey`), `seq` and `createdAt` as
 * offsets, a form (run, keys, the `bytes` rule and the id's process suffix, shared by every point
 * logged alike), the datetime string's code (its instant, or its number in a list), where its
 * values start (null as NaN: a metric value is finite or null) and its lease (shared by the batch
 * it was claimed in). A record object is made again (`record`)
 * only for what a claim or an eviction looks at, the same, field for field, as the one handed in.
 *
 * Columns come in chunks of CHUNK_SLOTS, dropped whole once every slot in them is gone: a burst
 * writes only the memory it uses, once, and no slot is ever copied. Fresh pages cost more than the
 * stores themselves (a page fault each): in the journal store the next chunk is made ahead, in
 * memory the writer thread touches meanwhile (`useMemory`).
 *
 * Slots are in `seq` order and in id order (by time and counter): a point that would break either
 * is refused and kept as a record by the caller. The slots before `visibleEnd` are in the queue (their group commit came); the rest are
 * written but not yet visible to claims, as a record handed to a group's `append` is not.
 */
import { anyRecordIdKey, recordIdFromKey, recordIdKey, recordIdSuffix, recordIdSuffixOf, type OutboxRecord } from '../../outbox/records';
import { indexOfKey } from '../../outbox/sorted-keys';
import { pythonDatetime, pythonDatetimeLength, pythonDatetimeMs } from '../../wire/format';
import { hasKeysInOrder, type MetricPointBody } from '../../wire/metric-point';
import type { MemoryRegion } from './ring';

/** What this process's ids end with: the forms of its own points. */
const OWN_SUFFIX = recordIdSuffix();
const CHUNK_BITS = 16;
const CHUNK_SLOTS = 1 << CHUNK_BITS;
const SLOT_MASK = CHUNK_SLOTS - 1;
/** Values a chunk starts with room for (it grows when its points have more keys). */
const CHUNK_VALUES = CHUNK_SLOTS * 4;
const MAX_SEQ_OFFSET = 0xffff_ffff;
/**
 * Emptied chunks kept for the next points: a queue that drains and fills again (a run that logs
 * while its batches are sent) writes into memory it already has instead of fresh pages.
 */
const SPARE_CHUNKS = 4;
/** Datetime codes from here up are instants, below are indexes (`#datetimeOf`); leases never come near. */
const CANONICAL_DATETIME = 0x8000_0000;
/** Most forms; past this many leases or datetimes kept (and twice what live slots used last time), unused ones are dropped. */
const RENUMBER_AT = 4096;

/**
 * Points logged alike: one run, the same keys in the same order, `bytes` = `base` + the datetime's
 * length, and ids of one process (the same `suffix`).
 */
interface Form {
  run: string;
  suffix: string;
  keys: string[];
  /** Each key as its body JSON writes it: quoted, then the colon (the first after the opening). */
  keyJson: string[];
  base: number;
}

/** A `created_at` string and how its point's body JSON ends with it. */
interface Datetime {
  length: number;
  bodyEnd: string;
}

/** A lease a batch of slots shares; `until` -1 when released (the batch key stays). */
interface Lease {
  until: number;
  owner: string | undefined;
  batch: string | undefined;
}

/**
 * A chunk's columns in one piece of memory: bytes per element of each, in memory order, the 8-byte
 * ones first so that each starts aligned. Each byte a point takes is a byte of fresh memory a
 * burst of calls faults in (about 10 µs a 4 KiB page on a virtual machine), so columns are no
 * wider than their values.
 */
const COLUMN_BYTES = { key: 8, values: 8, seq: 4, createdAt: 4, datetime: 4, lease: 4, valueStart: 4, form: 2, gone: 1 } as const;
type Column = keyof typeof COLUMN_BYTES;
/** Each column's offset and length in a chunk's memory: the regions a burst fills side by side. */
const CHUNK_COLUMNS = (() => {
  const columns = {} as Record<Column, MemoryRegion>;
  let at = 0;
  for (const [column, bytesEach] of Object.entries(COLUMN_BYTES) as [Column, number][]) {
    const length = bytesEach * (column === 'values' ? CHUNK_VALUES : CHUNK_SLOTS);
    columns[column] = [at, length];
    at += length;
  }
  return columns;
})();
const CHUNK_REGIONS = Object.values(CHUNK_COLUMNS);
const CHUNK_BYTES = CHUNK_REGIONS.reduce((end, [offset, length]) => Math.max(end, offset + length), 0);

/**
 * Where a chunk's memory comes from (see `MetricTable.useMemory`), given its size and its columns'
 * regions; undefined: fresh memory.
 */
export type ChunkMemory = (bytes: number, regions: readonly MemoryRegion[]) => ArrayBufferLike | undefined;

class Chunk {
  readonly key: Float64Array;
  readonly seq: Uint32Array;
  readonly createdAt: Int32Array;
  /** At most RENUMBER_AT forms. */
  readonly form: Uint16Array;
  readonly datetime: Uint32Array;
  readonly lease: Uint32Array;
  readonly valueStart: Uint32Array;
  readonly gone: Uint8Array;
  values: Float64Array;
  valuesLength = 0;

  constructor(memory: ArrayBufferLike = new ArrayBuffer(CHUNK_BYTES)) {
    const at = (column: Column) => CHUNK_COLUMNS[column][0];
    this.key = new Float64Array(memory, at('key'), CHUNK_SLOTS);
    this.values = new Float64Array(memory, at('values'), CHUNK_VALUES);
    this.seq = new Uint32Array(memory, at('seq'), CHUNK_SLOTS);
    this.createdAt = new Int32Array(memory, at('createdAt'), CHUNK_SLOTS);
    this.datetime = new Uint32Array(memory, at('datetime'), CHUNK_SLOTS);
    this.lease = new Uint32Array(memory, at('lease'), CHUNK_SLOTS);
    this.valueStart = new Uint32Array(memory, at('valueStart'), CHUNK_SLOTS);
    this.form = new Uint16Array(memory, at('form'), CHUNK_SLOTS);
    this.gone = new Uint8Array(memory, at('gone'), CHUNK_SLOTS);
  }
}

export class MetricTable {
  #chunks: Chunk[] = [];
  readonly #spare: Chunk[] = [];
  /** Where new chunks' memory comes from (`useMemory`), and the chunk made ahead from it. */
  #memory: ChunkMemory | undefined;
  #ahead: Chunk | undefined;
  /** Slots from the first chunk's start: `#head` is the first not gone, `#length` the next free. */
  #head = 0;
  #length = 0;
  /** Slots dropped with their chunks so far: a slot's number never changes as `slotBase` + its index. */
  #dropped = 0;
  #visibleEnd = 0;
  #live = 0;
  #visibleLive = 0;
  #visibleBytes = 0;
  /** Just after the last slot looked up: acks come in order, so the next one is most often there. */
  #cursor = 0;
  /** `seq` of the first point taken: slots keep theirs as an offset from it. */
  #seqBase = -1;
  #forms: Form[] = [];
  /** The last point's form: a training loop logs the same keys call after call. */
  #lastForm = -1;
  #datetimes: Datetime[] = [];
  #lastDatetime: string | undefined;
  #lastDatetimeCode = 0;
  /** The instant (ms) canonical datetime codes count from: the first one's. */
  #timeBase = Number.NaN;
  /** Leases by number; 0 is none. */
  #leases: Lease[] = [{ until: -1, owner: undefined, batch: undefined }];
  /** Lengths of `#datetimes` and `#leases` at which they are renumbered next: the work is paid for by as many new entries. */
  #renumberDatetimesAt = RENUMBER_AT;
  #renumberLeasesAt = RENUMBER_AT;
  /** Visible live records per form. */
  #perForm: number[] = [];

  /**
   * Takes new chunks' memory from `memory` from now on (JournalRing.prefaulted: pages the writer
   * thread touches), one chunk ahead: while a burst fills a chunk, the next one's pages are made
   * resident off this thread, and a million points cost the caller no page fault of the table's.
   */
  useMemory(memory: ChunkMemory): void {
    this.#memory = memory;
  }

  /** Records held, visible or not. */
  get size(): number {
    return this.#live;
  }

  /** Records in the queue (their group commit came) and the sum of their `bytes`. */
  get visibleCount(): number {
    return this.#visibleLive;
  }

  get visibleBytes(): number {
    return this.#visibleBytes;
  }

  /**
   * Takes a metric record as `metricPoint` built it; false (nothing kept) when its id is not one of
   * this process's ids in order, its `seq` not above the last one taken, or it fits no slot.
   */
  add(record: OutboxRecord): boolean {
    const key = recordIdKey(record.id);
    return !Number.isNaN(key) && this.#put(record, record.body as MetricPointBody, key, OWN_SUFFIX) >= 0;
  }

  /**
   * Takes a metric record read back from the journal of a process that is gone (its ids end
   * otherwise than this process's), into the queue at once, with its lease and batch key. False
   * (nothing kept) unless it is, field for field, what its columns give back: a metrics record of
   * the current format, a body of `values` (finite numbers or null) then `created_at`, an id of
   * `newRecordId`'s form after the last one taken, its `seq` above theirs.
   */
  adopt(record: OutboxRecord): boolean {
    if (!isAdoptable(record)) return false;
    const key = anyRecordIdKey(record.id);
    if (Number.isNaN(key)) return false;
    if (this.#visibleEnd !== this.#length) return false;
    const slot = this.#put(record, record.body as MetricPointBody, key, recordIdSuffixOf(record.id));
    if (slot < 0) return false;
    if (record.leaseUntil !== undefined || record.batch !== undefined) this.#setLease(slot, record.leaseUntil ?? -1, record.leaseOwner, record.batch);
    this.showThrough(record.seq);
    return true;
  }

  /**
   * Frees every lease and keeps the batch keys: the process that held them is gone. Returns the
   * ids of the live points that were leased.
   */
  clearLeases(): string[] {
    const freed: string[] = [];
    const leases = this.#leases;
    if (leases.every((lease) => lease.until < 0)) return freed;
    for (let slot = this.#head; slot < this.#length; slot++) {
      if (this.isLive(slot) && leases[this.#leaseAt(slot)].until >= 0) freed.push(recordIdFromKey(this.keyAt(slot), this.#forms[this.#formAt(slot)].suffix));
    }
    for (const lease of leases) {
      lease.until = -1;
      lease.owner = undefined;
    }
    return freed;
  }

  /** Puts the record in the next slot and returns it; -1 (nothing kept) when it fits none. */
  #put(record: OutboxRecord, body: MetricPointBody, key: number, suffix: string): number {
    const n = this.#length;
    if (this.#seqBase < 0) this.#seqBase = record.seq;
    const seq = record.seq - this.#seqBase;
    if (n > this.#head && (key <= this.keyAt(n - 1) || seq <= this.#seqOffsetAt(n - 1))) return -1;
    const createdAt = record.createdAt - Math.floor(key / 4096);
    if (seq < 0 || seq > MAX_SEQ_OFFSET || !Number.isInteger(createdAt) || createdAt !== (createdAt | 0)) return -1;
    const form = this.#formOf(record, body, suffix);
    if (form < 0) return -1;
    const count = this.#forms[form].keys.length;
    const i = n & SLOT_MASK;
    if (i === 0) this.#chunks.push(this.#nextChunk());
    const chunk = this.#chunks[n >>> CHUNK_BITS];
    if (chunk.valuesLength + count > chunk.values.length) growValues(chunk, count);
    chunk.key[i] = key;
    chunk.seq[i] = seq;
    chunk.createdAt[i] = createdAt;
    chunk.form[i] = form;
    chunk.datetime[i] = this.#datetimeOf(body.created_at);
    chunk.lease[i] = 0;
    chunk.valueStart[i] = chunk.valuesLength;
    chunk.gone[i] = 0;
    const values = body.values;
    const store = chunk.values;
    let at = chunk.valuesLength;
    for (const name in values) {
      const value = values[name];
      store[at++] = value === null ? Number.NaN : value;
    }
    chunk.valuesLength = at;
    this.#length = n + 1;
    this.#live++;
    return n;
  }

  /** Records taken with `seq` up to `seq` are in the queue from now on. */
  showThrough(seq: number): void {
    let end = this.#visibleEnd;
    const offset = seq - this.#seqBase;
    while (end < this.#length && this.#seqOffsetAt(end) <= offset) {
      if (this.isLive(end)) {
        this.#visibleLive++;
        this.#visibleBytes += this.bytesAt(end);
        const form = this.#formAt(end);
        this.#perForm[form] = (this.#perForm[form] ?? 0) + 1;
      }
      end++;
    }
    this.#visibleEnd = end;
  }

  /** The first slot to look at. */
  get head(): number {
    return this.#head;
  }

  /**
   * How many slots were dropped with their chunks: slot indexes shift down by that many, so a walk
   * that lets other code run between its steps (a compaction a slice at a time) counts from here.
   */
  get slotBase(): number {
    return this.#dropped;
  }

  /** The end of the visible slots (`all`: of every one). */
  end(all: boolean): number {
    return all ? this.#length : this.#visibleEnd;
  }

  isLive(slot: number): boolean {
    return this.#chunks[slot >>> CHUNK_BITS].gone[slot & SLOT_MASK] === 0;
  }

  seqAt(slot: number): number {
    return this.#seqOffsetAt(slot) + this.#seqBase;
  }

  keyAt(slot: number): number {
    return this.#chunks[slot >>> CHUNK_BITS].key[slot & SLOT_MASK];
  }

  bytesAt(slot: number): number {
    const chunk = this.#chunks[slot >>> CHUNK_BITS];
    const i = slot & SLOT_MASK;
    return this.#forms[chunk.form[i]].base + this.#datetimeLength(chunk.datetime[i]);
  }

  /**
   * The body's JSON, exactly as `JSON.stringify` wrote it for the point handed in (a finite number
   * is written as `String` writes it, null as null), without making the body: what the request
   * body and the journal line are made of.
   */
  bodyJson(slot: number): string {
    const chunk = this.#chunks[slot >>> CHUNK_BITS];
    const i = slot & SLOT_MASK;
    const form = this.#forms[chunk.form[i]];
    const store = chunk.values;
    let at = chunk.valueStart[i];
    let json = '{"values":{';
    for (const key of form.keyJson) {
      const value = store[at++];
      json += key + (Number.isNaN(value) ? 'null' : String(value));
    }
    return json + this.#datetimeBodyEnd(chunk.datetime[i]);
  }

  /** The batch key of the slot's lease; undefined when it has none. */
  batchAt(slot: number): string | undefined {
    return this.#leases[this.#leaseAt(slot)].batch;
  }

  runAt(slot: number): string {
    return this.#forms[this.#formAt(slot)].run;
  }

  /** The slot of the visible, live record `id`; -1 when there is none. */
  find(id: string): number {
    let key = recordIdKey(id);
    let suffix = OWN_SUFFIX;
    if (Number.isNaN(key)) {
      key = anyRecordIdKey(id);
      if (Number.isNaN(key)) return -1;
      suffix = recordIdSuffixOf(id);
    }
    const cursor = this.#cursor;
    let slot: number;
    // Acks come in order, and the store looks an id up twice (is it queued, then to apply): here or just before.
    if (cursor >= this.#head && cursor < this.#visibleEnd && this.keyAt(cursor) === key) slot = cursor;
    else if (cursor > this.#head && cursor <= this.#visibleEnd && this.keyAt(cursor - 1) === key) slot = cursor - 1;
    else slot = this.#slotOfKey(key);
    if (slot < 0 || !this.isLive(slot) || this.#forms[this.#formAt(slot)].suffix !== suffix) return -1;
    this.#cursor = slot + 1;
    return slot;
  }

  /**
   * The record in `slot`, made again. Its body is given as its JSON (`json`, as a record kept for
   * a batch is: the request and the journal line need only those characters) when `withBody`,
   * else not at all (a walk that only picks records).
   */
  record(slot: number, withBody: boolean): OutboxRecord {
    const chunk = this.#chunks[slot >>> CHUNK_BITS];
    const i = slot & SLOT_MASK;
    const form = this.#forms[chunk.form[i]];
    const key = chunk.key[i];
    const record: OutboxRecord = {
      v: 1,
      id: recordIdFromKey(key, form.suffix),
      seq: chunk.seq[i] + this.#seqBase,
      run: form.run,
      kind: 'metrics',
      body: undefined,
      createdAt: Math.floor(key / 4096) + chunk.createdAt[i],
      bytes: form.base + this.#datetimeLength(chunk.datetime[i]),
    };
    if (withBody) record.json = this.bodyJson(slot);
    const lease = this.#leases[chunk.lease[i]];
    if (lease.until >= 0) {
      record.leaseUntil = lease.until;
      record.leaseOwner = lease.owner;
    }
    if (lease.batch !== undefined) record.batch = lease.batch;
    return record;
  }

  lease(slot: number, until: number, owner: string, batch: string | undefined): void {
    this.#setLease(slot, until, owner, batch ?? this.#leases[this.#leaseAt(slot)].batch);
  }

  release(slot: number): void {
    this.#setLease(slot, -1, undefined, this.#leases[this.#leaseAt(slot)].batch);
  }

  unbatch(slot: number): void {
    const { until, owner } = this.#leases[this.#leaseAt(slot)];
    this.#setLease(slot, until, owner, undefined);
  }

  /** The record leaves the queue (acknowledged or evicted). */
  remove(slot: number): void {
    if (!this.isLive(slot)) return;
    if (slot < this.#visibleEnd) {
      this.#visibleLive--;
      this.#visibleBytes -= this.bytesAt(slot);
      this.#perForm[this.#formAt(slot)]--;
    }
    this.#chunks[slot >>> CHUNK_BITS].gone[slot & SLOT_MASK] = 1;
    this.#live--;
    while (this.#head < this.#length && !this.isLive(this.#head)) this.#head++;
    this.#dropGoneChunks();
  }

  /** Adds the visible records' count per run to `byRun`. */
  countInto(byRun: Record<string, number>): void {
    this.#perForm.forEach((count, form) => {
      const run = this.#forms[form].run;
      if (count > 0) byRun[run] = (byRun[run] ?? 0) + count;
    });
  }

  /** The visible slot whose key is `key`, live or not; -1 when none is. Finds its chunk, then searches in it. */
  #slotOfKey(key: number): number {
    const head = this.#head;
    const end = this.#visibleEnd;
    if (head >= end) return -1;
    const first = head >>> CHUNK_BITS;
    const last = (end - 1) >>> CHUNK_BITS;
    // A million points are 16 chunks: a walk over their first keys is shorter than a search.
    let chunk = first;
    while (chunk < last && this.#chunks[chunk + 1].key[0] <= key) chunk++;
    const low = chunk === first ? head & SLOT_MASK : 0;
    const high = chunk === last ? (end - 1) & SLOT_MASK : SLOT_MASK;
    const index = indexOfKey(key, low, high, this.#chunks[chunk].key);
    return index < 0 ? -1 : (chunk << CHUNK_BITS) + index;
  }

  #seqOffsetAt(slot: number): number {
    return this.#chunks[slot >>> CHUNK_BITS].seq[slot & SLOT_MASK];
  }

  #formAt(slot: number): number {
    return this.#chunks[slot >>> CHUNK_BITS].form[slot & SLOT_MASK];
  }

  #leaseAt(slot: number): number {
    return this.#chunks[slot >>> CHUNK_BITS].lease[slot & SLOT_MASK];
  }

  /**
   * Gives `slot` this lease: the same number as the slot before it when they are alike (a batch
   * shares one), so a batch of 10,000 points makes one lease, not one per point.
   */
  #setLease(slot: number, until: number, owner: string | undefined, batch: string | undefined): void {
    const leases = this.#leases;
    const last = leases.length - 1;
    const previous = leases[last];
    let number: number;
    if (until < 0 && batch === undefined) number = 0;
    else if (previous.until === until && previous.owner === owner && previous.batch === batch) number = last;
    else {
      number = leases.length;
      leases.push({ until, owner, batch });
    }
    this.#chunks[slot >>> CHUNK_BITS].lease[slot & SLOT_MASK] = number;
    if (leases.length > this.#renumberLeasesAt) {
      this.#leases = this.#renumber((chunk) => chunk.lease, leases, 1);
      this.#renumberLeasesAt = Math.max(RENUMBER_AT, this.#leases.length * 2);
    }
  }

  /** The form of a point: the last one's when the run and keys are the same (the hot path); -1 when `bytes` follows no form's rule. */
  #formOf(record: OutboxRecord, body: MetricPointBody, suffix: string): number {
    const base = record.bytes - body.created_at.length;
    if (fits(this.#forms[this.#lastForm], record.run, base, body.values, suffix)) return this.#lastForm;
    let form = this.#forms.findIndex((other) => fits(other, record.run, base, body.values, suffix));
    if (form < 0) {
      // A queue of points of ever new keys is not what the columns are for: those go as records.
      if (this.#forms.length >= RENUMBER_AT) return -1;
      form = this.#forms.length;
      const keys = Object.keys(body.values);
      const keyJson = keys.map((name, i) => `${i === 0 ? '' : ','}${JSON.stringify(name)}:`);
      this.#forms.push({ run: record.run, suffix, keys, keyJson, base });
    }
    this.#lastForm = form;
    return form;
  }

  /**
   * The code of a `created_at` string: for one `pythonDatetime` wrote (every point this library
   * logs), its instant, as CANONICAL_DATETIME + ms past the first one's, made into text again when
   * needed; for any other, its index in `#datetimes`. A run logging a point every few ms or slower
   * has a new string per point: a million of them, kept, took 200 MB of the heap.
   */
  #datetimeOf(datetime: string): number {
    // Points logged in the same millisecond share the string: the same as the point before.
    if (datetime === this.#lastDatetime) return this.#lastDatetimeCode;
    let code = -1;
    const ms = pythonDatetimeMs(datetime);
    if (!Number.isNaN(ms)) {
      if (Number.isNaN(this.#timeBase)) this.#timeBase = ms;
      const offset = ms - this.#timeBase;
      if (offset >= 0 && offset < CANONICAL_DATETIME) code = CANONICAL_DATETIME + offset;
    }
    if (code < 0) {
      if (this.#datetimes.length >= this.#renumberDatetimesAt) {
        this.#datetimes = this.#renumber((chunk) => chunk.datetime, this.#datetimes, 0);
        this.#renumberDatetimesAt = Math.max(RENUMBER_AT, this.#datetimes.length * 2);
      }
      this.#datetimes.push({ length: datetime.length, bodyEnd: `},"created_at":${JSON.stringify(datetime)}}` });
      code = this.#datetimes.length - 1;
    }
    this.#lastDatetime = datetime;
    this.#lastDatetimeCode = code;
    return code;
  }

  #datetimeLength(code: number): number {
    return code >= CANONICAL_DATETIME ? pythonDatetimeLength(this.#timeBase + code - CANONICAL_DATETIME) : this.#datetimes[code].length;
  }

  #datetimeBodyEnd(code: number): string {
    // pythonDatetime writes digits, dashes, colons, a dot, a space and a plus: nothing to escape.
    return code >= CANONICAL_DATETIME ? `},"created_at":"${pythonDatetime(this.#timeBase + code - CANONICAL_DATETIME)}"}` : this.#datetimes[code].bodyEnd;
  }

  /** Keeps of `list` only the entries live slots use, numbered anew; `offset` 1 where 0 is none. */
  #renumber<T>(column: (chunk: Chunk) => Uint32Array, list: T[], offset: 0 | 1): T[] {
    const fresh: T[] = offset === 1 ? [list[0]] : [];
    const renumbered = new Map<number, number>();
    for (let slot = this.#head; slot < this.#length; slot++) {
      const numbers = column(this.#chunks[slot >>> CHUNK_BITS]);
      const i = slot & SLOT_MASK;
      const old = numbers[i];
      if ((offset === 1 && old === 0) || old >= CANONICAL_DATETIME) continue;
      let number = renumbered.get(old);
      if (number === undefined) {
        number = fresh.length;
        fresh.push(list[old]);
        renumbered.set(old, number);
      }
      numbers[i] = number;
    }
    return fresh;
  }

  /** A spare chunk, else the one made ahead; then the next one is made ahead when there is no spare. */
  #nextChunk(): Chunk {
    const chunk = this.#spare.pop() ?? this.#ahead ?? this.#newChunk();
    if (chunk === this.#ahead) this.#ahead = undefined;
    if (this.#spare.length === 0 && this.#ahead === undefined && this.#memory) this.#ahead = this.#newChunk();
    return chunk;
  }

  #newChunk(): Chunk {
    return new Chunk(this.#memory?.(CHUNK_BYTES, CHUNK_REGIONS));
  }

  /** Drops the chunks every slot of which is gone; slots count from the first chunk kept. */
  #dropGoneChunks(): void {
    const gone = this.#head >>> CHUNK_BITS;
    if (gone === 0) return;
    const moved = gone * CHUNK_SLOTS;
    for (const chunk of this.#chunks.splice(0, gone)) {
      if (this.#spare.length === SPARE_CHUNKS) break;
      chunk.valuesLength = 0;
      this.#spare.push(chunk);
    }
    this.#dropped += moved;
    this.#head -= moved;
    this.#length -= moved;
    this.#visibleEnd -= moved;
    this.#cursor = Math.max(0, this.#cursor - moved);
  }
}

/** Whether a point of `run`, with `bytes` − datetime length `base`, `values` and an id ending in `suffix`, is of `form`. */
function fits(form: Form | undefined, run: string, base: number, values: Record<string, unknown>, suffix: string): boolean {
  return form !== undefined && form.run === run && form.base === base && form.suffix === suffix && hasKeysInOrder(values, form.keys);
}

/** A record's own fields: one with any other would lose it in the columns. */
const RECORD_FIELDS = new Set(['v', 'id', 'seq', 'run', 'kind', 'body', 'createdAt', 'bytes', 'leaseUntil', 'leaseOwner', 'batch']);

/** Whether a record read back from a journal is one the columns give back as it is (see `adopt`). */
function isAdoptable(record: OutboxRecord): boolean {
  if (record.kind !== 'metrics' || record.v !== 1 || typeof record.run !== 'string') return false;
  if (!Number.isSafeInteger(record.createdAt) || !Number.isSafeInteger(record.bytes)) return false;
  if (record.leaseUntil !== undefined && typeof record.leaseUntil !== 'number') return false;
  if (record.leaseOwner !== undefined && typeof record.leaseOwner !== 'string') return false;
  if (record.batch !== undefined && typeof record.batch !== 'string') return false;
  for (const field in record) if (!RECORD_FIELDS.has(field)) return false;
  const body = record.body;
  if (!isPlainObject(body)) return false;
  const fields = Object.keys(body);
  if (fields.length !== 2 || fields[0] !== 'values' || fields[1] !== 'created_at' || typeof body.created_at !== 'string') return false;
  const values = body.values;
  if (!isPlainObject(values)) return false;
  for (const name in values) {
    const value = values[name];
    if (value !== null && !(typeof value === 'number' && Number.isFinite(value))) return false;
  }
  return true;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function growValues(chunk: Chunk, more: number): void {
  const grown = new Float64Array(Math.max(chunk.values.length * 2, chunk.valuesLength + more));
  grown.set(chunk.values.subarray(0, chunk.valuesLength));
  chunk.values = grown;
}
