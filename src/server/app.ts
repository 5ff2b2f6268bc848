import type { IncomingMessage, ServerResponse } from 'node:http';
import { logger } from '../core/logger';
import type { Accounts } from './auth';
import { HttpError, json, parseBody, parsePath, readBody, type Reply } from './http';
import type { Journal } from './journal';
import type { LiveHub } from './live';
import type { JournalEntry, RememberedResponse, ServerEvent, UserAccount } from './model';
import type { OriginPolicy } from './origin-policy';
import { send } from './respond';
import { matchRoute, type RequestContext, type Route } from './router';
import type { ServerState } from './state';
import type { RateLimiter } from './throttle';

export interface AppParts {
  state: ServerState;
  journal: Journal;
  accounts: Accounts;
  routes: readonly Route[];
  /** Which pages and Host names may use the server (CORS, F42). */
  originPolicy: OriginPolicy;
  metricsLimiter: RateLimiter;
  /** Last heartbeat (ms) of each experiment, in memory only. */
  heartbeats: Map<number, number>;
  maxBodyBytes: number;
  /** The dashboard's static files (dashboard-files.ts): a reply for their paths, undefined for others. */
  dashboard(req: IncomingMessage, pathname: string): Reply | undefined;
  /** Told of every write once it is committed. */
  live: LiveHub;
  /** Replays the journal into a cleared state (after a write that did not reach the disk). */
  rebuild(): Promise<void>;
}

const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/**
 * The request pipeline: path → route → token → body → idempotency replay → handler → journal
 * (written and fsynced) → response. A request is answered 2xx only once its effects are on disk.
 */
