interface SkippedLine {
    line: number;
    reason: string;
}
interface ImportReport {
    file: string;
    /** Entries (requests that changed something) imported. */
    entries: number;
    /** Lines that were not imported: a torn last line, or a line without the journal's shape. */
    skipped: SkippedLine[];
    bytes: number;
}

interface ServerOptions {
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
interface RunningServer {
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
/** Starts the local Polyaxon-compatible server (API, dashboard, SQLite store). */
declare function startServer(options: ServerOptions): Promise<RunningServer>;

export { startServer };
export type { RunningServer, ServerOptions };
