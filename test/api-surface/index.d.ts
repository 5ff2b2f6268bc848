import * as z from 'zod/mini';

/**
 * Client settings, resolved once from explicit options over POLYAXON_* variables (read through an
 * injected lookup: `process.env` in Node, a user-supplied object in browsers) over defaults.
 */
type EnvLookup = (name: string) => string | undefined;
interface ClientOptions {
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
interface ClientSettings {
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

declare const userSchema: z.ZodMiniObject<{
    username: z.ZodMiniString<string>;
    email: z.ZodMiniOptional<z.ZodMiniNullable<z.ZodMiniString<string>>>;
    is_superuser: z.ZodMiniOptional<z.ZodMiniNullable<z.ZodMiniBoolean<boolean>>>;
}, z.core.$loose>;
type UserResponse = z.infer<typeof userSchema>;
declare const tokenSchema: z.ZodMiniObject<{
    token: z.ZodMiniString<string>;
}, z.core.$loose>;
type TokenResponse = z.infer<typeof tokenSchema>;
declare const projectSchema: z.ZodMiniObject<{
    name: z.ZodMiniString<string>;
    id: z.ZodMiniOptional<z.ZodMiniNullable<z.ZodMiniNumber<number>>>;
    uuid: z.ZodMiniOptional<z.ZodMiniNullable<z.ZodMiniString<string>>>;
    unique_name: z.ZodMiniOptional<z.ZodMiniNullable<z.ZodMiniString<string>>>;
    user: z.ZodMiniOptional<z.ZodMiniNullable<z.ZodMiniString<string>>>;
    description: z.ZodMiniOptional<z.ZodMiniNullable<z.ZodMiniString<string>>>;
    tags: z.ZodMiniOptional<z.ZodMiniNullable<z.ZodMiniArray<z.ZodMiniString<string>>>>;
    is_public: z.ZodMiniOptional<z.ZodMiniNullable<z.ZodMiniBoolean<boolean>>>;
    created_at: z.ZodMiniOptional<z.ZodMiniNullable<z.ZodMiniString<string>>>;
    updated_at: z.ZodMiniOptional<z.ZodMiniNullable<z.ZodMiniString<string>>>;
    num_experiments: z.ZodMiniOptional<z.ZodMiniNullable<z.ZodMiniNumber<number>>>;
}, z.core.$loose>;
type ProjectResponse = z.infer<typeof projectSchema>;
declare const experimentSchema: z.ZodMiniObject<{
    id: z.ZodMiniNumber<number>;
    unique_name: z.ZodMiniString<string>;
    uuid: z.ZodMiniOptional<z.ZodMiniNullable<z.ZodMiniString<string>>>;
    project: z.ZodMiniOptional<z.ZodMiniNullable<z.ZodMiniString<string>>>;
    user: z.ZodMiniOptional<z.ZodMiniNullable<z.ZodMiniString<string>>>;
    name: z.ZodMiniOptional<z.ZodMiniNullable<z.ZodMiniString<string>>>;
    description: z.ZodMiniOptional<z.ZodMiniNullable<z.ZodMiniString<string>>>;
    readme: z.ZodMiniOptional<z.ZodMiniNullable<z.ZodMiniString<string>>>;
    tags: z.ZodMiniOptional<z.ZodMiniNullable<z.ZodMiniArray<z.ZodMiniString<string>>>>;
    params: z.ZodMiniOptional<z.ZodMiniNullable<z.ZodMiniRecord<z.ZodMiniString<string>, z.ZodMiniUnknown>>>;
    data_refs: z.ZodMiniOptional<z.ZodMiniNullable<z.ZodMiniRecord<z.ZodMiniString<string>, z.ZodMiniUnknown>>>;
    run_env: z.ZodMiniOptional<z.ZodMiniNullable<z.ZodMiniRecord<z.ZodMiniString<string>, z.ZodMiniUnknown>>>;
    backend: z.ZodMiniOptional<z.ZodMiniNullable<z.ZodMiniString<string>>>;
    framework: z.ZodMiniOptional<z.ZodMiniNullable<z.ZodMiniString<string>>>;
    is_managed: z.ZodMiniOptional<z.ZodMiniNullable<z.ZodMiniBoolean<boolean>>>;
    experiment_group: z.ZodMiniOptional<z.ZodMiniUnknown>;
    last_status: z.ZodMiniOptional<z.ZodMiniNullable<z.ZodMiniString<string>>>;
    last_metric: z.ZodMiniOptional<z.ZodMiniNullable<z.ZodMiniRecord<z.ZodMiniString<string>, z.ZodMiniUnknown>>>;
    created_at: z.ZodMiniOptional<z.ZodMiniNullable<z.ZodMiniString<string>>>;
    updated_at: z.ZodMiniOptional<z.ZodMiniNullable<z.ZodMiniString<string>>>;
    started_at: z.ZodMiniOptional<z.ZodMiniNullable<z.ZodMiniString<string>>>;
    finished_at: z.ZodMiniOptional<z.ZodMiniNullable<z.ZodMiniString<string>>>;
    code_reference: z.ZodMiniOptional<z.ZodMiniPipe<z.ZodMiniUnknown, z.ZodMiniTransform<number | null, unknown>>>;
}, z.core.$loose>;
type ExperimentResponse = z.infer<typeof experimentSchema>;
declare const statusSchema: z.ZodMiniObject<{
    status: z.ZodMiniString<string>;
    id: z.ZodMiniOptional<z.ZodMiniNullable<z.ZodMiniNumber<number>>>;
    uuid: z.ZodMiniOptional<z.ZodMiniNullable<z.ZodMiniString<string>>>;
    experiment: z.ZodMiniOptional<z.ZodMiniUnknown>;
    created_at: z.ZodMiniOptional<z.ZodMiniNullable<z.ZodMiniString<string>>>;
    message: z.ZodMiniOptional<z.ZodMiniNullable<z.ZodMiniString<string>>>;
    traceback: z.ZodMiniOptional<z.ZodMiniNullable<z.ZodMiniString<string>>>;
}, z.core.$loose>;
type StatusResponse = z.infer<typeof statusSchema>;
declare const codeReferenceSchema: z.ZodMiniObject<{
    id: z.ZodMiniOptional<z.ZodMiniNullable<z.ZodMiniNumber<number>>>;
    commit: z.ZodMiniOptional<z.ZodMiniNullable<z.ZodMiniString<string>>>;
    head: z.ZodMiniOptional<z.ZodMiniNullable<z.ZodMiniString<string>>>;
    branch: z.ZodMiniOptional<z.ZodMiniNullable<z.ZodMiniString<string>>>;
    git_url: z.ZodMiniOptional<z.ZodMiniNullable<z.ZodMiniString<string>>>;
    is_dirty: z.ZodMiniOptional<z.ZodMiniNullable<z.ZodMiniBoolean<boolean>>>;
}, z.core.$loose>;
type CodeReferenceResponse = z.infer<typeof codeReferenceSchema>;
/** A stored metric point (Polyaxon's metrics have no uuid). */
declare const metricSchema: z.ZodMiniObject<{
    values: z.ZodMiniRecord<z.ZodMiniString<string>, z.ZodMiniUnknown>;
    id: z.ZodMiniOptional<z.ZodMiniNullable<z.ZodMiniNumber<number>>>;
    experiment: z.ZodMiniOptional<z.ZodMiniUnknown>;
    created_at: z.ZodMiniOptional<z.ZodMiniNullable<z.ZodMiniString<string>>>;
}, z.core.$loose>;
type MetricResponse = z.infer<typeof metricSchema>;
/** Polyaxon's list answer: page size 20, `next`/`previous` are full URLs or null. */
interface Paginated<T> {
    count: number;
    next: string | null;
    previous: string | null;
    results: T[];
}

interface Credentials {
    username: string;
    password: string;
}
/** Who the token belongs to, and getting a token (Polyaxon's `AuthApi`). */
declare class AuthApi {
    private readonly http;
    private readonly useToken;
    getUser(): Promise<UserResponse>;
    /** Exchanges credentials for a token (form-encoded, as the server's login view reads them) and uses it from now on. */
    login(credentials: Credentials): Promise<string>;
}

type RecordKind = 'create' | 'patch' | 'status' | 'coderef' | 'metrics' | 'logs' | 'stop';
interface OutboxRecord {
    /** Format version (RECORD_FORMAT_VERSION). */
    v: number;
    /** Unique id (uuidv7-like, sortable), the idempotency key's material. */
    id: string;
    /** Monotonic sequence within the store: the order of calls. Never wall time (F22). */
    seq: number;
    /** The run's local key, known before the server answered the create. */
    run: string;
    kind: RecordKind;
    body: unknown;
    /** Wall time of the call, ms since epoch (informational; order comes from `seq`). */
    createdAt: number;
    /** Size of the body as JSON (its UTF-16 length), for byte caps and batching. */
    bytes: number;
    /**
     * The body as JSON, serialised once at the call (write once): these characters go into the
     * journal line and, unchanged, into the request body. Absent on records read back from a
     * store; never stored as a field of its own (the journal writes it as the `body`).
     */
    json?: string;
    /** Lease: until this time (ms) the record belongs to `leaseOwner`'s in-flight request. */
    leaseUntil?: number;
    leaseOwner?: string;
    /**
     * Batch key, fixed the first time the record is claimed. A retried request, in this process or
     * after a reload or crash, claims exactly the records of that batch again, so the request and
     * its Idempotency-Key are byte-identical.
     */
    batch?: string;
}

/**
 * The one thing the outbox asks of the network: send one request, give back status, headers and
 * body. Retries, backoff and drops are the outbox's (like Sentry's `createTransport`, where a
 * runtime hands the core only a function that sends).
 */
interface TransportRequest {
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
    url: string;
    headers: Record<string, string>;
    /** Exact bytes to send: a retry sends the same string. Absent: no body at all. */
    body?: string;
    /** Whole exchange, body included. */
    timeoutMs: number;
    /** Let the request outlive the page (browser `fetch` keepalive, bodies up to 64 KiB). */
    keepalive?: boolean;
}
interface TransportResponse {
    status: number;
    headers: {
        get(name: string): string | null;
    };
    /** Parsed JSON, else the text; undefined when empty. */
    body: unknown;
}
type Transport = (request: TransportRequest) => Promise<TransportResponse>;

/** What went wrong with a request, as a closed set so callers can switch on it. */
type PolyaxonErrorKind = 'bad_request' | 'unauthenticated' | 'forbidden' | 'not_found' | 'over_limit' | 'server' | 'network' | 'timeout';
/** Error raised by PolyaxonClient for a failed request. Never carries the token. */
declare class PolyaxonError extends Error {
    readonly kind: PolyaxonErrorKind;
    /** HTTP status, or 0 when no response arrived (network, timeout). */
    readonly status: number;
    readonly method: string;
    readonly url: string;
    /** The server's own message (its `detail`, field errors, or body text). */
    readonly serverMessage: string;
    /** The response body as parsed JSON, when there was one. */
    readonly body?: unknown | undefined;
    /**
     * For the outbox's own requests: one line naming the server (`http://host:port`), what it
     * answered and what to do about it. It is then the error's message.
     */
    readonly help?: string | undefined;
    readonly name = "PolyaxonError";
    constructor(kind: PolyaxonErrorKind, 
    /** HTTP status, or 0 when no response arrived (network, timeout). */
    status: number, method: string, url: string, 
    /** The server's own message (its `detail`, field errors, or body text). */
    serverMessage: string, 
    /** The response body as parsed JSON, when there was one. */
    body?: unknown | undefined, 
    /**
     * For the outbox's own requests: one line naming the server (`http://host:port`), what it
     * answered and what to do about it. It is then the error's message.
     */
    help?: string | undefined);
}
/** Input refused before anything was queued or sent: names the field and the rule it broke. */
declare class ValidationError extends Error {
    readonly field: string;
    readonly rule: string;
    readonly name = "ValidationError";
    constructor(field: string, rule: string);
}

/**
 * What the outbox does with an answer, as data (DESIGN "Status policy as data"). The sender
 * switches on `kind`; nothing else decides about retries, splits, pauses or drops.
 */
/** Why records left the queue without reaching the server. A closed set: every drop is counted under one. */
type DropReason = 
/** The queue was at its caps; the oldest metrics and logs made room. */
'queue_full'
/** A single record the server still refused with 413. */
 | 'too_large'
/** The server refused the record (a 4xx other than 401, 403, 408, 413, 425, 429). */
 | 'rejected'
/** The run's create was refused, so the run has nowhere to go. */
 | 'run_rejected'
/** No create and no known server id for the run (a queue left without its run's target). */
 | 'unknown_run'
/** The body could not be turned into JSON (circular, BigInt). */
 | 'unserializable'
/** The store failed to keep the record (write error). */
 | 'store_failed';
/** The server refused the credentials: 401 (`unauthenticated`) or 403 (`forbidden`). */
type CredentialsRefusal = 'unauthenticated' | 'forbidden';

/** Limits a claim may not exceed. */
interface ClaimOptions {
    /** Who claims (a process or tab id). */
    owner: string;
    /** Lease length; after it the records may be claimed again by anyone. */
    leaseMs: number;
    /** Now, in ms (injected so tests control time). */
    now: number;
    /** Most records in one batch. */
    maxCount: number;
    /** Most body bytes in one batch (a single larger record is still claimed alone). */
    maxBytes: number;
    /**
     * How many batches of one run may be leased at once. 1 (the default): a run is blocked while
     * its head is leased. 2: behind `owner`'s own leased metrics batch the next metrics batch of the
     * run may be claimed too, so it is ready when the first is answered; never a status, PATCH or
     * other record while any earlier record of its run is out (select-batch.ts).
     */
    runBatchesInFlight?: number;
}
interface StoreCaps {
    /** Most records kept in memory (memory store, IndexedDB, a journal whose disk failed). */
    maxRecords: number;
    /** Most body bytes kept in memory (the same stores): `maxQueueMemoryBytes`. */
    maxBytes: number;
    /**
     * The Node journal on disk: most bytes of its live lines. When given, only this cap drops
     * records while the journal is written (the record caps above bound memory, not the disk);
     * `'default'`: 1 GiB, or 10% of the free space of the journal's disk at open, whichever is
     * smaller. Absent: the journal keeps to the record caps, like every other store.
     */
    maxJournalBytes?: number | 'default';
}
interface AppendResult {
    /** Records evicted to stay within the caps (oldest metrics and logs first), counted as drops. */
    evicted: number;
}
type StoreKind = 'memory' | 'journal' | 'indexeddb';
/**
 * Durable queue of records. Every method is atomic as stated; stores hold no retry, batching or
 * drop policy of their own: `selectBatch` (core) decides what one claim takes.
 */
interface OutboxStore {
    readonly kind: StoreKind;
    /**
     * True when `claim` returns objects of the caller's own, shared with nothing the store keeps:
     * the sender then lets a batch's bodies go once its request is built. Leave it out when a claim
     * hands out records the store holds on to.
     */
    readonly claimsCopies?: boolean;
    /**
     * Atomically appends the records (all or none) in the given order, assigning nothing: `seq` and
     * `id` are already set. Then evicts beyond the caps what the eviction rule takes (eviction.ts).
     */
    append(records: OutboxRecord[], caps: StoreCaps, stagedThrough?: number): Promise<AppendResult>;
    /**
     * Optional, synchronous: takes one record (its `seq` set) toward durable storage at the call,
     * ahead of its group's `append`. The Node journal writes it from another thread, so it is in the
     * file within milliseconds even when the caller never yields (F32).
     *
     * False: the group's `append` follows with the same record object, in the same order, and only
     * applies it (and the caps). True: the store took the record whole and the caller may let it go
     * (a million queued points then are not a million objects); the group's `append` gets
     * `stagedThrough`, the group's last `seq`, and from then on the records taken up to it are in the
     * queue, exactly as if they had been handed to that `append`.
     */
    stage?(record: OutboxRecord): boolean;
    /**
     * Optional, synchronous: everything handed to the store so far is written before it returns
     * (the crash and exit paths). Stores without it write inside `append` itself or not at all.
     */
    flushSync?(): void;
    /**
     * Atomically picks one batch with `selectBatch(allRecordsInSeqOrder, options)`, marks those
     * records leased to `options.owner` until `now + leaseMs` with the batch key it chose, and
     * returns them (empty when nothing is claimable).
     */
    claim(options: ClaimOptions): Promise<OutboxRecord[]>;
    /** Atomically removes the records, and, when given, sets meta entries in the same step. */
    ack(ids: string[], meta?: Record<string, unknown>): Promise<void>;
    /** Ends the lease early (the records stay, with their batch key) so they can be sent again. */
    release(ids: string[]): Promise<void>;
    /** Removes a batch key from records so they can be regrouped (413 split). */
    unbatch(ids: string[]): Promise<void>;
    /** Counts of what is stored, optionally per run. */
    count(): Promise<{
        records: number;
        bytes: number;
        byRun: Record<string, number>;
    }>;
    getMeta(key: string): Promise<unknown>;
    setMeta(key: string, value: unknown): Promise<void>;
    /** The next free sequence number (stores persist it so a new process continues the order). */
    nextSeq(): Promise<number>;
    close(): Promise<void>;
}

/** A git code reference as Polyaxon's `coderef/` endpoint takes it. */
interface CodeRef {
    commit: string | null;
    head: string | null;
    branch: string | null;
    git_url: string | null;
    is_dirty: boolean | null;
}
/** Free-form description of where the run executes (Polyaxon's `run_env`). Never secrets. */
type RunEnv = Record<string, unknown>;

interface ProjectCreate {
    /** Slug, at most 128 characters, not a reserved word. */
    name: string;
    description?: string;
    tags?: string[];
    /** Default (server side): true. */
    is_public?: boolean;
}
interface ProjectPatch {
    name?: string;
    description?: string;
    tags?: string[];
    is_public?: boolean;
    /** `true` appends unseen tags to the old ones; otherwise the list is replaced. */
    merge?: boolean;
    [field: string]: unknown;
}
interface ExperimentCreate {
    name?: string;
    description?: string;
    tags?: string[];
    framework?: string;
    /** Default: `"other"`, as the Python tracking client sends. */
    backend?: string;
    /**
     * Default: false. A real server defaults to true and then answers 400 "Experiment expects a
     * `content`" (polyaxon-v0-api.md, create-experiment body).
     */
    is_managed?: boolean;
    run_env?: RunEnv;
    params?: Record<string, unknown>;
    data_refs?: Record<string, unknown>;
    [field: string]: unknown;
}
interface ListOptions {
    /** 1-based; default 1. Sent as `?offset=(page-1)*20` (`*limit` when `limit` is given). */
    page?: number;
    /**
     * Rows per page, sent as `?limit=`. Default: none sent, so the server's own: 20, or 300,000 for
     * metrics on Polyaxon 0.6 (a server may answer fewer: read `results.length`, not `limit`).
     */
    limit?: number;
    /** Rows to skip, sent as `?offset=`; when given, `page` is ignored. Default: from `page`. */
    offset?: number;
}
interface ListExperimentsOptions extends ListOptions {
    /** Include `last_metric` in each result. */
    metrics?: boolean;
    /** Include `params` in each result. */
    params?: boolean;
    /** Polyaxon query language, e.g. `status:running`. */
    query?: string;
    /** e.g. `-created_at`. */
    sort?: string;
    /** Only experiments outside any group. */
    independent?: boolean;
    /** Only experiments of this group id. */
    group?: number;
}
/** Projects and the experiments inside them (Polyaxon's `ProjectApi`). */
declare class ProjectApi {
    private readonly http;
    createProject(project: ProjectCreate): Promise<ProjectResponse>;
    getProject(user: string, project: string): Promise<ProjectResponse>;
    updateProject(user: string, project: string, patch: ProjectPatch): Promise<ProjectResponse>;
    deleteProject(user: string, project: string): Promise<void>;
    listProjects(user: string, options?: ListOptions): Promise<Paginated<ProjectResponse>>;
    listExperiments(user: string, project: string, options?: ListExperimentsOptions): Promise<Paginated<ExperimentResponse>>;
    createExperiment(user: string, project: string, experiment?: ExperimentCreate): Promise<ExperimentResponse>;
}

/**
 * Input checks at the API edge (reliability F21): bad input is refused at the call with a
 * ValidationError naming the field and the rule, before anything is queued. With `strict: false`
 * the Experiment wraps each check in `guard`, which turns the refusal into one warning per kind.
 */

/** The experiment statuses a Polyaxon 0.6 server accepts. */
declare const EXPERIMENT_STATUSES: readonly ["created", "resuming", "warning", "building", "scheduled", "starting", "running", "succeeded", "failed", "upstream_failed", "stopped", "skipped", "unknown"];
type ExperimentStatus = (typeof EXPERIMENT_STATUSES)[number];
/**
 * Why a value was sent changed rather than refused, counted in `stats().adjusted`:
 * `non_finite_as_null`, a NaN or Infinity from the TF.js callback sent as null; `message_cut`, a
 * status message cut to 256 characters.
 */
type AdjustedReason = 'non_finite_as_null' | 'message_cut';

/** The contract sends one field per PATCH; several at once are accepted by the server too. */
interface ExperimentPatch {
    name?: string;
    description?: string;
    tags?: string[];
    params?: Record<string, unknown>;
    data_refs?: Record<string, string>;
    run_env?: RunEnv;
    framework?: string;
    backend?: string;
    /** `true`: tags append unseen ones, params and data_refs are dict-updated. Otherwise: replace. */
    merge?: boolean;
    [field: string]: unknown;
}
interface StatusCreate {
    status: ExperimentStatus;
    message?: string;
    traceback?: string;
}
interface MetricPoint {
    /** Metric name to number; `step` is just one more key. */
    values: Record<string, number | boolean>;
    /** Python `str(datetime)` form, e.g. `2020-03-04 10:33:50.123456+00:00`; default: the server's clock. */
    created_at?: string;
}
/** One experiment's resources (Polyaxon's `ExperimentApi`). */
declare class ExperimentApi {
    private readonly http;
    get(user: string, project: string, id: number): Promise<ExperimentResponse>;
    update(user: string, project: string, id: number, patch: ExperimentPatch): Promise<ExperimentResponse>;
    delete(user: string, project: string, id: number): Promise<void>;
    getStatuses(user: string, project: string, id: number, options?: ListOptions): Promise<Paginated<StatusResponse>>;
    createStatus(user: string, project: string, id: number, status: StatusCreate): Promise<StatusResponse>;
    getCodeReference(user: string, project: string, id: number): Promise<CodeReferenceResponse>;
    /** `null` (outside a git repository) posts no body at all, as the Python client does. */
    createCodeReference(user: string, project: string, id: number, codeRef: CodeRef | null): Promise<CodeReferenceResponse | null>;
    getMetrics(user: string, project: string, id: number, options?: ListOptions): Promise<Paginated<MetricResponse>>;
    /** Always a JSON array body, even for one point (the contract's batching shape). */
    createMetrics(user: string, project: string, id: number, points: MetricPoint[]): Promise<void>;
    /** The experiment's log text, lines joined with `\n`. */
    getLogs(user: string, project: string, id: number): Promise<string>;
    /** Posts log lines as a JSON array of strings. */
    sendLogs(user: string, project: string, id: number, lines: string[]): Promise<void>;
    /** Keeps a running experiment from being failed as a zombie after 30 minutes of silence. */
    heartbeat(user: string, project: string, id: number): Promise<void>;
    stop(user: string, project: string, id: number): Promise<void>;
}

/** One stored output, as the local server lists it. */
interface OutputFile {
    /** Relative to the experiment's outputs, segments joined by `/`. */
    path: string;
    size: number;
    modified_at: string;
}
/** What an upload answers. */
interface OutputWritten {
    path: string;
    size: number;
}
type OutputBody = Uint8Array | ArrayBuffer | string;
/**
 * An experiment's outputs on the local server: `POST/GET {user}/{project}/experiments/{id}/outputs/{path}`
 * with the file as a raw body, and `GET .../outputs/` to list them. Polyaxon 0.6 itself has no
 * upload API for clients outside the cluster (there outputs are files under the run's outputs
 * path), so these calls answer 404 from a real Polyaxon server.
 *
 * File URLs carry no trailing slash, unlike the rest of the API: TF.js resolves a model's weight
 * files against the folder of its `model.json` URL.
 */
declare class OutputsApi {
    private readonly http;
    private readonly currentSettings;
    private readonly runtime;
    /** Absolute URL of one output, e.g. for `tf.io.http(url, { requestInit: { headers } })`. */
    url(user: string, project: string, id: number, path: string): string;
    /** The headers every request carries (the token included): for fetching an output URL directly. */
    headers(): Record<string, string>;
    /** Stores `body` as the output `path`, replacing what was there. */
    upload(user: string, project: string, id: number, path: string, body: OutputBody, options?: {
        contentType?: string;
    }): Promise<OutputWritten>;
    /** The bytes of the output `path`. */
    download(user: string, project: string, id: number, path: string): Promise<ArrayBuffer>;
    /** One page of the experiment's outputs, sorted by path. */
    list(user: string, project: string, id: number, options?: ListOptions): Promise<Paginated<OutputFile>>;
    /** One request with a binary body or answer; failures become PolyaxonErrors, as in HttpCaller. */
    private exchange;
}

/**
 * A typed client for the Polyaxon v0 REST API (polyaxon-v0-api.md). Responses keep the server's
 * snake_case field names, as Polyaxon's Python client does. Each call sends one request, never
 * retries, and fails with a PolyaxonError (or a ValidationError before sending bad input).
 */
declare class PolyaxonClient {
    #private;
    readonly auth: AuthApi;
    readonly project: ProjectApi;
    readonly experiment: ExperimentApi;
    /** Experiment outputs on the local server (Polyaxon 0.6 has no upload API): see OutputsApi. */
    readonly outputs: OutputsApi;
    constructor(options?: ClientOptions);
    /** The resolved settings: explicit options over POLYAXON_* variables over defaults. */
    get settings(): Readonly<ClientSettings>;
    /** Replaces the token for every later request, e.g. after a 401 (undefined: send none). */
    setToken(token: string | undefined): void;
}

/**
 * What the integrations use of an experiment; `Experiment` has all of it. Declared here, beside
 * them, so that no integration imports the Experiment class, which offers them as methods.
 */
interface TrackedExperiment {
    /** Local key of the run. */
    readonly run: string;
    /** Server id, once known. */
    readonly id: number | undefined;
    /** Resolves with the server id once the create is acknowledged. */
    readonly whenCreated: Promise<number>;
    readonly projectRef: {
        user?: string;
        project: string;
    } | undefined;
    readonly isManaged: boolean;
    readonly lastStatus: string | undefined;
    readonly client: PolyaxonClient;
    logStatus(status: ExperimentStatus, message?: string, traceback?: string): void;
    logParams(params: Record<string, unknown>): void;
    logMetrics(values: Record<string, number | boolean | null | undefined>): void;
    succeeded(): void;
    failed(message?: string, traceback?: string): void;
}

type TfYieldEvery = 'auto' | 'batch' | 'epoch' | 'never' | number;
/** `tf.CustomCallbackArgs`: tfjs awaits each hook's promise before the training step goes on. */
interface TfCallbackHooks {
    onTrainBegin?: (logs?: Record<string, number>) => void | Promise<void>;
    onTrainEnd?: (logs?: Record<string, number>) => void | Promise<void>;
    onEpochBegin?: (epoch: number, logs?: Record<string, number>) => void | Promise<void>;
    onEpochEnd?: (epoch: number, logs?: Record<string, number>) => void | Promise<void>;
    onBatchBegin?: (batch: number, logs?: Record<string, number>) => void | Promise<void>;
    onBatchEnd?: (batch: number, logs?: Record<string, number>) => void | Promise<void>;
}
/** The slice of the `tf` namespace the callback needs: `tf.CustomCallback`. */
interface TfWithCustomCallback<C> {
    CustomCallback: new (args: TfCallbackHooks, yieldEvery?: TfYieldEvery) => C;
}
/** tfjs-core `WeightsManifestEntry`: written back into the manifest as it came. */
interface TfWeightSpec {
    name: string;
    shape: number[];
    dtype: string;
}
/** tfjs-core `ModelArtifacts`: what `model.save(handler)` hands the handler. */
interface TfModelArtifacts {
    modelTopology?: object | ArrayBuffer;
    weightSpecs?: TfWeightSpec[];
    /** One buffer, or (tfjs ≥ 4.10, large models) a list of buffers to be read as one. */
    weightData?: ArrayBuffer | ArrayBuffer[];
    format?: string;
    generatedBy?: string;
    convertedBy?: string | null;
    trainingConfig?: object;
    signature?: object;
    userDefinedMetadata?: object;
    modelInitializer?: object;
    initializerSignature?: object;
}
/** tfjs-core `ModelArtifactsInfo`. */
interface TfModelArtifactsInfo {
    dateSaved: Date;
    modelTopologyType: 'JSON' | 'GraphDef';
    modelTopologyBytes?: number;
    weightSpecsBytes?: number;
    weightDataBytes?: number;
}
/** tfjs-core `IOHandler` for loading (`A` is its ModelArtifacts): what `tf.loadLayersModel(handler)` accepts. */
interface TfLoadHandler<A = unknown> {
    load(): Promise<A>;
}
/** The slice of the `tf` namespace the loader needs: `tf.io.http`, whose handler declares `load` optional. */
interface TfWithHttpIO<A = unknown> {
    io: {
        http(path: string, options?: {
            requestInit?: RequestInit;
        }): {
            load?: () => Promise<A>;
        };
    };
}

interface TfjsCallbackOptions {
    /** Also log batch metrics, with `step` = the global batch index (see below). Default: false. */
    batchMetrics?: boolean;
    /** With `batchMetrics`, log one batch in N: global batches 0, N, 2N, ... Default: 1 (every batch). */
    everyNBatches?: number;
    /**
     * Prefix of batch metric names, so a batch `loss` (step = batch) never mixes with the epoch
     * `loss` series (step = epoch). Default: `batch_`.
     */
    batchPrefix?: string;
    /** Only these metrics, named as tfjs reports them (`loss`, `acc`, `val_loss`, ...). Default: all. */
    metrics?: string[];
    /** Log the fit's params and a layer summary at train begin. Default: true. */
    logParams?: boolean;
}
/**
 * A real `tf.CustomCallback` (built with the `tf` you pass, so it sits beside
 * `tf.callbacks.earlyStopping()` in one `callbacks` array) that tracks a `fit`/`fitDataset` run:
 * - train begin: status `running` unless the run already is (or has ended), and the fit params;
 * - epoch end: the epoch logs with `step` = the epoch index exactly as tfjs gives it (0-based,
 *   counted from `initialEpoch`), as Polyaxon's Keras callback does (`step=epoch`);
 * - batch end (with `batchMetrics`): the batch logs with `step` = the global batch index, i.e. the
 *   number of batches this callback saw before it (0-based, across epochs and fits).
 * Hooks only queue records (logMetrics returns without I/O) and never throw into the training
 * loop: a refused value is skipped with one warning.
 */
declare function tfjsCallback<C>(experiment: TrackedExperiment, tf: TfWithCustomCallback<C>, options?: TfjsCallbackOptions): C;

interface TrackFitOptions {
    /** Mark the run `succeeded` when the fit resolves. Set false to go on logging (evaluation, saving) and end it yourself. Default: true. */
    endOnSuccess?: boolean;
}
/**
 * Ties the run's outcome to a training run: awaits `fit` (a promise such as `model.fit(...)`, or a
 * function returning one, so that a synchronous throw counts too); when it resolves, marks the run
 * `succeeded` (unless `endOnSuccess: false`) and returns its result (the `History`); when it
 * rejects, marks the run `failed` with the error's message and stack and rethrows the error
 * unchanged.
 *
 * A wrapper rather than options on the callback: a fit that fails before its first hook (bad
 * input shape, a model that was never compiled) runs no callback at all, and only the caller sees
 * the rejection. A run that already ended is left as it is (`Experiment.end` is idempotent).
 */
declare function trackFit<T>(experiment: TrackedExperiment, fit: Promise<T> | (() => Promise<T>), options?: TrackFitOptions): Promise<T>;

/**
 * What an output is, where it goes on the server, and what keeps it when it cannot be uploaded:
 * the shapes every outputs module shares, apart so that none imports another for its types.
 */
/** The server experiment that outputs belong to. */
interface OutputTarget {
    user: string;
    project: string;
    id: number;
}
/** One file of an output (a saved model is two: its `.weights.bin` and its `.json`). */
interface OutputFileBody {
    /** Relative to the experiment's outputs, segments joined by `/`. */
    path: string;
    contentType: string;
    bytes: Uint8Array;
}
/** What a local outputs store is handed: the files of one output named `name` of the run `run`. */
interface StoredOutput {
    run: string;
    name: string;
    /** Known when the experiment had a server id at the time. */
    target?: OutputTarget;
    files: OutputFileBody[];
}
/**
 * Where outputs go when they cannot be uploaded (or, in the cluster, where they always go):
 * a folder in Node, IndexedDB in browsers, or your own (pass it as `outputsStore`).
 */
interface OutputsStore {
    /** Names the store in outcomes, e.g. `folder` or `indexeddb`. */
    readonly kind: string;
    /** Keeps the output; resolves with where it went (a file path, a key). */
    put(output: StoredOutput): Promise<string>;
}

/** Where an output went: uploaded to the server, or kept by a local store (and why). */
type OutputsSaved = {
    kind: 'uploaded';
    target: OutputTarget;
    paths: string[];
} | {
    kind: 'stored';
    store: string;
    where: string;
    reason: string;
};
interface OutputsOptions {
    /** Store for outputs that cannot be uploaded. Default: IndexedDB in browsers, the `outputsDir` folder in Node, else none (the upload error is thrown). */
    outputsStore?: OutputsStore;
    /** Node: folder for outputs that cannot be uploaded; in the cluster, overrides `POLYAXON_RUN_OUTPUTS_PATH`. Default: none. */
    outputsDir?: string;
    /** How long an upload waits for the experiment's server id (a create still in flight). Default: 5_000 ms. */
    targetTimeoutMs?: number;
}

interface ModelSaverOptions extends OutputsOptions {
    /** Output name: the files are `<name>.json` and `<name>.weights.bin`; may hold folders (`checkpoints/epoch-3`). Default: `model`. */
    name?: string;
}
/** tfjs-core's `SaveResult`, plus where the model went. */
interface ModelSaveResult {
    modelArtifactsInfo: TfModelArtifactsInfo;
    /** Undefined for a no-op experiment (POLYAXON_NO_OP), which saves nothing. */
    outputs?: OutputsSaved;
}
/** A TF.js IO handler for `model.save(handler)`. */
interface ModelSaver {
    save(artifacts: TfModelArtifacts): Promise<ModelSaveResult>;
}
/**
 * `model.save(modelSaver(experiment))` stores the model as an output of the run, in the standard
 * TF.js layout (see modelFiles): uploaded to the server's `experiments/{id}/outputs/`, or, where
 * that is not possible, kept locally (see saveOutput for the order). The result's `outputs` tells
 * which happened. The name is checked at once, before any training time is spent.
 */
declare function modelSaver(experiment: TrackedExperiment, options?: ModelSaverOptions): ModelSaver;
interface ModelLoaderOptions {
    /** Output name given to the saver. Default: `model`. */
    name?: string;
    /** How long loading waits for the experiment's server id. Default: 5_000 ms. */
    targetTimeoutMs?: number;
}
/**
 * `tf.loadLayersModel(modelLoader(experiment, tf))` loads a model the saver uploaded, straight
 * from the server with the client's token, through `tf.io.http` (weights are fetched from beside
 * the JSON). Equivalent by hand: `tf.io.http(client.outputs.url(user, project, id, 'model.json'),
 * { requestInit: { headers: client.outputs.headers() } })`.
 */
declare function modelLoader<A>(experiment: TrackedExperiment, tf: TfWithHttpIO<A>, options?: ModelLoaderOptions): TfLoadHandler<A>;

/**
 * Keeps outputs as files under `folder` (`<folder>/<path>`, the layout the server uses), as
 * Polyaxon expects them under a run's outputs path in the cluster. Node only: the file writing is
 * the Node environment's, so no browser bundle carries a Node import. Resolves with the path of
 * the output's last file (a model's `.json`).
 */
declare function folderOutputsStore(folder: string): OutputsStore;

/**
 * Browsers: keeps an output that could not be uploaded in IndexedDB under the key
 * `polyaxon-outputs/<run>/<name>` (database `polyaxon-outputs`), for `uploadStoredOutputs` to send
 * later. A newer save under the same name replaces the older one.
 */
declare function indexedDbOutputsStore(): OutputsStore;
interface StoredOutputsUpload {
    uploaded: string[];
    /** Keys still kept: their run has no known server id, or their upload failed. */
    left: string[];
}
/**
 * Uploads the outputs kept in IndexedDB and deletes each once it is on the server. Outputs of
 * `experiment`'s own run get its server id if they were kept before it had one; those of other
 * runs go to the experiment they were saved for, through `experiment`'s client.
 */
declare function uploadStoredOutputs(experiment: TrackedExperiment): Promise<StoredOutputsUpload>;

interface Clock {
    now(): number;
}
interface OutboxOptions {
    /** Where records wait. A promise is fine: appends are buffered until it opens. */
    store: OutboxStore | Promise<OutboxStore>;
    /** Read at send time, so a new token takes effect at once and is never stored. */
    settings: () => ClientSettings;
    /**
     * Sends one request. Default: the runtime's transport (in browsers, fetch that sends
     * `Idempotency-Key` only to a server that says it takes it), else `fetchTransport()` (ofetch) on
     * `runtime`'s timers.
     */
    transport?: Transport;
    /** Names this outbox's leases (a tab or process). Default: a new unique id. */
    owner?: string;
    /**
     * Most records and bytes kept; past them the oldest metrics and logs go. Default: 250_000
     * records, `maxQueueMemoryBytes` bytes, and for the Node journal `maxJournalBytes`.
     */
    caps?: StoreCaps;
    /**
     * Most bytes of record bodies kept in memory (the memory store, IndexedDB, and a Node journal
     * whose disk failed); overrides `caps.maxBytes`. Default: 67_108_864 (64 MiB).
     */
    maxQueueMemoryBytes?: number;
    /**
     * Node: most bytes of the file journal's live lines; the oldest metrics and logs go past it, and
     * only past it while the journal is written. Overrides `caps.maxJournalBytes`. Default:
     * 1_073_741_824 (1 GiB), or 10% of the free space of the journal's disk, whichever is smaller.
     */
    maxJournalBytes?: number;
    /**
     * Most records in one metrics or logs request. Batches start at 200 records (the Python client
     * flushes at 200 per URL) and grow while the server answers full ones within a second, shrink
     * when it is slow (outbox/batch-size.ts). Default: 10_000 (Weights & Biases' limit per request;
     * Polyaxon takes any list).
     */
    maxBatchCount?: number;
    /**
     * Most body bytes in one request (a single larger record still goes alone). Batches start at
     * 512 KiB at most and adapt like the count. Default: 4 MiB.
     */
    maxBatchBytes?: number;
    /** How long metrics and logs wait to be grouped before a send. Default: 1_000 ms (as the Python client). */
    flushIntervalMs?: number;
    /** How long a claim holds records before anyone may claim them again; at least the request timeout plus 5 s. Default: 30_000 ms. */
    leaseMs?: number;
    /** Per-request timeout. Default: the settings' `timeoutMs` (30_000 ms). */
    requestTimeoutMs?: number;
    /** First retry waits up to this long (full jitter). Default: 1_000 ms. */
    baseBackoffMs?: number;
    /** Longest backoff between retries. Default: 60_000 ms. */
    maxBackoffMs?: number;
    /** Shortest wait a `Retry-After` imposes (`0`, past dates). Default: 1_000 ms. */
    minRetryAfterMs?: number;
    /** Longest wait a `Retry-After` may impose. Default: 300_000 ms. */
    maxRetryAfterMs?: number;
    /** Start offline (POLYAXON_IS_OFFLINE): queue everything, send nothing until `setOnline(true)`. Default: false. */
    startOffline?: boolean;
    /** Time source for leases and dates. Default: `Date`. */
    clock?: Clock;
    /** Jitter source, uniform in [0, 1). Default: `Math.random`. */
    random?: () => number;
    /** Told of every dropped batch and of each pause for refused credentials. Default: none. */
    onError?: (error: PolyaxonError) => void;
}
interface FlushOptions {
    /** Default: 30_000 ms for flush, 10_000 ms for close. */
    timeoutMs?: number;
    /**
     * Node: keep the process alive while waiting (never longer than `timeoutMs`), so a script that
     * awaits a flush gets its answer instead of exiting with the promise unsettled. The exit handler
     * passes false: a process whose server is down still exits at once, leaving the rest to the
     * next run. Default: true.
     */
    holdProcess?: boolean;
}

/** Why the outbox sends nothing: paused by the app, offline, or its credentials refused (F07). */
type PauseReason = 'manual' | 'offline' | CredentialsRefusal;

interface OutboxStats {
    /**
     * Records waiting: in the store and not yet acknowledged (as last counted), plus appended and
     * not yet written, the group on its way into the store included.
     */
    pending: number;
    /** Records in the request being sent now. */
    inFlight: number;
    /**
     * The sender is working through the queue (claiming, sending, settling); false once it found
     * nothing it could send, until the next flush interval, append or wake-up.
     */
    sending: boolean;
    /** Records delivered (acknowledged by the server) by this outbox. */
    sent: number;
    /** Records that left without reaching the server, by reason. */
    dropped: Record<DropReason, number>;
    /**
     * The last failure: `message` is the server's own (or the network error's); `help`, when the
     * outbox knows what to do about it, names the server, the project and the fix in one line.
     */
    lastError?: {
        kind: PolyaxonErrorKind;
        status?: number;
        message: string;
        help?: string;
        at: number;
    };
    /** `opening` until the store promise settles. */
    storage: StoreKind | 'opening';
    paused: boolean;
    pausedReason?: PauseReason;
    /** Clock time at which sending resumes after a backoff or `Retry-After`. */
    retryAt?: number;
}

/**
 * In-cluster context: what a Polyaxon-managed job learns from its environment
 * (polyaxon-v0-api.md, "Outside vs inside the cluster", context getters table). Every getter
 * throws NotManagedError outside the cluster, as the Python client's `ensure_in_cluster` does;
 * inside, a missing or empty variable, invalid JSON, or JSON of the wrong shape gives null.
 * Variables are read through the environment handed in, never `process.env` directly.
 */

/** Task type (`master`, `worker`, `ps`) → `host:port` addresses. */
type ClusterDef = Record<string, string[]>;
interface ExperimentInfo {
    project_name?: string;
    experiment_group_name?: string | null;
    experiment_name?: string;
    project_uuid?: string;
    experiment_group_uuid?: string | null;
    experiment_uuid?: string;
    [key: string]: unknown;
}
interface TaskInfo {
    type?: string;
    index?: number;
    [key: string]: unknown;
}
/** TF_CONFIG as TensorFlow's distributed strategies read it, keys in Polyaxon's order. */
interface TfConfig {
    cluster: ClusterDef | null;
    task: TaskInfo | null;
    model_dir: string | null;
    environment: 'cloud';
}
declare class NotManagedError extends Error {
    readonly name = "NotManagedError";
    constructor(getter: string);
}
interface TfConfigOptions {
    /**
     * Variable to also write the config to, as JSON, where the runtime can set variables (Node).
     * Falsy: write nothing. Default: `'TF_CONFIG'`.
     */
    envvar?: string | null | false;
}

/** Options of `new Experiment(...)`: the Python client's keyword arguments, camelCased. */
interface ExperimentOptions {
    /** `name`, `user/name` or `user.name`. Required outside the cluster; in it, the platform's. */
    project?: string;
    /** Track an experiment that already exists instead of creating one. Default: none (`create()` makes one). */
    experimentId?: number;
    /** Experiment group of an existing experiment (informational, as in the Python client). Default: none. */
    groupId?: number;
    /** Client to use. Default: a client built from the POLYAXON_* settings (and, in the cluster, its token file). */
    client?: PolyaxonClient;
    /**
     * Mirror console output into the experiment's logs. Default: true in Node; false in browsers
     * and Workers (opt-in: a page's console also carries the notebook's and the page's own messages).
     */
    trackLogs?: boolean;
    /** Send the code reference (git in Node, an injected object in browsers) at create. Default: true. */
    trackGit?: boolean;
    /** Send the run environment at create. Default: true. */
    trackEnv?: boolean;
    /** Where outputs (for example saved models) go; see the TF.js model saver. Default: the server's outputs. */
    outputsStore?: unknown;
    /** Throw on invalid input (true) or warn once per kind and drop the call (false). Default: true. */
    strict?: boolean;
    /** How long `create()` waits for the server before going on offline. Default: 5_000 ms. */
    createTimeoutMs?: number;
    /** Interval of heartbeats while running; Polyaxon fails a run after 30 min without one. Default: 60_000 ms. */
    heartbeatIntervalMs?: number;
    /**
     * When this experiment is created, stop (status `stopped`) a still-running earlier experiment of
     * this page or process with the same project and the same `create({ name })`: what a re-run
     * notebook cell wants. Runs of other cells (other names, or no name) are never touched.
     * Default: true in browsers, false in Node.
     */
    endPrevious?: boolean;
    /**
     * When the server answers that the project does not exist (404 at create), create it, owned by
     * the token's user (only for a project of that user). Off, or when creating is refused (403),
     * the records wait, nothing is dropped, and one warning names the project and the fix; they go
     * out once the project exists (next run, or `polyaxon-tracking sync`). Default: true.
     */
    createProject?: boolean;
    /** Outbox settings for this experiment's server (the first experiment of a server decides them). Default: the outbox's, each documented in `OutboxSettings`. */
    outbox?: OutboxSettings;
}
/**
 * Queue and delivery settings for an experiment's server; the first experiment of a server in a
 * process or page decides them. Defaults and meanings are the outbox's (see `OutboxOptions`).
 */
interface OutboxSettings extends Pick<OutboxOptions, 'maxBatchCount' | 'maxBatchBytes' | 'flushIntervalMs' | 'leaseMs' | 'requestTimeoutMs' | 'baseBackoffMs' | 'maxBackoffMs' | 'minRetryAfterMs' | 'maxRetryAfterMs' | 'onError' | 'transport' | 'maxQueueMemoryBytes' | 'maxJournalBytes'> {
    /**
     * The queue itself. Default: the environment's durable store (the Node file journal, IndexedDB
     * in browsers). Tests pass a `MemoryStore` from `polyaxon-tracking/testing`.
     */
    store?: OutboxStore;
    /** Records kept at most before the oldest metrics and logs are evicted. Default: 250_000. */
    maxRecords?: number;
    /** Bytes kept at most before the oldest metrics and logs are evicted. Default: 64 MiB. */
    maxBytes?: number;
    /** Node: folder of the file journal. Default: `POLYAXON_OUTBOX_DIR`, else `~/.polyaxon/outbox/`. */
    directory?: string;
    /**
     * Node: at a normal end of the process, how long it may take from the program's last line to
     * the exit: it waits for the queue to be delivered, and when that takes too long it leaves the
     * rest in the journal (with one stderr line saying how many records wait and which command sends
     * them) and exits, within this bound hand-over included. Default: 3_000 ms.
     */
    exitFlushTimeoutMs?: number;
    /**
     * Node: when the process ends with records still queued (`process.exit`, an uncaught error,
     * SIGINT/SIGTERM, or a normal end past `exitFlushTimeoutMs`), start a short-lived detached
     * process that delivers them once this one is gone and exits, at most 60 s later; the token
     * reaches it through its environment, never a file or its arguments. With false, what is left
     * waits for the next run or `polyaxon-tracking sync`. Default: true.
     */
    sendAfterExit?: boolean;
}
interface CreateOptions {
    /** Experiment name: a slug of at most 128 characters, not a reserved word. Default: none (the server names it). */
    name?: string;
    /** Tags: an array, or one comma-separated string. Default: none. */
    tags?: string | string[];
    /** Free text. Default: none. */
    description?: string;
    /** At most 16 characters, e.g. `tensorflow.js`. Default: none. */
    framework?: string;
    /** At most 16 characters. Default: `other`, as the Python client sends. */
    backend?: string;
}

interface ProjectRef {
    /** Owner; absent when the project is the current user's (resolved through `GET users/`). */
    user?: string;
    project: string;
}

/** One `logMetrics` point: name to value. Booleans are sent as 0/1, `null` as `null`; `undefined` keys are left out. */
type MetricValues = Record<string, number | boolean | null | undefined>;
interface ExperimentStats {
    run: string;
    id: number | undefined;
    lastStatus: string | undefined;
    /**
     * Values sent changed rather than refused, by reason: `non_finite_as_null` (a NaN or Infinity
     * from the TF.js callback, sent as null), `message_cut` (a status message cut to 256 characters).
     */
    adjusted: Record<AdjustedReason, number>;
    outbox: OutboxStats;
}
/**
 * One tracked Polyaxon experiment: the Python client's `Experiment`, camelCased. Every logging call
 * validates its input, becomes a record and returns at once; when records enter the outbox is the
 * run's lifecycle's business (lifecycle.ts), delivery, retries and offline storage the outbox's.
 */
declare class Experiment {
    #private;
    /** Local key of the run, known before the server has answered. */
    readonly run: string;
    readonly client: PolyaxonClient;
    readonly projectRef: ProjectRef | undefined;
    readonly isManaged: boolean;
    /** Resolves with the server id once the create is acknowledged (at once for existing experiments). */
    readonly whenCreated: Promise<number>;
    constructor(options?: ExperimentOptions);
    /** Server id, once known. */
    get id(): number | undefined;
    get lastStatus(): string | undefined;
    /**
     * Creates the experiment on the server (outside the cluster), then sends the code reference and
     * status `running` and starts heartbeats. Waits for the server at most `createTimeoutMs`; past
     * that the run goes on offline and everything is delivered, in order, once the server is back.
     * A refused create (400, 401, 403) rejects at once.
     */
    create(options?: CreateOptions): Promise<this>;
    setName(name: string): void;
    setDescription(description: string): void;
    logTags(tags: string | string[], options?: {
        reset?: boolean;
    }): void;
    logParams(params: Record<string, unknown>, options?: {
        reset?: boolean;
    }): void;
    /**
     * Logs a data reference: `{[dataName]: hash}` where hash is the first 12 hex characters of the
     * MD5 of the data's text form (see README "Data references"). Blobs are read first, so their
     * reference is queued once hashed; every other kind is queued at once.
     */
    logDataRef(args: {
        data: unknown;
        dataName?: string;
        reset?: boolean;
    }): Promise<void>;
    logRunEnv(): Promise<void>;
    /** Sends `codeRef`, or the one the runtime finds (git in Node); a given `commit` over 40 characters is refused at the call. */
    logCodeRef(codeRef?: CodeRef): Promise<void>;
    logFramework(framework: string): void;
    logBackend(backend: string): void;
    /** Logs a status; a `message` over 256 characters is cut, with an ellipsis (F43). */
    logStatus(status: ExperimentStatus, message?: string, traceback?: string): void;
    /** Ends the run with `status` unless it already ended. */
    end(status: 'succeeded' | 'failed' | 'stopped', message?: string, traceback?: string): void;
    succeeded(): void;
    failed(message?: string, traceback?: string): void;
    stop(): void;
    /**
     * Queues one point; `step` is one more key. Returns at once, without I/O. The values are copied
     * once at the call and the copy is what is validated and sent (F33); `null` is sent as JSON
     * `null` and `undefined` keys are left out (F35).
     */
    logMetrics(values: MetricValues): void;
    /** Sends log lines (already formatted or plain messages, logged at INFO). */
    sendLogs(lines: string | string[]): void;
    /** True between create (or adopting an existing experiment) and a done status. */
    get isRunning(): boolean;
    stats(): ExperimentStats | undefined;
    /** Delivers everything queued so far; true when done within `timeoutMs`. Never rejects. */
    flush(options?: {
        timeoutMs?: number;
    }): Promise<boolean>;
    /**
     * Stops heartbeats and console capture and flushes. In Node a run that has no final status yet
     * ends `succeeded`, as at a normal exit (F44); in browsers its status is left as it is. Calling
     * it again gives the same promise; tracking calls made after it are ignored with one warning (F20).
     */
    close(options?: {
        timeoutMs?: number;
    }): Promise<boolean>;
    /** A `tf.CustomCallback` tracking a fit: epoch metrics (step = epoch), fit params, status running. */
    tfjsCallback<C>(tf: TfWithCustomCallback<C>, options?: TfjsCallbackOptions): C;
    /** Awaits a fit: `succeeded` when it resolves, `failed` (message, stack) and rethrown when it rejects. */
    trackFit<T>(fit: Promise<T> | (() => Promise<T>), options?: TrackFitOptions): Promise<T>;
    /** A TF.js IO handler for `model.save(...)` that stores the model as an output of this run. */
    modelSaver(options?: ModelSaverOptions): ModelSaver;
    /** A TF.js IO handler for `tf.loadLayersModel(...)` that reads a model this run saved to the server. */
    modelLoader<A>(tf: TfWithHttpIO<A>, options?: ModelLoaderOptions): TfLoadHandler<A>;
    static getClusterDef: () => ClusterDef | null;
    static getDeclarations: () => Record<string, unknown> | null;
    static getParams: () => Record<string, unknown> | null;
    static getExperimentInfo: () => ExperimentInfo | null;
    static getTaskInfo: () => TaskInfo | null;
    static getTfConfig: (options?: TfConfigOptions) => TfConfig;
    static getOutputsPath: () => string | null;
    static getDataPaths: () => Record<string, string> | null;
    static getLogLevel: () => string | null;
}

/**
 * The library's one logger. Silent by default except for one warning per kind of trouble,
 * so a training loop's console is never flooded. Messages are tagged so console capture can
 * recognise and skip them.
 */
type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
declare function setLogLevel(next: LogLevel): void;

export { Experiment, NotManagedError, PolyaxonClient, PolyaxonError, ValidationError, folderOutputsStore, indexedDbOutputsStore, modelLoader, modelSaver, setLogLevel, tfjsCallback, trackFit, uploadStoredOutputs };
export type { AdjustedReason, ClientOptions, ClientSettings, ClusterDef, CodeRef, CodeReferenceResponse, CreateOptions, Credentials, DropReason, EnvLookup, ExperimentCreate, ExperimentInfo, ExperimentOptions, ExperimentPatch, ExperimentResponse, ExperimentStats, ExperimentStatus, FlushOptions, ListExperimentsOptions, ListOptions, LogLevel, MetricPoint, MetricResponse, MetricValues, ModelLoaderOptions, ModelSaveResult, ModelSaver, ModelSaverOptions, OutboxSettings, OutboxStats, OutputFile, OutputTarget, OutputWritten, OutputsSaved, OutputsStore, Paginated, PauseReason, PolyaxonErrorKind, ProjectCreate, ProjectPatch, ProjectRef, ProjectResponse, RunEnv, StatusCreate, StatusResponse, StoredOutput, StoredOutputsUpload, TaskInfo, TfConfig, TfConfigOptions, TfjsCallbackOptions, TokenResponse, TrackFitOptions, TrackedExperiment, UserResponse };
