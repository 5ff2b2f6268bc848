import { RawJson, stringifyJson } from '../json/raw-json';
import type { RememberedResponse } from '../model';
import type { Database, Statement } from './sqlite';

/**
 * Answers remembered under an `Idempotency-Key`, per user. `remember` runs inside the request's
 * transaction, so the key is stored exactly when the data it acknowledges is: a crash between the
 * two cannot happen, and a retried request is applied once.
 */
export class IdempotencyKeys {
  readonly #insert: Statement;
  readonly #get: Statement;

  constructor(db: Database) {
    this.#insert = db.prepare(
      'INSERT OR REPLACE INTO idempotency_key (user, key, status, body, created_at) VALUES (?, ?, ?, ?, ?)',
    );
    this.#get = db.prepare('SELECT status, body FROM idempotency_key WHERE user = ? AND key = ?');
  }

  remember(user: string, key: string, response: RememberedResponse, at: string): void {
    this.#insert.run(user, key, response.status, response.body === null ? null : stringifyJson(response.body), at);
  }

  recall(user: string, key: string): RememberedResponse | undefined {
    const row = this.#get.get(user, key) as { status: number; body: string | null } | undefined;
    if (!row) return undefined;
    // Replayed as the text first answered (number types as first written).
    return { status: row.status, body: row.body === null ? null : new RawJson(row.body) };
  }
}
