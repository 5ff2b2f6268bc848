import type BetterSqlite3 from 'better-sqlite3';
import { StoreUnavailableError } from './errors';

export type Database = BetterSqlite3.Database;
export type Statement = BetterSqlite3.Statement;
type DatabaseConstructor = typeof BetterSqlite3;

let loaded: Promise<DatabaseConstructor> | undefined;

/**
 * better-sqlite3 is loaded here, on the server's open path only: it is an optional dependency
 * (a native addon) that the client entries never import, so installing the client never needs a
 * compiler and a browser bundle never sees it.
 */
export function loadSqlite(): Promise<DatabaseConstructor> {
  loaded ??= import('better-sqlite3').then(
    (module) => ((module as { default?: DatabaseConstructor }).default ?? (module as unknown as DatabaseConstructor)),
    (error: unknown) => {
      loaded = undefined;
      throw new StoreUnavailableError(error);
    },
  );
  return loaded;
}
