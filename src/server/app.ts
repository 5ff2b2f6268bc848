import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname } from 'node:path';
import { logger } from '../runtime/logger';
import type { Accounts } from './auth';
import { HttpError, json, parseBody, parsePath, readBody, type Reply, type RequestBody } from './http';
import type { LiveHub } from './live';
import type { RememberedResponse, ServerEvent, UserAccount } from './model';
import type { OriginPolicy } from './origin-policy';
import { send } from './respond';
import { matchRoute, type RequestContext, type Route } from './router';
import { isDamage, isStorageFull, CHECK_COMMAND } from './store/errors';
import type { ServerStore } from './store/store';
import type { RateLimiter } from './throttle';

export interface AppParts {
  state: ServerStore;
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
}

const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/**
 * The request pipeline: path → route → token → body → one transaction (idempotency replay or
 * handler, and the key remembered with the data) → fsync → response. A request is answered 2xx
 * only once its effects are on disk; a handler that throws leaves nothing behind.
 */
export function createRequestListener(parts: AppParts) {

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
    return run(route, params, query, body, user, pageUrl, key);
  }

  async function run(
    route: Route,
    params: Record<string, string>,
    query: URLSearchParams,
    body: RequestBody,
    user: UserAccount,
    pageUrl: string,
    key?: string,
  ): Promise<Reply> {
    const events: ServerEvent[] = [];
    const context: RequestContext = {
      params, query, user, pageUrl,
      body: body.value,
      bodyJson: body.json,
      state: parts.state,
      now: new Date().toISOString(),
      apply: (event) => {
        parts.state.apply(event);
        events.push(event);
      },
      heartbeat: (experimentId) => parts.heartbeats.set(experimentId, Date.now()),
    };
    if (!route.mutates) return route.handle(context);
    // Synchronous from the key lookup to the commit: a repeated key arriving meanwhile waits its
    // turn on the event loop and then finds the remembered answer.
    const reply = parts.state.write((): Reply => {
      const remembered = key === undefined ? undefined : parts.state.recall(user.username, key);
      if (remembered) return replay(remembered);
      const answer = route.handle(context);
      if (answer instanceof Promise) throw new Error(`${route.method} ${route.path}: a route that changes data must answer synchronously`);
      const succeeded = answer.status >= 200 && answer.status < 300;
      if (key !== undefined && succeeded && answer.text === undefined && answer.stream === undefined) {
        const response: RememberedResponse = { status: answer.status, body: answer.body ?? null };
        parts.state.remember(user.username, key, response, context.now);
      }
      return answer;
    });
    await parts.state.durable();
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
      reply = errorReply(error, parts.state);
    }
    if (res.headersSent || res.destroyed) return;
    try {
      await send(req, res, reply, admission.headers);
    } catch (error) {
      // A stream reply failed before its status went out.
      if (!res.headersSent) await send(req, res, errorReply(error, parts.state), admission.headers);
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

function errorReply(error: unknown, state: ServerStore): Reply {
  if (error instanceof HttpError) return { status: error.status, body: error.body, headers: error.headers };
  // F37: nothing of the request was stored; reads go on, and writes work again once space is freed.
  if (isStorageFull(error)) {
    logger.warnOnce('server-disk-full', `the disk holding ${state.file} is full or failing: writes answer 507 until space is freed`, error);
    return json(507, { detail: 'Insufficient storage: the server could not store the request. Retry once disk space is freed.' });
  }
  if (isDamage(error)) {
    const check = `${CHECK_COMMAND} ${dirname(state.file)}`;
    logger.warnOnce('server-damaged', `the database ${state.file} is damaged; stop the server and run \`${check}\``, error);
    return json(500, { detail: `The server's database ${state.file} is damaged; stop the server and run \`${check}\`.` });
  }
  logger.error('request failed', error);
  return json(500, { detail: 'A server error occurred.' });
}
