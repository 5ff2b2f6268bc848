import { recordIdKey } from './records';
import { indexOfKey } from './sorted-keys';

const INITIAL_SLOTS = 1024;

/**
 * The records an outbox appended and has not seen leave, by append number: what a `flush()` waits
 * for (Ledger). Only the oldest one matters, and records mostly leave in the order they came.
 *
 * Ids are kept as numbers (`recordIdKey`), in typed arrays in append order: `newRecordId` gives the
 * ids of one process in increasing order, so a leaving id is found where the last one was found,
 * or by binary search. A million queued points are then two Float64Arrays, not a million strings
 * the garbage collector walks on every pass (a Map keyed by id cost a third of each `logMetrics`
 * call). An id of another form, or one that does not sort after the one before it, goes to a
 * small Map instead.
 */
export class OutstandingRecords {
  /** Id keys in append order, from `#head` to `#length`; each above the one before it. */
  #keys = new Float64Array(INITIAL_SLOTS);
  #numbers = new Float64Array(INITIAL_SLOTS);
  /** 1 where the record at that index left. */
  #left = new Uint8Array(INITIAL_SLOTS);
  #length = 0;
  /** Every record before this index left. */
  #head = 0;
  /** Where the last leaving id was found: the next one is most often right after it. */
  #cursor = 0;
  /** Ids that came out of order or have no key, by id → append number (insertion order). */
  readonly #unordered = new Map<string, number>();

  /** A record appended as number `number`. */
  add(id: string, number: number): void {
    const key = recordIdKey(id);
    if (Number.isNaN(key) || (this.#length > this.#head && !(key > this.#keys[this.#length - 1]))) {
      this.#unordered.set(id, number);
      return;
    }
    if (this.#length === this.#keys.length) this.#grow();
    this.#keys[this.#length] = key;
    this.#numbers[this.#length++] = number;
  }

  /** The record `id` left (an id this outbox did not append is ignored). */
  leave(id: string): void {
    const index = this.#find(recordIdKey(id));
    if (index >= 0) {
      this.#left[index] = 1;
      this.#cursor = index + 1;
      this.#advance();
    } else if (this.#unordered.size > 0) {
      this.#unordered.delete(id);
    }
  }

  /** Every record appended as number `upTo` or before left. */
  leaveUpTo(upTo: number): void {
    const numbers = this.#numbers;
    while (this.#head < this.#length && numbers[this.#head] <= upTo) this.#left[this.#head++] = 1;
    this.#advance();
    for (const [id, number] of this.#unordered) if (number <= upTo) this.#unordered.delete(id);
  }

  /** The append number of the oldest record that has not left; Infinity when none is left. */
  oldest(): number {
    const first = this.#head < this.#length ? this.#numbers[this.#head] : Infinity;
    // Insertion order is append order: the first unordered entry is the oldest of them.
    const unordered = this.#unordered.values().next();
    return unordered.done ? first : Math.min(first, unordered.value);
  }

  /** The index of `key` among records that have not left; -1 when it is not there (NaN never is). */
  #find(key: number): number {
    const keys = this.#keys;
    const cursor = this.#cursor;
    const index = cursor >= this.#head && cursor < this.#length && keys[cursor] === key ? cursor : indexOfKey(key, this.#head, this.#length - 1, keys);
    return index < 0 || this.#left[index] === 1 ? -1 : index;
  }

  /** Moves the head past records that left; moves the rest to the front once they are the smaller part. */
  #advance(): void {
    const left = this.#left;
    const length = this.#length;
    while (this.#head < length && left[this.#head] === 1) this.#head++;
    if (this.#head >= INITIAL_SLOTS && this.#head * 2 >= length) {
      const head = this.#head;
      this.#keys.copyWithin(0, head, length);
      this.#numbers.copyWithin(0, head, length);
      left.copyWithin(0, head, length);
      left.fill(0, length - head, length);
      this.#length = length - head;
      this.#cursor = Math.max(0, this.#cursor - head);
      this.#head = 0;
    }
  }

  #grow(): void {
    const size = this.#keys.length * 2;
    this.#keys = grown(this.#keys, new Float64Array(size));
    this.#numbers = grown(this.#numbers, new Float64Array(size));
    this.#left = grown(this.#left, new Uint8Array(size));
  }
}

function grown<T extends Float64Array | Uint8Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
