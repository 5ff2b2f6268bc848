import { mkdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { logger } from '../core/logger';
import { nameProblem } from '../core/names';
import { createRequestListener } from './app';
import { dashboardFiles } from './dashboard-files';
import { Accounts, resolveToken } from './auth';
import { JOURNAL_FILE, Journal, parseJournal } from './journal';
import { LiveHub } from './live';
import { experimentDataRoutes } from './routes/experiment-data';
import { eventRoutes } from './routes/events';
import { experimentRoutes } from './routes/experiments';
import { outputRoutes } from './routes/outputs';
import { projectRoutes } from './routes/projects';
import { seriesRoutes } from './routes/series';
import { statusRoutes } from './routes/statuses';
import { userRoutes } from './routes/users';
import { ServerState } from './state';
import { RateLimiter } from './throttle';
import { startZombieSweep } from './zombies';

export interface ServerOptions {
  /** Interface to bind. Default: `127.0.0.1` (loopback only). */
  host?: string;
  /** Port to listen on; 0 picks a free one. Default: 8000. */
  port?: number;
  /** Data folder (journal and saved token); created when missing. Required. */
  dataDir: string;
  /** The main user's API token. Default: the one saved in `dataDir`, else a new one saved there (mode 0600). */
  token?: string;
  /** Accept every request as the main user, without a token. Default: false. */
  noAuth?: boolean;
  /** The main user (a superuser). Default: `local`. */
  user?: string;
  /** Extra users as `{username: token}`, none of them superusers. Default: none. */
  users?: Record<string, string>;
  /** Print nothing at start (URL and token). Default: false. */
  quiet?: boolean;
  /** Largest request body accepted; larger ones get 413. Default: 10 MiB. */
  maxBodyBytes?: number;
  /** Metric posts allowed per user per second, as Polyaxon's throttle; 0 turns it off. Default: 120. */
  metricsRequestsPerSecond?: number;
  /** A running experiment without a heartbeat for this long is marked failed. Default: 30 min. */
  zombieTimeoutMs?: number;
}

export interface RunningServer {
  /** `http://HOST:PORT` (no trailing slash); the API is under `/api/v1/`, the dashboard at `/`. */
  url: string;
  host: string;
  port: number;
  /** The main user's token (empty with `noAuth` and no token given). */
  token: string;
  user: string;
  dataDir: string;
  /** What the journal held at start; `skippedLines` counts torn or unreadable lines. */
  journal: { entries: number; skippedLines: number };
  /** Stops accepting requests, waits for pending writes, closes the journal. Idempotent. */
  close(): Promise<void>;
}

const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;
const CLOSE_GRACE_MS = 1000;

/** Starts the local Polyaxon-compatible server (API, dashboard, JSONL journal). */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const username = options.user ?? 'local';
  const problem = nameProblem(username);
  if (problem) throw new Error(`user: ${problem}`);
  const dataDir = resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });

  const token = options.noAuth ? (options.token ?? '') : (await resolveToken(dataDir, options.token)).token;
  const accounts = new Accounts(
    { username, email: `${username}@localhost`, isSuperuser: true, token },
    options.users ?? {},
    options.noAuth ?? false,
  );

  const { journal, loaded } = await Journal.open(dataDir);
  const state = new ServerState();
  for (const entry of loaded.entries) state.applyEntry(entry);
  if (loaded.skippedLines > 0) {
    logger.warnOnce(`server-journal:${dataDir}`, `skipped ${loaded.skippedLines} unreadable journal line(s) in ${join(dataDir, JOURNAL_FILE)} (a write cut short by a crash)`);
  }

  const heartbeats = new Map<number, number>();
  const live = new LiveHub(state);
  const listener = createRequestListener({
    state,
    journal,
    accounts,
    routes: [
      ...userRoutes(accounts), ...projectRoutes(accounts), ...experimentRoutes(), ...statusRoutes(), ...experimentDataRoutes(),
      ...seriesRoutes(), ...eventRoutes(live), ...outputRoutes(dataDir),
    ],
    dashboard: dashboardFiles({ loopbackOnly: options.noAuth ?? false }),
    live,
    metricsLimiter: new RateLimiter(options.metricsRequestsPerSecond ?? 120),
    heartbeats,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    async rebuild() {
      state.clear();
      const raw = await readFile(join(dataDir, JOURNAL_FILE));
      for (const entry of parseJournal(raw).entries) state.applyEntry(entry);
    },
  });

  const server = createServer((req, res) => void listener(req, res));
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8000, host, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const url = `http://${urlHost}:${port}`;

  const stopSweep = startZombieSweep({
    state, journal, heartbeats,
    timeoutMs: options.zombieTimeoutMs ?? 30 * 60_000,
    onCommitted: (events) => live.publish(events),
  });

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      stopSweep();
      live.close();
      await new Promise<void>((done) => {
        server.close(() => done());
        server.closeIdleConnections();
        // Requests in flight get CLOSE_GRACE_MS to be written and answered, then are cut.
        setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS).unref();
      });
      await journal.close();
    })());

  if (!options.quiet) {
    // One write, so a reader of the output sees the URL and the token together.
    process.stdout.write(startBanner({ url, username, token, noAuth: options.noAuth ?? false, dataDir }));
  }

  return {
    url, host, port, token, user: username, dataDir,
    journal: { entries: loaded.entries.length, skippedLines: loaded.skippedLines },
    close,
  };
}

/**
 * What `serve` prints: the dashboard link a person clicks, with the token in the fragment (a
 * browser never sends a fragment, so it stays out of server logs and Referer headers; the page
 * moves it to session storage), and the line that hands the token to a shell for the clients.
 */
export function startBanner(server: { url: string; username: string; token: string; noAuth: boolean; dataDir: string }): string {
  const { url, username, token, noAuth, dataDir } = server;
  const lines = noAuth
    ? [`polyaxon-tracking server: ${url}/`, 'authentication: off (--no-auth); the dashboard is served to this machine only']
    : [`polyaxon-tracking server: ${url}/#token=${token}`, `export POLYAXON_SECRET_USER_TOKEN=${token}`];
  lines.push(`user: ${username}  API: ${url}/api/v1/  data: ${dataDir}`);
  // One write, so a reader of the output sees the link and the token together.
  return `${lines.join('\n')}\n`;
}
