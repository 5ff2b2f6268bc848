import type { CliCommand } from './command';
import { corsOriginProblem } from '../server/origin-policy';
import { startServer } from '../server/index';
import { checkStore, describeCheck } from '../server/store/check';
import { readOptions, runParsed, type ParsedArgs } from './command-args';
import { readTokenSource, tokenHelp, TOKEN_VARIABLE } from './token-source';

const DEFAULT_THROTTLE = 120;

const USAGE = `Usage: polyaxon-tracking serve [options]

Starts the local Polyaxon-compatible server (API under /api/v1/, dashboard at /) and runs until
SIGINT or SIGTERM.

Options:
  --host HOST     interface to bind (default 127.0.0.1: this machine only)
  --port PORT     port, 0 for a free one (default 8000)
  --data DIR      data folder: database server.db and saved token (default ./.polyaxon-data)
  The API token to require: from --token-file or --token, else the ${TOKEN_VARIABLE} variable,
  else the one saved in the data folder (created at first start, readable by you only):
${tokenHelp(15)}
  --no-auth       accept requests without a token (explicit opt-out). Then only this server's
                  own pages and the --cors-origin ones may call it from a browser, and requests
                  naming another host are refused (DNS rebinding)
  --cors-origin O a web origin allowed to call the API from a browser, e.g.
                  http://127.0.0.1:5173 (repeatable; default: any origin with a token, none
                  but the server's own with --no-auth)
  --allowed-host H  a name the server may be reached by with --no-auth besides loopback and
                  the bound address, e.g. a proxy's (repeatable)
  --throttle N    metric posts per second per user, as Polyaxon (default ${DEFAULT_THROTTLE}; 0: no limit)
  --user NAME     the main user, a superuser (default local)
  --quiet         print nothing at start
  --import DIR    import DIR/journal.jsonl (written by an earlier version) into an empty store,
                  then serve; the file is left as it is (a first start beside one imports it too)
  --check         check the data folder and exit: PRAGMA integrity_check of the database and
                  the lines of a journal.jsonl; writes nothing; exit 1 when the database is damaged
  -h, --help      show this text

The token is never printed. Logging in with a Polyaxon client: the password of the local user
is its token.`;

export interface ServeArgs {
  host: string;
  port: number;
  dataDir: string;
  token?: string;
  tokenFile?: string;
  noAuth: boolean;
  user: string;
  quiet: boolean;
  metricsRequestsPerSecond: number;
  corsOrigins: string[];
  allowedHosts: string[];
  /** `--import DIR`: a folder whose journal.jsonl is imported into the empty store first. */
  importFrom?: string;
  /** `--check`: check the data folder and exit instead of serving. */
  check?: true;
}

export function parseServeArgs(args: string[]): ParsedArgs<ServeArgs> {
  const read = readOptions(args, {
    host: { type: 'string' },
    port: { type: 'string' },
    data: { type: 'string' },
    token: { type: 'string' },
    'token-file': { type: 'string' },
    'no-auth': { type: 'boolean' },
    'cors-origin': { type: 'string', multiple: true },
    'allowed-host': { type: 'string', multiple: true },
    throttle: { type: 'string' },
    user: { type: 'string' },
    quiet: { type: 'boolean' },
    import: { type: 'string' },
    check: { type: 'boolean' },
  });
  if (read.kind === 'error') return read;
  const { values } = read;
  if (values.help) return { kind: 'help' };
  if (values.import === '') return { kind: 'error', message: '--import must name a folder' };
  const port = Number(values.port ?? '8000');
  if (!/^\d+$/.test(values.port ?? '8000') || port > 65535) {
    return { kind: 'error', message: `--port must be an integer from 0 to 65535 (got "${values.port}")` };
  }
  const throttle = values.throttle ?? String(DEFAULT_THROTTLE);
  if (!/^\d{1,9}$/.test(throttle)) {
    return { kind: 'error', message: `--throttle must be a whole number of requests per second, 0 for no limit (got "${values.throttle}")` };
  }
  if ((values.token !== undefined || values['token-file'] !== undefined) && values['no-auth']) {
    return { kind: 'error', message: '--token/--token-file and --no-auth exclude each other' };
  }
  if (values.token === '') return { kind: 'error', message: '--token must not be empty' };
  const corsOrigins = values['cors-origin'] ?? [];
  for (const origin of corsOrigins) {
    const problem = corsOriginProblem(origin);
    if (problem) return { kind: 'error', message: `--cors-origin: ${problem}` };
  }
  const allowedHosts = values['allowed-host'] ?? [];
  const badHost = allowedHosts.find((name) => !/^[A-Za-z0-9.:_[\]-]+$/.test(name));
  if (badHost !== undefined) return { kind: 'error', message: `--allowed-host must be a host name or address without port (got "${badHost}")` };
  return {
    kind: 'ok',
    host: values.host ?? '127.0.0.1',
    port,
    dataDir: values.data ?? './.polyaxon-data',
    token: values.token,
    tokenFile: values['token-file'],
    noAuth: values['no-auth'] ?? false,
    user: values.user ?? 'local',
    quiet: values.quiet ?? false,
    metricsRequestsPerSecond: Number(throttle),
    corsOrigins,
    allowedHosts,
    ...(values.import === undefined ? {} : { importFrom: values.import }),
    ...(values.check ? { check: true as const } : {}),
  };
}

/** Resolves at the first SIGINT or SIGTERM. */
function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

async function serve(args: ServeArgs): Promise<number> {
  if (args.check) {
    const report = await checkStore(args.dataDir);
    process.stdout.write(`${describeCheck(report)}\n`);
    return report.ok ? 0 : 1;
  }
  const { tokenFile, check: _check, ...options } = args;
  let token: string | undefined;
  if (!args.noAuth) {
    const source = await readTokenSource({ token: args.token, tokenFile }, (name) => process.env[name], (line) => process.stderr.write(`${line}\n`));
    if (source.kind === 'error') {
      process.stderr.write(`polyaxon-tracking serve: ${source.message}\n`);
      return 2;
    }
    token = source.kind === 'given' ? source.token : undefined;
  }
  const server = await startServer({ ...options, token });
  const signal = await untilSignal();
  await server.close();
  if (!args.quiet) process.stdout.write(`stopped (${signal})\n`);
  return 0;
}

export const serveCommand: CliCommand = {
  summary: 'run the local Polyaxon-compatible server and dashboard',
  usage: USAGE,
  run: (args) => runParsed('serve', USAGE, parseServeArgs(args), serve),
};
