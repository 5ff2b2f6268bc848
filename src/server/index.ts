import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { logger } from '../runtime/logger';
import { nameProblem } from '../wire/names';
import { createRequestListener } from './app';
import { Accounts, resolveToken, TOKEN_FILE } from './auth';
import { startBanner } from './banner';
import { dashboardFiles } from './dashboard-files';
import { LiveHub } from './live';
import { createOriginPolicy } from './origin-policy';
import { experimentDataRoutes } from './routes/experiment-data';
import { eventRoutes } from './routes/events';
import { experimentTableRoutes } from './routes/experiment-table';
import { experimentRoutes } from './routes/experiments';
import { outputRoutes } from './routes/outputs';
import { projectRoutes } from './routes/projects';
import { seriesRoutes } from './routes/series';
import { statusRoutes } from './routes/statuses';
import { userRoutes } from './routes/users';
import { describeImport, type ImportReport } from './store/journal-import';
import { openStore } from './store/open';
import { RateLimiter } from './throttle';
import { startZombieSweep } from './zombies';

export interface ServerOptions {
  /** Interface to bind. Default: `127.0.0.1` (loopback only). */
  host?: string;
  /** Port to listen on; 0 picks a free one. Default: 8000. */
  port?: number;
  /** Data folder (database `server.db` and saved token); created when missing (mode 0700). Required. */
  dataDir: string;
  /** The main user's API token. Default: the one saved in `dataDir`, else a new one saved there (mode 0600). */
  token?: string;
  /**
   * Accept every request as the main user, without a token. Default: false. Then only the
   * server's own origin and `corsOrigins` may call it from a browser, and requests whose `Host` is
   * not one of its names are refused (F42; see origin-policy.ts).
   */
  noAuth?: boolean;
  /**
   * Web origins (`http://host:port`) allowed to call the API from a browser besides the server's
   * own. Default: none; then, with a token, every origin may (the token is the protection), and
   * with `noAuth` only the server's own.
   */
  corsOrigins?: readonly string[];
  /** Names besides loopback and the bound address that `Host` may carry with `noAuth`. Default: none. */
  allowedHosts?: readonly string[];
  /** The main user (a superuser). Default: `local`. */
  user?: string;
  /** Extra users as `{username: token}`, none of them superusers. Default: none. */
  users?: Record<string, string>;
  /** Print nothing at start (URL and token). Default: false. */
  quiet?: boolean;
  /** Largest request body accepted; larger ones get 413. Default: 10 MiB. */
  maxBodyBytes?: number;
  /** Metric posts allowed per user in any one second, as Polyaxon's throttle; 0 turns it off. Default: 120. */
  metricsRequestsPerSecond?: number;
  /** A running experiment without a heartbeat for this long is marked failed. Default: 30 min. */
  zombieTimeoutMs?: number;
  /**
   * A data folder of an earlier version whose `journal.jsonl` is imported into this (empty) store
   * before serving. Default: none; a first start beside a `journal.jsonl` imports it anyway.
   */
  importFrom?: string;
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
  /** The SQLite database file. */
  database: string;
  /** What this start imported from a JSONL journal of an earlier version, if anything. */
  imported: ImportReport | null;
  /** Stops accepting requests, waits for pending writes, closes the database. Idempotent. */
  close(): Promise<void>;
}

const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;
const CLOSE_GRACE_MS = 1000;

/** Starts the local Polyaxon-compatible server (API, dashboard, SQLite store). */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const username = options.user ?? 'local';
  const problem = nameProblem(username);
  if (problem) throw new Error(`user: ${problem}`);
  const dataDir = resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });

  const resolved = options.noAuth ? undefined : await resolveToken(dataDir, options.token);
  const token = resolved?.token ?? options.token ?? '';
  const accounts = new Accounts(
    { username, email: `${username}@localhost`, isSuperuser: true, token },
    options.users ?? {},
    options.noAuth ?? false,
  );

  const { store: state, imported } = await openStore(dataDir, { importFrom: options.importFrom && resolve(options.importFrom) });
  if (imported && imported.skipped.length > 0) logger.warnOnce(`server-import:${dataDir}`, describeImport(imported));

  const originPolicy = createOriginPolicy({
    boundHost: host,
    noAuth: options.noAuth ?? false,
    corsOrigins: options.corsOrigins ?? [],
    allowedHosts: options.allowedHosts ?? [],
  });
  const heartbeats = new Map<number, number>();
  const live = new LiveHub(state);
  const listener = createRequestListener({
    originPolicy,
    state,
    accounts,
    routes: [
      ...userRoutes(accounts), ...projectRoutes(accounts), ...experimentRoutes(), ...statusRoutes(), ...experimentDataRoutes(),
      ...experimentTableRoutes(), ...seriesRoutes(), ...eventRoutes(live), ...outputRoutes(dataDir),
    ],
    dashboard: dashboardFiles({ loopbackOnly: options.noAuth ?? false }),
    live,
    metricsLimiter: new RateLimiter(options.metricsRequestsPerSecond ?? 120),
    heartbeats,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
  });

  const server = createServer((req, res) => void listener(req, res));
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8000, host, () => {
      server.off('error', reject);
      resolveListen();
    });
  }).catch(async (error: unknown) => {
    await state.close();
    throw error;
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const url = `http://${urlHost}:${port}`;

  const stopSweep = startZombieSweep({
    state, heartbeats,
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
      await state.close();
    })());

  if (!options.quiet) {
    const tokenFile = resolved?.source === 'option' ? null : join(dataDir, TOKEN_FILE);
    const interactive = process.stdout.isTTY === true;
    process.stdout.write(
      startBanner({ url, username, token, tokenFile, noAuth: options.noAuth ?? false, dataDir, interactive }) +
        (imported ? `${describeImport(imported)}
` : ''),
    );
  }

  return {
    url, host, port, token, user: username, dataDir,
    database: state.file,
    imported,
    close,
  };
}
