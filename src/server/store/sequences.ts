import type { Database, Statement } from './sqlite';

export type IdKind = 'project' | 'experiment' | 'status' | 'metric' | 'codeReference';

/**
 * Id sequences, as Polyaxon's database sequences: an id handed out in a committed transaction is
 * never handed out again, also after its row is deleted. A transaction cut short by a crash
 * rolls its ids back with everything else, and nothing in it was ever acknowledged.
 */
export class IdSequences {
  readonly #last: Statement;
  readonly #raise: Statement;

  constructor(db: Database) {
    this.#last = db.prepare('SELECT last_id FROM id_sequence WHERE kind = ?').pluck();
    this.#raise = db.prepare('UPDATE id_sequence SET last_id = @id WHERE kind = @kind AND last_id < @id');
  }

  next(kind: IdKind): number {
    return (this.#last.get(kind) as number) + 1;
  }

  /** `count` consecutive ids from the next one, not yet taken (taken by `take` with the last). */
  peek(kind: IdKind, count: number): number[] {
    const first = this.next(kind);
    return Array.from({ length: count }, (_, index) => first + index);
  }

  /** Marks every id up to `id` as used. */
  take(kind: IdKind, id: number): void {
    this.#raise.run({ id, kind });
  }
}
