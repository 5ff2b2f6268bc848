import { nameProblem } from '../wire/names';
import type { Reply } from './http';
import type { ServerEvent, UserAccount } from './model';
import type { ServerStore } from './store/store';

/** Everything a handler may use; it changes the state only through `apply`. */
export interface RequestContext {
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  /**
   * The JSON text `body` was parsed from ('' when the body is not JSON): JSON fields are stored
   * from it as sent, so `1.0` stays `1.0` (json/raw-json.ts).
   */
  bodyJson: string;
  user: UserAccount;
  /** The server's data: reads, ids, and `apply` (which the request's transaction commits). */
  state: ServerStore;
  /** This request's timestamp (ISO 8601, UTC): one clock reading per request. */
  now: string;
  /** Absolute URL of the requested path without its query, for pagination links. */
  pageUrl: string;
  /** Applies `event` in the request's transaction (mutating routes only), committed before the answer. */
  apply(event: ServerEvent): void;
  /** Marks a running experiment alive (heartbeats are kept in memory, as Polyaxon keeps them in Redis). */
  heartbeat(experimentId: number): void;
}

export interface Route {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /**
   * Literal segments, or `:user`, `:project` (slugs) and `:id` (digits); a last part `*name` takes
   * the one or more segments left, joined with `/` (each already refused if `.`, `..` or empty).
   */
  path: string;
  /** Served without a token (the login call). */
  anonymous?: boolean;
  /** Takes part in `Idempotency-Key` replay: it changes data. */
  mutates: boolean;
  /** The handler reads the body as the raw bytes (a Buffer) instead of parsed JSON. */
  rawBody?: boolean;
  /** Also takes an `application/x-www-form-urlencoded` body (Polyaxon's login); others take JSON only. */
  formBody?: boolean;
  handle(context: RequestContext): Reply | Promise<Reply>;
}

export type RouteMatch =
  | { kind: 'found'; route: Route; params: Record<string, string> }
  | { kind: 'method_not_allowed'; allowed: string[] }
  | { kind: 'not_found' };

export function matchRoute(routes: readonly Route[], method: string, segments: string[]): RouteMatch {
  const allowed: string[] = [];
  for (const route of routes) {
    const params = matchPath(route.path, segments);
    if (!params) continue;
    if (route.method === method) return { kind: 'found', route, params };
    if (!allowed.includes(route.method)) allowed.push(route.method);
  }
  return allowed.length > 0 ? { kind: 'method_not_allowed', allowed } : { kind: 'not_found' };
}

function matchPath(path: string, segments: string[]): Record<string, string> | null {
  const parts = path.split('/');
  const rest = parts[parts.length - 1].startsWith('*') ? parts.pop()!.slice(1) : undefined;
  if (rest === undefined ? parts.length !== segments.length : parts.length >= segments.length) return null;
  const params: Record<string, string> = {};
  if (rest !== undefined) params[rest] = segments.slice(parts.length).join('/');
  for (let index = 0; index < parts.length; index += 1) {
    const part = parts[index];
    const segment = segments[index];
    if (!part.startsWith(':')) {
      if (part !== segment) return null;
      continue;
    }
    // A user or project segment that is not a valid name (a slug, not reserved) names nothing:
    // it never reaches a lookup, and `users`/`projects` never read as a user's name.
    const valid = part === ':id' ? /^\d{1,15}$/.test(segment) : nameProblem(segment) === null;
    if (!valid) return null;
    params[part.slice(1)] = segment;
  }
  return params;
}
