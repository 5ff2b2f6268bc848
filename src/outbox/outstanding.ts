import { recordIdKey } from './records';
import { indexOfKey } from './sorted-keys';

/** Records per chunk by default: 9 bytes each (17 with numbers of their own), about 576 KiB. */
const DEFAULT_CHUNK_SLOTS = 1 << 16;

/**
 * Id keys and append numbers of CHUNK slots, and which of them left. The slots of a chunk most
 * often hold consecutive append numbers: then only the first is kept, and `numbers` is made only
 * once a slot breaks the run (a record in between went to the unordered map). A million queued
 * points are 8 MiB fewer fresh pages for the caller's thread to fault in, at some 10 µs a page on
 * a virtual machine.
 */
class Chunk {
  readonly keys: Float64Array;
  /** 1 where the record at that slot left. */
  readonly left: Uint8Array;
  /** The append number of slot 0; slot i has `firstNumber + i` unless `numbers` says otherwise. */
  firstNumber = 0;
  numbers: Float64Array | undefined;

  constructor(slots: number) {
    this.keys = new Float64Array(slots);
    this.left = new Uint8Array(slots);
  }

  numberAt(slot: number): number {
    return this.numbers === undefined ? this.firstNumber + slot : this.numbers[slot];
  }

  setNumber(slot: number, number: number): void {
    if (slot === 0) {
      this.firstNumber = number;
      this.numbers = undefined;
      return;
    }
    if (this.numbers === undefined) {
      if (number === this.firstNumber + slot) return;
      this.numbers = new Float64Array(this.keys.length);
      for (let i = 0; i < slot; i++) this.numbers[i] = this.firstNumber + i;
    }
    this.numbers[slot] = number;
  }
}

/**
 * The records an outbox appended and has not seen leave, by append number: what a `flush()` waits
 * for (Ledger). Only the oldest one matters, and records mostly leave in the order they came.
 *
 * Ids are kept as numbers (`recordIdKey`), in typed arrays in append order: `newRecordId` gives the
 * ids of one process in increasing order, so a leaving id is found where the last one was found,
 * or by binary search. A million queued points are then typed arrays, not a million strings the
 * garbage collector walks on every pass (a Map keyed by id cost a third of each `logMetrics`
 * call). An id of another form, or one that does not sort after the one before it, goes to a
 * small Map instead.
 *
 * The arrays come in chunks, dropped once every record in them left: a burst of a million calls
 * writes each slot once, where arrays doubling as they filled copied every slot again and again
 * and left the old copies to the garbage collector (a sixth of the calls' time).
 */
export class OutstandingRecords {
  readonly #chunkBits: number;
  readonly #chunkSlots: number;
  readonly #chunks: Chunk[] = [];
  /** An emptied chunk kept for the next records: a queue that drains and fills reuses it. */
  #spare: Chunk | undefined;
  /** Slots from the first chunk's start: every record before `#head` left; `#length` is the next free. */
  #length = 0;
  #head = 0;
  /** Where the last leaving id was found: the next one is most often right after it. */
  #cursor = 0;
  /** Ids that came out of order or have no key, by id → append number (insertion order). */
  readonly #unordered = new Map<string, number>();

  /** `chunkSlots`: a power of two (small ones let tests cross chunks). */
  constructor(chunkSlots = DEFAULT_CHUNK_SLOTS) {
    this.#chunkBits = Math.log2(chunkSlots);
    if (!Number.isInteger(this.#chunkBits)) throw new RangeError(`chunkSlots must be a power of two, not ${chunkSlots}`);
    this.#chunkSlots = chunkSlots;
  }

  /** A record appended as number `number`. */
  add(id: string, number: number): void {
    const key = recordIdKey(id);
    const length = this.#length;
    if (Number.isNaN(key) || (length > this.#head && !(key > this.#keyAt(length - 1)))) {
      this.#unordered.set(id, number);
      return;
    }
    const slot = length & (this.#chunkSlots - 1);
    if (slot === 0) {
      this.#chunks.push(this.#spare ?? new Chunk(this.#chunkSlots));
      this.#spare = undefined;
    }
    const chunk = this.#chunks[length >>> this.#chunkBits];
    chunk.keys[slot] = key;
    chunk.setNumber(slot, number);
    this.#length = length + 1;
  }

  /** The record `id` left (an id this outbox did not append is ignored). */
  leave(id: string): void {
    const index = this.#find(recordIdKey(id));
    if (index >= 0) {
      this.#markLeft(index);
      this.#cursor = index + 1;
      this.#advance();
    } else if (this.#unordered.size > 0) {
      this.#unordered.delete(id);
    }
  }

  /** Every record appended as number `upTo` or before left. */
  leaveUpTo(upTo: number): void {
    while (this.#head < this.#length && this.#numberAt(this.#head) <= upTo) this.#markLeft(this.#head++);
    this.#advance();
    for (const [id, number] of this.#unordered) if (number <= upTo) this.#unordered.delete(id);
  }

  /** The append number of the oldest record that has not left; Infinity when none is left. */
  oldest(): number {
    const first = this.#head < this.#length ? this.#numberAt(this.#head) : Infinity;
    // Insertion order is append order: the first unordered entry is the oldest of them.
    const unordered = this.#unordered.values().next();
    return unordered.done ? first : Math.min(first, unordered.value);
  }

  #keyAt(index: number): number {
    return this.#chunks[index >>> this.#chunkBits].keys[index & (this.#chunkSlots - 1)];
  }

  #numberAt(index: number): number {
    return this.#chunks[index >>> this.#chunkBits].numberAt(index & (this.#chunkSlots - 1));
  }

  #hasLeft(index: number): boolean {
    return this.#chunks[index >>> this.#chunkBits].left[index & (this.#chunkSlots - 1)] === 1;
  }

  #markLeft(index: number): void {
    this.#chunks[index >>> this.#chunkBits].left[index & (this.#chunkSlots - 1)] = 1;
  }

  /** The index of `key` among records that have not left; -1 when it is not there (NaN never is). */
  #find(key: number): number {
    const cursor = this.#cursor;
    let index = cursor >= this.#head && cursor < this.#length && this.#keyAt(cursor) === key ? cursor : -1;
    if (index < 0) index = this.#search(key);
    return index < 0 || this.#hasLeft(index) ? -1 : index;
  }

  /** Binary search: first for the last chunk starting at or below `key`, then in it. */
  #search(key: number): number {
    if (this.#head >= this.#length) return -1;
    const chunks = this.#chunks;
    let low = this.#head >>> this.#chunkBits;
    let high = (this.#length - 1) >>> this.#chunkBits;
    while (low < high) {
      const middle = (low + high + 1) >>> 1;
      if (chunks[middle].keys[0] <= key) low = middle;
      else high = middle - 1;
    }
    const base = low << this.#chunkBits;
    const from = Math.max(this.#head, base) - base;
    const to = Math.min(this.#length, base + this.#chunkSlots) - 1 - base;
    const slot = indexOfKey(key, from, to, chunks[low].keys);
    return slot < 0 ? -1 : base + slot;
  }

  /** Moves the head past records that left; drops the chunks every record of which left. */
  #advance(): void {
    while (this.#head < this.#length && this.#hasLeft(this.#head)) this.#head++;
    while (this.#head >= this.#chunkSlots) {
      const chunk = this.#chunks.shift() as Chunk;
      chunk.left.fill(0);
      this.#spare = chunk;
      this.#head -= this.#chunkSlots;
      this.#length -= this.#chunkSlots;
      this.#cursor = Math.max(0, this.#cursor - this.#chunkSlots);
    }
  }
}
