import type { CliCommand } from './command';
import { readOptions, runParsed, type ParsedArgs } from './command-args';
import { setLogLevel } from '../runtime/logger';
import type { Environment } from '../runtime/environment';
import { resolveClientSettings, type ClientSettings } from '../runtime/settings';
import { listQueues, outboxRoot } from '../node/journal-store';
import { nodeEnvironment } from '../node/environment';
import { formatCount, formatDrops, formatSeconds, progressFor } from './progress';
import { baseUrlOfQueue, queueName } from '../outbox/queue-name';
import { describeStop, dropCount, syncQueue, type QueueSyncResult } from './sync-queue';
import { readTokenSource, tokenHelp } from './token-source';

const USAGE = `Usage: polyaxon-tracking sync [options]

Delivers every record that scripts left pending for a server (a process that was killed, that
ended while the server was down, or that ran offline), in order, to the right experiments.
Journals of processes still running are left to them.

Options:
  --host HOST        API host (default: POLYAXON_API_HOST, else localhost)
  --port PORT        API port (default: POLYAXON_HTTP_PORT, else 8000)
  The API token, never stored: from --token-file or --token, else the POLYAXON_TOKEN variable,
  else POLYAXON_SECRET_USER_TOKEN:
${tokenHelp(18)}
  --https            use https (default: POLYAXON_USE_HTTPS, else http)
  --dir DIR          outbox folder (default: POLYAXON_OUTBOX_DIR, else ~/.polyaxon/outbox)
  --timeout SECONDS  give up after this long (default 60)
  --all              every queue in the outbox folder whose server can be told from its name
                     (host, port, API version; the scheme is not kept, so --https applies to all,
                     and so do the token and the other options). Others are skipped, and named.
  -h, --help         show this text

Prints a progress bar on a terminal, otherwise one summary line per server:
  delivered N records to URL in S s; M pending; dropped: none

Exit codes: 0 everything was delivered; 1 something is still pending (server unreachable,
credentials refused, timeout) or was dropped by the server; 2 usage error.`;

const DEFAULT_TIMEOUT_SECONDS = 60;
/** A request never outlives the sync; the library's own default is 30 s. */
const MAX_REQUEST_TIMEOUT_MS = 30_000;
/** After the summary, a socket still open (a request the sync gave up on) may not hold the exit. */
const EXIT_GRACE_MS = 3_000;

export interface SyncOptions {
  host?: string;
  port?: number;
  token?: string;
  /** File whose first line is the token (`--token-file`). */
  tokenFile?: string;
  https: boolean;
  dir?: string;
  timeoutSeconds: number;
  all: boolean;
}

export function parseSyncArgs(args: string[]): ParsedArgs<SyncOptions> {
  const read = readOptions(args, {
    host: { type: 'string' },
    port: { type: 'string' },
    token: { type: 'string' },
    'token-file': { type: 'string' },
    https: { type: 'boolean' },
    dir: { type: 'string' },
    timeout: { type: 'string' },
    all: { type: 'boolean' },
  });
  if (read.kind === 'error') return read;
  const { values } = read;
  if (values.help) return { kind: 'help' };
  if (values.port !== undefined && (!/^\d+$/.test(values.port) || Number(values.port) < 1 || Number(values.port) > 65535)) {
    return { kind: 'error', message: `--port must be an integer from 1 to 65535 (got "${values.port}")` };
  }
  const timeoutSeconds = Number(values.timeout ?? DEFAULT_TIMEOUT_SECONDS);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0 || values.timeout?.trim() === '') {
    return { kind: 'error', message: `--timeout must be a positive number of seconds (got "${values.timeout}")` };
  }
  if (values.token === '') return { kind: 'error', message: '--token must not be empty' };
  if (values.host === '') return { kind: 'error', message: '--host must not be empty' };
  if (values.dir === '') return { kind: 'error', message: '--dir must not be empty' };
  return {
    kind: 'ok',
    host: values.host,
    port: values.port === undefined ? undefined : Number(values.port),
    token: values.token,
    tokenFile: values['token-file'],
    https: values.https ?? false,
    dir: values.dir,
    timeoutSeconds,
    all: values.all ?? false,
  };
}

interface QueueTarget {
  name: string;
  settings: ClientSettings;
}

