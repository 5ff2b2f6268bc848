/**
 * Client settings, resolved once from explicit options over POLYAXON_* variables (read through an
 * injected lookup: `process.env` in Node, a user-supplied object in browsers) over defaults.
 */
export type EnvLookup = (name: string) => string | undefined;

export interface ClientOptions {
  /** API host name, without scheme. Default: `POLYAXON_API_HOST`, else `localhost`. */
  host?: string;
  /** API port; always written into the URL, even 80 or 443. Default: `POLYAXON_HTTP_PORT`, else 8000. */
  port?: number;
  /** API token. Default: `POLYAXON_SECRET_USER_TOKEN`, else none. Never persisted. */
  token?: string;
  /** Use https. Default: `POLYAXON_USE_HTTPS`, else false. */
  useHttps?: boolean;
  /** Default: `POLYAXON_API_VERSION`, else `v1`. */
  apiVersion?: string;
  /** Scheme word of the Authorization header. Default: `POLYAXON_AUTHENTICATION_TYPE`, else `Token`. */
  authenticationType?: string;
  /** Per-request timeout. Default: 30_000 ms. */
  timeoutMs?: number;
  /** Extra headers sent with every request. Default: none (and `POLYAXON_INTERNAL_HEADER` in the cluster). */
  headers?: Record<string, string>;
  /** Settings lookup. Default: the runtime's (`process.env` in Node, `POLYAXON_ENV` on the page or Worker). */
  env?: EnvLookup | Record<string, string | undefined>;
}

export interface ClientSettings {
  /** `{scheme}://{host}:{port}/api/{version}`, no trailing slash. */
  baseUrl: string;
  token: string | undefined;
  authenticationType: string;
  timeoutMs: number;
  headers: Record<string, string>;
  isManaged: boolean;
  noOp: boolean;
  isOffline: boolean;
  verifySsl: boolean;
}

const TRUE_WORDS = new Set(['y', 'yes', 't', 'true', 'on', '1']);
const FALSE_WORDS = new Set(['n', 'no', 'f', 'false', 'off', '0']);

/** Polyaxon's boolean words, any case; anything else gives `fallback`. */
export function parseBool(value: string | undefined, fallback = false): boolean {
  if (value === undefined) return fallback;
  const word = value.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  return fallback;
}

export function toLookup(env: ClientOptions['env'], fallback: EnvLookup): EnvLookup {
  if (!env) return fallback;
  if (typeof env === 'function') return env;
  return (name) => env[name];
}

/** True when running as a Polyaxon-managed (in-cluster) job. */
export function isManaged(getEnv: EnvLookup): boolean {
  return parseBool(getEnv('POLYAXON_IS_MANAGED')) || parseBool(getEnv('POLYAXON_IN_CLUSTER'));
}

export function resolveClientSettings(options: ClientOptions, fallbackEnv: EnvLookup): ClientSettings {
  const getEnv = toLookup(options.env, fallbackEnv);
  const managed = isManaged(getEnv);
  const useHttps = options.useHttps ?? parseBool(getEnv('POLYAXON_USE_HTTPS'));
  const host = options.host ?? getEnv('POLYAXON_API_HOST') ?? 'localhost';
  const portText = getEnv('POLYAXON_HTTP_PORT');
  const port = options.port ?? (portText ? Number(portText) : 8000);
  const version = options.apiVersion ?? getEnv('POLYAXON_API_VERSION') ?? 'v1';
  // In-cluster the platform hands over the full base host, scheme included.
  const clusterHost = managed && options.host === undefined ? getEnv('POLYAXON_API_HTTP_HOST') : undefined;
  const origin = clusterHost ? clusterHost.replace(/\/+$/, '') : `${useHttps ? 'https' : 'http'}://${host}:${port}`;

  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  const internalHeader = getEnv('POLYAXON_INTERNAL_HEADER');
  const internalService = getEnv('POLYAXON_INTERNAL_HEADER_SERVICE');
  if (internalHeader && internalService) headers[internalHeader] = internalService;

  return {
    baseUrl: apiBaseUrl(origin, version),
    token: options.token ?? getEnv('POLYAXON_SECRET_USER_TOKEN') ?? undefined,
    authenticationType: options.authenticationType ?? getEnv('POLYAXON_AUTHENTICATION_TYPE') ?? 'Token',
    timeoutMs: options.timeoutMs ?? 30_000,
    headers,
    isManaged: managed,
    noOp: parseBool(getEnv('POLYAXON_NO_OP')),
    isOffline: parseBool(getEnv('POLYAXON_IS_OFFLINE')),
    verifySsl: parseBool(getEnv('POLYAXON_VERIFY_SSL'), true),
  };
}

/** `{origin}/api/{version}`: where a Polyaxon server's API lives, no trailing slash. */
export function apiBaseUrl(origin: string, version: string): string {
  return `${origin}/api/${version}`;
}

/** Joins path parts the way the Python client does: every part followed by one `/`. */
export function buildUrl(baseUrl: string, ...parts: Array<string | number>): string {
  let url = baseUrl;
  for (const part of parts) {
    const text = String(part).replace(/^\/+|\/+$/g, '');
    if (text) url += `/${text}`;
  }
  return `${url}/`;
}
