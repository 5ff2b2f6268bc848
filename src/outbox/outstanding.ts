/**
 * The records an outbox appended and has not seen leave, by append number: what a `flush()` waits
 * for (Ledger). Only the oldest one matters, and records mostly leave in the order they came.
 *
 * Ids are not hashed: `newRecordId` gives the ids of one process in increasing order, so they sit
 * in an array in append order and a leaving id is found where the last one was found, or by binary
 * search. (A Map keyed by id, at a million queued points, cost a third of each `logMetrics` call:
 * hashing a new id string means flattening it first, and the table kept growing.) An id that does
 * not sort after the one before it (another id source) goes to a small Map instead.
 */
export class OutstandingRecords {
  /** Ids in append order, from `#head` on; each above the one before it. */
  #ids: string[] = [];
  #numbers: number[] = [];
  /** 1 where the record at that index left. */
  #left = new Uint8Array(1024);
  /** Every record before this index left. */
  #head = 0;
  /** Where the last leaving id was found: the next one is most often right after it. */
  #cursor = 0;
  /** Ids that came out of order, by id → append number (insertion order). */
  readonly #unordered = new Map<string, number>();

  /** A record appended as number `number`. */
  add(id: string, number: number): void {
    const ids = this.#ids;
    if (ids.length > this.#head && !(id > ids[ids.length - 1])) {
      this.#unordered.set(id, number);
      return;
    }
    if (ids.length === this.#left.length) this.#grow();
    ids.push(id);
    this.#numbers.push(number);
  }

  /** The record `id` left (an id this outbox did not append is ignored). */
  leave(id: string): void {
    const index = this.#find(id);
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
    while (this.#head < numbers.length && numbers[this.#head] <= upTo) this.#left[this.#head++] = 1;
    this.#advance();
    for (const [id, number] of this.#unordered) if (number <= upTo) this.#unordered.delete(id);
  }

  /** The append number of the oldest record that has not left; Infinity when none is left. */
  oldest(): number {
    const first = this.#head < this.#numbers.length ? this.#numbers[this.#head] : Infinity;
    // Insertion order is append order: the first unordered entry is the oldest of them.
    const unordered = this.#unordered.values().next();
    return unordered.done ? first : Math.min(first, unordered.value);
  }

  #find(id: string): number {
    const ids = this.#ids;
    const cursor = this.#cursor;
    if (cursor >= this.#head && cursor < ids.length && ids[cursor] === id) return cursor;
    let low = this.#head;
    let high = ids.length - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const at = ids[middle];
      if (at === id) return this.#left[middle] === 1 ? -1 : middle;
      if (at < id) low = middle + 1;
      else high = middle - 1;
    }
    return -1;
  }

  /** Moves the head past records that left; drops them from the arrays once they are the larger part. */
  #advance(): void {
    const left = this.#left;
    const length = this.#ids.length;
    while (this.#head < length && left[this.#head] === 1) this.#head++;
    if (this.#head >= 1024 && this.#head * 2 >= length) {
      const head = this.#head;
      this.#ids = this.#ids.slice(head);
      this.#numbers = this.#numbers.slice(head);
      left.copyWithin(0, head, length);
      left.fill(0, length - head, length);
      this.#cursor = Math.max(0, this.#cursor - head);
      this.#head = 0;
    }
  }

  #grow(): void {
    const grown = new Uint8Array(this.#left.length * 2);
    grown.set(this.#left);
    this.#left = grown;
  }
}