export function createRequestListener(parts: AppParts) {
  // Keys whose first request is still being written: a repeat waits for it instead of running twice.
  const inflight = new Map<string, Promise<void>>();

  /** Journals `events` (and the response to replay for `idempotency`), then resolves. */
  async function commit(events: ServerEvent[], idempotency?: JournalEntry['idempotency']): Promise<void> {
    const entry: JournalEntry = { v: 1, at: new Date().toISOString(), events };
    if (idempotency) entry.idempotency = idempotency;
    try {
      await parts.journal.append(entry);
    } catch (error) {
      logger.error('journal write failed; memory is rebuilt from disk', error);
      await parts.rebuild();
      throw new HttpError(500, { detail: 'The server could not store the request.' });
    }
  }

  async function handleApi(req: IncomingMessage, segments: string[], query: URLSearchParams, pageUrl: string): Promise<Reply> {
    const method = req.method ?? 'GET';
    const match = matchRoute(parts.routes, method, segments);
    if (match.kind === 'not_found') throw new HttpError(404, { detail: 'Not found.' });
    if (match.kind === 'method_not_allowed') {
      throw new HttpError(405, { detail: `Method "${method}" not allowed.` }, { Allow: match.allowed.join(', ') });
    }
    const { route, params } = match;
    const user = route.anonymous ? parts.accounts.main : parts.accounts.authenticate(req);
    if (route.path.endsWith('/metrics') && method === 'POST') throwIfThrottled(parts.metricsLimiter, user);
    const raw = await readBody(req, parts.maxBodyBytes);
    const body = parseBody(raw, req.headers['content-type'], route.rawBody ? 'raw' : route.formBody ? 'json-or-form' : 'json');
    const key = route.mutates ? idempotencyKey(req) : undefined;
    if (key === undefined) return run(route, params, query, body, user, pageUrl);

    const slot = `${user.username}\n${key}`;
    while (inflight.has(slot)) await inflight.get(slot)?.catch(() => undefined);
    const remembered = parts.state.recall(user.username, key);
    if (remembered) return replay(remembered);
    let settle!: () => void;
    inflight.set(slot, new Promise<void>((resolve) => (settle = resolve)));
    try {
      return await run(route, params, query, body, user, pageUrl, key);
    } finally {
      inflight.delete(slot);
      settle();
    }
  }

  async function run(
    route: Route,
    params: Record<string, string>,
    query: URLSearchParams,
    body: unknown,
    user: UserAccount,
    pageUrl: string,
    key?: string,
  ): Promise<Reply> {
    const events: ServerEvent[] = [];
    const context: RequestContext = {
      params, query, body, user, pageUrl,
      state: parts.state,
      now: new Date().toISOString(),
      apply(event) {
        parts.state.apply(event);
        events.push(event);
      },
      heartbeat: (experimentId) => parts.heartbeats.set(experimentId, Date.now()),
    };
    let reply: Reply;
    try {
      reply = await route.handle(context);
    } catch (error) {
      // A handler validates before it applies anything; if one ever fails half-way, undo by replay.
      if (events.length > 0) await parts.rebuild();
      throw error;
    }
    const succeeded = reply.status >= 200 && reply.status < 300;
    const remember = key !== undefined && succeeded && reply.text === undefined && reply.stream === undefined;
    if (events.length === 0 && !remember) return reply;
    const response: RememberedResponse = { status: reply.status, body: reply.body ?? null };
    if (remember) parts.state.remember(user.username, key, response);
    await commit(events, remember ? { user: user.username, key, response } : undefined);
    parts.live.publish(events);
    return reply;
  }

  return async function listener(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const admission = parts.originPolicy.admit(req);
    let reply: Reply;
    try {
      if (admission.kind === 'refused') throw admission.error;
      reply = await route(req);
    } catch (error) {
      reply = errorReply(error);
    }
    if (res.headersSent || res.destroyed) return;
    try {
      await send(req, res, reply, admission.headers);
    } catch (error) {
      // A stream reply failed before its status went out.
      if (!res.headersSent) await send(req, res, errorReply(error), admission.headers);
      else res.destroy();
    }
  };

  async function route(req: IncomingMessage): Promise<Reply> {
    if (req.method === 'OPTIONS') return { status: 204, headers: parts.originPolicy.preflight(req) };
    const path = parsePath(req.url ?? '/');
    if (path.kind === 'other') {
      const page = parts.dashboard(req, path.pathname);
      if (page) return page;
      // Browsers ask for it on every page; an empty answer keeps their consoles clean.
      if (path.pathname === '/favicon.ico') return { status: 204 };
      throw new HttpError(404, { detail: 'Not found.' });
    }
    const host = req.headers.host ?? 'localhost';
    const pageUrl = `http://${host}/api/v1/${path.segments.map(encodeURIComponent).join('/')}${path.segments.length ? '/' : ''}`;
    return handleApi(req, path.segments, path.query, pageUrl);
  }
}

/** Polyaxon's answer to a throttled metrics post (DRF's `Throttled`), with its `Retry-After`. */
function throwIfThrottled(limiter: RateLimiter, user: UserAccount): void {
  const decision = limiter.admit(user.username);
  if (decision.kind === 'allowed') return;
  const seconds = decision.retryAfterSeconds;
  throw new HttpError(
    429,
    { detail: `Request was throttled. Expected available in ${seconds} second${seconds === 1 ? '' : 's'}.` },
    { 'Retry-After': String(seconds) },
  );
}

function replay(remembered: RememberedResponse): Reply {
  const reply: Reply = { status: remembered.status, headers: { 'Idempotent-Replayed': 'true' } };
  if (remembered.body !== null) reply.body = remembered.body;
  return reply;
}

function idempotencyKey(req: IncomingMessage): string | undefined {
  const value = req.headers['idempotency-key'];
  if (value === undefined) return undefined;
  const key = Array.isArray(value) ? value[0] : value;
  if (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH || !/^[\x21-\x7e]+$/.test(key)) {
    throw new HttpError(400, { detail: `Idempotency-Key must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} visible ASCII characters.` });
  }
  return key;
}

function errorReply(error: unknown): Reply {
  if (error instanceof HttpError) return { status: error.status, body: error.body, headers: error.headers };
  logger.error('request failed', error);
  return json(500, { detail: 'A server error occurred.' });
}