/** The current server's queue and, with `--all`, every other queue whose base URL the name gives back. */
function queueTargets(root: string, settings: ClientSettings, all: boolean): { targets: QueueTarget[]; skipped: string[] } {
  const current: QueueTarget = { name: queueName(settings.baseUrl), settings };
  if (!all) return { targets: [current], skipped: [] };
  const useHttps = settings.baseUrl.startsWith('https:');
  const targets = [current];
  const skipped: string[] = [];
  for (const queue of listQueues(root)) {
    if (queue.name === current.name) continue;
    const baseUrl = queue.name === undefined ? undefined : baseUrlOfQueue(queue.name, useHttps);
    if (baseUrl === undefined) skipped.push(queue.directory);
    else targets.push({ name: queue.name!, settings: { ...settings, baseUrl } });
  }
  return { targets, skipped };
}

export function summaryLine(result: QueueSyncResult): string {
  const parts = [
    `delivered ${formatCount(result.delivered)} records to ${result.baseUrl} in ${formatSeconds(result.seconds)} s`,
    `${formatCount(result.pending)} pending`,
    `dropped: ${formatDrops(result.dropped)}`,
  ];
  if (result.heldByLiveProcesses > 0) parts.push(`${formatCount(result.heldByLiveProcesses)} held by running processes`);
  if (result.pending > 0) parts.push(describeStop(result.stopped));
  else if (dropCount(result.dropped) > 0 && result.lastError) parts.push(`last error: ${result.lastError}`);
  return parts.join('; ');
}

export const syncCommand: CliCommand = {
  summary: 'deliver the records scripts left pending (killed, offline, server down)',
  usage: USAGE,
  run: (args) => runParsed('sync', USAGE, parseSyncArgs(args), sync),
};

async function sync(options: SyncOptions): Promise<number> {
  const environment = nodeEnvironment();
  // The summary says what went wrong; the library's one-off warnings speak to script authors.
  setLogLevel('error');
  const getEnv = environment.getEnv;
  const source = await readTokenSource(options, getEnv, (line) => process.stderr.write(`${line}\n`));
  if (source.kind === 'error') {
    process.stderr.write(`polyaxon-tracking sync: ${source.message}\n`);
    return 2;
  }
  const token = source.kind === 'given' ? source.token : undefined;
  const timeoutMs = options.timeoutSeconds * 1000;
  const settings = {
    ...resolveClientSettings(
      { host: options.host, port: options.port, token, useHttps: options.https || undefined, timeoutMs: Math.min(MAX_REQUEST_TIMEOUT_MS, timeoutMs) },
      getEnv,
    ),
    // `sync` is the explicit request to send: POLYAXON_IS_OFFLINE and POLYAXON_NO_OP are for scripts.
    isOffline: false,
    noOp: false,
  };
  const root = outboxRoot(options.dir, getEnv);
  const { targets, skipped } = queueTargets(root, settings, options.all);
  for (const directory of skipped) {
    process.stderr.write(`polyaxon-tracking sync: skipped ${directory}: its server cannot be told from the queue name\n`);
  }

  // The library unrefs every timer it starts; the command's own wait must hold the process.
  const keepAlive = setInterval(() => {}, 60_000);
  try {
    return await syncAll(root, targets, Date.now() + timeoutMs, environment);
  } finally {
    clearInterval(keepAlive);
    setTimeout(() => process.exit(), EXIT_GRACE_MS).unref();
  }
}

/** Syncs the queues side by side under one deadline; prints the bar, then one line per queue. */
async function syncAll(root: string, targets: QueueTarget[], deadline: number, environment: Environment): Promise<number> {
  const progress = progressFor('sync', process.stdout);
  const settledPerQueue = new Map<string, { settled: number; total: number }>();
  const results = await Promise.all(
    targets.map((target) =>
      syncQueue({
        root,
        name: target.name,
        settings: target.settings,
        deadline,
        environment,
        onProgress(settled, total) {
          settledPerQueue.set(target.name, { settled, total });
          let allSettled = 0;
          let allTotal = 0;
          for (const counts of settledPerQueue.values()) {
            allSettled += counts.settled;
            allTotal += counts.total;
          }
          progress.update([{ done: allSettled, total: allTotal, unit: 'records' }]);
        },
      }),
    ),
  );
  progress.finish();
  for (const result of results) process.stdout.write(`${summaryLine(result)}\n`);
  return results.every((result) => result.pending === 0 && dropCount(result.dropped) === 0) ? 0 : 1;
}
