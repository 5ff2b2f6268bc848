import { parseArgs } from 'node:util';
import type { CliCommand } from '../cli';
import { startServer } from '../server/index';
import { checkStore, describeCheck } from '../server/store/check';

const USAGE = `Usage: polyaxon-tracking serve [options]

Starts the local Polyaxon-compatible server (API under /api/v1/, dashboard at /) and runs until
SIGINT or SIGTERM.

Options:
  --host HOST     interface to bind (default 127.0.0.1: this machine only)
  --port PORT     port, 0 for a free one (default 8000)
  --data DIR      data folder: database server.db and saved token (default ./.polyaxon-data)
  --token T       the API token to require (default: saved in the data folder, created at first start)
  --no-auth       accept requests without a token (explicit opt-out)
  --user NAME     the main user, a superuser (default local)
  --quiet         print nothing at start
  --import DIR    import DIR/journal.jsonl (written by an earlier version) into an empty store,
                  then serve; the file is left as it is (a first start beside one imports it too)
  --check         check the data folder and exit: PRAGMA integrity_check of the database and
                  the lines of a journal.jsonl; writes nothing; exit 1 when the database is damaged
  -h, --help      show this text

Logging in with a Polyaxon client: the password of the local user is its token.`;

type ParsedServe =
  | { kind: 'ok'; host: string; port: number; dataDir: string; token?: string; noAuth: boolean; user: string; quiet: boolean; importFrom?: string }
  | { kind: 'check'; dataDir: string }
  | { kind: 'help' }
  | { kind: 'error'; message: string };

export function parseServeArgs(args: string[]): ParsedServe {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        data: { type: 'string' },
        token: { type: 'string' },
        'no-auth': { type: 'boolean' },
        user: { type: 'string' },
        quiet: { type: 'boolean' },
        import: { type: 'string' },
        check: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    return { kind: 'error', message: (error as Error).message };
  }
  if (values.help) return { kind: 'help' };
  if (values.check) return { kind: 'check', dataDir: values.data ?? './.polyaxon-data' };
  if (values.import === '') return { kind: 'error', message: '--import must name a folder' };
  const port = Number(values.port ?? '8000');
  if (!/^\d+$/.test(values.port ?? '8000') || port > 65535) {
    return { kind: 'error', message: `--port must be an integer from 0 to 65535 (got "${values.port}")` };
  }
  if (values.token !== undefined && values['no-auth']) {
    return { kind: 'error', message: '--token and --no-auth exclude each other' };
  }
  if (values.token === '') return { kind: 'error', message: '--token must not be empty' };
  return {
    kind: 'ok',
    host: values.host ?? '127.0.0.1',
    port,
    dataDir: values.data ?? './.polyaxon-data',
    token: values.token,
    noAuth: values['no-auth'] ?? false,
    user: values.user ?? 'local',
    quiet: values.quiet ?? false,
    ...(values.import === undefined ? {} : { importFrom: values.import }),
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

export const serveCommand: CliCommand = {
  summary: 'run the local Polyaxon-compatible server and dashboard',
  usage: USAGE,
  async run(args) {
    const parsed = parseServeArgs(args);
    if (parsed.kind === 'help') {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (parsed.kind === 'error') {
      process.stderr.write(`polyaxon-tracking serve: ${parsed.message}\n\n${USAGE}\n`);
      return 2;
    }
    if (parsed.kind === 'check') {
      const report = await checkStore(parsed.dataDir);
      process.stdout.write(`${describeCheck(report)}\n`);
      return report.ok ? 0 : 1;
    }
    const { kind: _kind, ...options } = parsed;
    const server = await startServer(options);
    const signal = await untilSignal();
    await server.close();
    if (!parsed.quiet) process.stdout.write(`stopped (${signal})\n`);
    return 0;
  },
};
