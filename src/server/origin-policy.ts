import type { IncomingMessage } from 'node:http';
import { hostname as machineName, networkInterfaces } from 'node:os';
import { IDEMPOTENCY_FEATURE, TRACKING_FEATURES_HEADER } from '../wire/tracking-features';
import { HttpError } from './http';

/**
 * Which web pages may use the server, and under which `Host` names it answers.
 *
 * With a token, a page elsewhere learns nothing without it, so any origin may call the API (CORS
 * `*`) unless `corsOrigins` names some. Without a token (`--no-auth`) every page the user visits
 * could otherwise read and write the data (F42), so, as MLflow 3.5 does for its local server:
 * - only the server's own origin and the named ones get CORS headers, and a request that carries
 *   any other `Origin` is refused before it runs (a form or `no-cors` post needs no preflight, so
 *   withholding CORS headers alone would not stop a write);
 * - a `Host` that is not one of the server's own names is refused: a DNS-rebinding page has the
 *   attacker's name in `Host`, and is same-origin with itself, so it sends no `Origin` on a GET.
 */
export interface OriginPolicyOptions {
  /** The interface the server is bound to (`--host`). */
  boundHost: string;
  /** `--no-auth`: the Host check and the origin allowlist are on. */
  noAuth: boolean;
  /** Origins allowed besides the server's own (`--cors-origin`), e.g. `http://127.0.0.1:5173`. */
  corsOrigins: readonly string[];
  /** Extra names the server answers to under `--no-auth` (`--allowed-host`), e.g. a proxy's. */
  allowedHosts: readonly string[];
}

/** Request headers a page needs besides any it asks for (e.g. the in-cluster `X-POLYAXON-INTERNAL`). */
const ALLOWED_HEADERS = ['Authorization', 'Content-Type', 'Idempotency-Key'];
const ALLOWED_METHODS = ['GET', 'POST', 'PATCH', 'PUT', 'DELETE', 'OPTIONS'];
/** Response headers a page may read: back-off, replay, and the feature list above. */
const EXPOSED_HEADERS = ['Retry-After', 'Idempotent-Replayed', TRACKING_FEATURES_HEADER];
const PREFLIGHT_MAX_AGE_SECONDS = 600;

export type Admission =
  | { kind: 'admitted'; headers: Record<string, string> }
  | { kind: 'refused'; error: HttpError; headers: Record<string, string> };

export interface OriginPolicy {
  /** Decides on a request from its `Host` and `Origin`; the headers go on whatever is answered. */
  admit(req: IncomingMessage): Admission;
  /** Extra headers of a preflight answer for an admitted request. */
  preflight(req: IncomingMessage): Record<string, string>;
}

