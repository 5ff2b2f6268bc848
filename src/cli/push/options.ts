/**
 * `push` arguments: read strictly, each bad value refused with the option and the rule it broke.
 * Token files and variables are read when the push starts (tokens.ts), not here.
 */
import { readOptions, type ParsedArgs } from '../command-args';

/** Where a server is: what PolyaxonClient and the client settings take. */
export interface ServerAddress {
  host: string;
  port: number;
  useHttps: boolean;
  /** `http://host:port`, the port always written. */
  origin: string;
}

/** `name` (the token's user's) or `user/name`. */
export interface ProjectName {
  user?: string;
  name: string;
}

export interface PushOptions {
  to: ServerAddress;
  /** The target's token (`--token`), or the file holding it (`--token-file`); else POLYAXON_TOKEN. */
  token?: string;
  tokenFile?: string;
  /** The source server, unless `data` is given. */
  from: ServerAddress;
  fromTokenFile?: string;
  /** A local server's data folder to serve privately and read from, instead of `from`. */
  data?: string;
  project?: ProjectName;
  experiments?: number[];
  toProject?: ProjectName;
  statePath?: string;
  batchSize: number;
  retryForSeconds: number;
}

export const DEFAULT_FROM = 'http://127.0.0.1:8000';
export const DEFAULT_BATCH_SIZE = 5000;
export const MAX_BATCH_SIZE = 100_000;
export const DEFAULT_RETRY_FOR_SECONDS = 300;

export function parsePushArgs(args: string[]): ParsedArgs<PushOptions> {
  const read = readOptions(args, {
    to: { type: 'string' },
    'token-file': { type: 'string' },
    token: { type: 'string' },
    from: { type: 'string' },
    'from-token-file': { type: 'string' },
    data: { type: 'string' },
    project: { type: 'string' },
    experiments: { type: 'string' },
    'to-project': { type: 'string' },
    state: { type: 'string' },
    batch: { type: 'string' },
    'retry-for': { type: 'string' },
  });
  if (read.kind === 'error') return read;
  const { values } = read;
  if (values.help) return { kind: 'help' };
  const fail = (message: string) => ({ kind: 'error' as const, message });

  if (values.to === undefined) return fail('--to URL is required (the server to copy to, e.g. http://polyaxon.example.com:80)');
  const to = serverAddress('--to', values.to);
  if (typeof to === 'string') return fail(to);
  const from = serverAddress('--from', values.from ?? DEFAULT_FROM);
  if (typeof from === 'string') return fail(from);
  if (values.from !== undefined && values.data !== undefined) return fail('--from and --data exclude each other: read from a running server, or from a data folder');
  if (values.token !== undefined && values['token-file'] !== undefined) return fail('--token and --token-file exclude each other');
  for (const option of ['token', 'token-file', 'from-token-file', 'data', 'state'] as const) {
    if (values[option] === '') return fail(`--${option} must not be empty`);
  }
  const project = values.project === undefined ? undefined : projectName('--project', values.project);
  if (typeof project === 'string') return fail(project);
  const toProject = values['to-project'] === undefined ? undefined : projectName('--to-project', values['to-project']);
  if (typeof toProject === 'string') return fail(toProject);
  const experiments = values.experiments === undefined ? undefined : experimentIds(values.experiments);
  if (typeof experiments === 'string') return fail(experiments);
  const batchSize = integerIn('--batch', values.batch, DEFAULT_BATCH_SIZE, 1, MAX_BATCH_SIZE);
  if (typeof batchSize === 'string') return fail(batchSize);
  const retryForSeconds = Number(values['retry-for'] ?? DEFAULT_RETRY_FOR_SECONDS);
  if (!Number.isFinite(retryForSeconds) || retryForSeconds <= 0 || values['retry-for']?.trim() === '') {
    return fail(`--retry-for must be a positive number of seconds (got "${values['retry-for']}")`);
  }

  const parsed: PushOptions = { to, from, batchSize, retryForSeconds };
  if (values.token !== undefined) parsed.token = values.token;
  if (values['token-file'] !== undefined) parsed.tokenFile = values['token-file'];
  if (values['from-token-file'] !== undefined) parsed.fromTokenFile = values['from-token-file'];
  if (values.data !== undefined) parsed.data = values.data;
  if (project) parsed.project = project;
  if (toProject) parsed.toProject = toProject;
  if (experiments) parsed.experiments = experiments;
  if (values.state !== undefined) parsed.statePath = values.state;
  return { kind: 'ok', ...parsed };
}

/** `http(s)://host[:port][/api/v1]`: the port defaults to the scheme's and is always written. */
export function serverAddress(option: string, text: string): ServerAddress | string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `${option} must be a URL like http://host:port (got "${text}")`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `${option} must start with http:// or https:// (got "${text}")`;
  if (url.username || url.password) return `${option} must not hold credentials: give the token with a token option`;
  if (!/^\/?(api\/v1\/?)?$/.test(url.pathname) || url.search || url.hash) {
    return `${option} must be the server's address only, like http://host:port (got "${text}")`;
  }
  const useHttps = url.protocol === 'https:';
  const port = url.port ? Number(url.port) : useHttps ? 443 : 80;
  return { host: url.hostname, port, useHttps, origin: `${url.protocol}//${url.hostname}:${port}` };
}

function projectName(option: string, text: string): ProjectName | string {
  const parts = text.split('/');
  if (parts.length > 2 || parts.some((part) => part === '')) return `${option} must be \`name\` or \`user/name\` (got "${text}")`;
  return parts.length === 2 ? { user: parts[0], name: parts[1] } : { name: parts[0] };
}

function experimentIds(text: string): number[] | string {
  const parts = text.split(',').map((part) => part.trim());
  if (parts.some((part) => !/^[1-9]\d{0,14}$/.test(part))) return `--experiments must be experiment ids separated by commas, like 1,2,3 (got "${text}")`;
  return [...new Set(parts.map(Number))];
}

function integerIn(option: string, text: string | undefined, fallback: number, min: number, max: number): number | string {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) return `${option} must be an integer from ${min} to ${max} (got "${text}")`;
  return value;
}
