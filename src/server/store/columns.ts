import { RawJson, stringifyJson } from '../json/raw-json';
import type { Database, Statement } from './sqlite';

/** How values travel between records and columns: JSON as text, booleans as 0/1, null as NULL. */

/** JSON as text; a RawJson as the text the client sent. */
export function toJsonColumn(value: unknown): string | null {
  return value === null || value === undefined ? null : stringifyJson(value);
}

/** A JSON column as the text it holds, parsed only when something reads its value. */
export function fromRawJsonColumn(text: unknown): RawJson | null {
  return typeof text === 'string' ? new RawJson(text) : null;
}

export function fromJsonColumn<T>(text: unknown): T | null {
  return typeof text === 'string' ? (JSON.parse(text) as T) : null;
}

export function toFlag(value: boolean | null | undefined): number | null {
  return value === null || value === undefined ? null : value ? 1 : 0;
}

export function fromFlag(value: unknown): boolean | null {
  return value === null || value === undefined ? null : Boolean(value);
}

/**
 * `UPDATE table SET … WHERE id = @id` for whichever fields a change names, each statement
 * prepared once per set of fields. `columnOf` maps a field to its column; `extraSets` are
 * assignments every update makes (e.g. `updated_at = @at`).
 */
export class FieldUpdates {
  readonly #statements = new Map<string, Statement>();

  constructor(
    private readonly db: Database,
    private readonly table: string,
    private readonly columnOf: (field: string) => string,
    private readonly extraSets: readonly string[] = [],
  ) {}

  run(fields: readonly string[], params: Record<string, unknown>): void {
    const key = fields.join(',');
    let statement = this.#statements.get(key);
    if (!statement) {
      const sets = [...fields.map((field) => `${this.columnOf(field)} = @${field}`), ...this.extraSets];
      statement = this.db.prepare(`UPDATE ${this.table} SET ${sets.join(', ')} WHERE id = @id`);
      this.#statements.set(key, statement);
    }
    statement.run(params);
  }
}