/** Why `origin` cannot be allowed, or null: an origin is `http(s)://host[:port]` and nothing more. */
export function corsOriginProblem(origin: string): string | null {
  const parsed = parseOrigin(origin);
  const bare = parsed && /^https?:$/.test(parsed.protocol) && !parsed.username && !parsed.password && parsed.pathname === '/' && !parsed.search && !parsed.hash;
  if (!bare || !/^https?:\/\/[^/?#]+\/?$/i.test(origin.trim())) {
    return `"${origin}" is not an origin: write it as scheme://host[:port], e.g. http://127.0.0.1:5173`;
  }
  return null;
}

export function createOriginPolicy(options: OriginPolicyOptions): OriginPolicy {
  for (const origin of options.corsOrigins) {
    const problem = corsOriginProblem(origin);
    if (problem) throw new Error(`corsOrigins: ${problem}`);
  }
  const named = new Set(options.corsOrigins.map(normalizeOrigin));
  const restricted = options.noAuth || named.size > 0;
  const ownNames = serverNames(options.boundHost, options.allowedHosts);
  // What the API promises beyond Polyaxon, read by the browser client before it sends `Idempotency-Key`.
  const base = { [TRACKING_FEATURES_HEADER]: IDEMPOTENCY_FEATURE };

  // The page's origin is the server's own when it names the Host the request came to (a page
  // the server served, also behind a port mapping), or one of its names on the port it listens on.
  const isOwnOrigin = (origin: URL, req: IncomingMessage) =>
    origin.protocol === 'http:' &&
    (origin.host === String(req.headers.host ?? '').toLowerCase() ||
      (ownNames.has(normalizeHostname(origin.hostname)) && Number(origin.port || 80) === req.socket.localPort));

  return {
    admit(req) {
      if (options.noAuth) {
        const host = hostnameOf(req.headers.host);
        if (host === undefined || !ownNames.has(host)) {
          return {
            kind: 'refused',
            headers: base,
            error: new HttpError(403, {
              detail: `Host "${req.headers.host ?? ''}" is not a name of this server (it answers to ${[...ownNames].sort().join(', ')}); name another with --allowed-host.`,
            }),
          };
        }
      }
      const origin = headerValue(req.headers.origin);
      if (!restricted) return { kind: 'admitted', headers: { ...base, ...corsFor('*') } };
      const headers = { ...base, Vary: 'Origin' };
      if (origin === undefined) return { kind: 'admitted', headers };
      const parsed = parseOrigin(origin);
      const allowed = named.has(normalizeOrigin(origin)) || (parsed !== undefined && isOwnOrigin(parsed, req));
      if (allowed) return { kind: 'admitted', headers: { ...headers, ...corsFor(origin) } };
      return {
        kind: 'refused',
        headers,
        error: new HttpError(403, {
          detail: `Origin "${origin}" may not use this server; start serve with --cors-origin ${origin} to allow it.`,
        }),
      };
    },

    preflight(req) {
      const requested = String(req.headers['access-control-request-headers'] ?? '')
        .split(',')
        .map((name) => name.trim())
        .filter((name) => /^[A-Za-z0-9_-]+$/.test(name));
      const headers: Record<string, string> = {
        'Access-Control-Allow-Methods': ALLOWED_METHODS.join(', '),
        'Access-Control-Allow-Headers': [...new Set([...ALLOWED_HEADERS, ...requested])].join(', '),
        'Access-Control-Max-Age': String(PREFLIGHT_MAX_AGE_SECONDS),
      };
      // Chrome's Private Network Access asks before a public page may reach 127.0.0.1.
      if (req.headers['access-control-request-private-network'] === 'true') {
        headers['Access-Control-Allow-Private-Network'] = 'true';
      }
      return headers;
    },
  };
}

function corsFor(origin: string): Record<string, string> {
  return { 'Access-Control-Allow-Origin': origin, 'Access-Control-Expose-Headers': EXPOSED_HEADERS.join(', ') };
}

/**
 * The names a request's `Host` may carry: loopback names, the bound address, and, when bound to
 * every interface, each interface's address and the machine's name (what other machines use).
 * `0.0.0.0` and `::` stay allowed there because serve prints them; a page elsewhere that calls them
 * still carries its own `Origin` and is refused by that check.
 */
function serverNames(boundHost: string, extra: readonly string[]): Set<string> {
  const names = new Set(['localhost', '127.0.0.1', '::1', ...extra].map(normalizeHostname));
  const bound = normalizeHostname(boundHost);
  names.add(bound);
  if (bound === '0.0.0.0' || bound === '::' || bound === '') {
    for (const addresses of Object.values(networkInterfaces())) {
      for (const address of addresses ?? []) names.add(normalizeHostname(address.address));
    }
    names.add(normalizeHostname(machineName()));
  }
  return names;
}

/** `Host` header → hostname (lowercase, brackets and port removed), or undefined when unusable. */
function hostnameOf(host: string | undefined): string | undefined {
  if (!host) return undefined;
  try {
    return normalizeHostname(new URL(`http://${host}`).hostname);
  } catch {
    return undefined;
  }
}

function normalizeHostname(name: string): string {
  const bare = name.toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
  // *.localhost always resolves to loopback in browsers (RFC 6761), so it cannot be rebound.
  return bare.endsWith('.localhost') ? 'localhost' : bare;
}

function parseOrigin(origin: string): URL | undefined {
  try {
    return new URL(origin);
  } catch {
    return undefined;
  }
}

/** `HTTP://Example.com:80` and `http://example.com` name one origin. */
export function normalizeOrigin(origin: string): string {
  const parsed = parseOrigin(origin.trim());
  return parsed && parsed.origin !== 'null' ? parsed.origin : origin.trim().toLowerCase();
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
