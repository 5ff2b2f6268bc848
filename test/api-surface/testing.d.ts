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

/**
 * The queue kept in memory only: the fallback when no durable store opens (F13), and the store of
 * unit tests. Every method runs synchronously inside one call, which makes each one atomic.
 * Records are copied in and out, so a caller mutating its objects never changes the queue (a record
 * serialised at the call shares its body: the request sends its `json`).
 */
declare class MemoryStore implements OutboxStore {
    readonly kind: StoreKind;
    /** A claim gives copies (`copyRecord`). */
    readonly claimsCopies: boolean;
    /** Ascending `seq`: appends arrive in order, and the outbox assigns `seq` in order. */
    private records;
    /** Sum of the records' `bytes`, kept up to date so an append checks the caps without a scan. */
    private bytes;
    private readonly meta;
    private seqAfterLast;
    private closed;
    append(records: OutboxRecord[], caps: StoreCaps): Promise<AppendResult>;
    claim(options: ClaimOptions): Promise<OutboxRecord[]>;
    ack(ids: string[], meta?: Record<string, unknown>): Promise<void>;
    release(ids: string[]): Promise<void>;
    unbatch(ids: string[]): Promise<void>;
    count(): Promise<{
        records: number;
        bytes: number;
        byRun: Record<string, number>;
    }>;
    getMeta(key: string): Promise<unknown>;
    setMeta(key: string, value: unknown): Promise<void>;
    nextSeq(): Promise<number>;
    close(): Promise<void>;
    private sumBytes;
    private forEachOf;
    private assertOpen;
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
type TransportFailureKind = 'network' | 'timeout';
/** No response arrived: the connection failed, or the answer took longer than `timeoutMs`. */
declare class TransportFailure extends Error {
    readonly kind: TransportFailureKind;
    readonly name = "TransportFailure";
    constructor(kind: TransportFailureKind, message: string);
}

/**
 * A transport for tests: it records every request and answers from a script, so a test states
 * exactly what the server does (statuses, headers, delays, lost connections) and then checks what
 * the outbox sent. Delays use `setTimeout`, so fake timers drive them.
 *
 *   const transport = new ScriptedTransport();
 *   transport.enqueue({ status: 500 }, { status: 200 });
 *   new Outbox({ store: new MemoryStore(), transport: transport.send, settings });
 */
type ScriptStep = {
    status: number;
    body?: unknown;
    headers?: Record<string, string>;
    /** Answer after this long; at or past the request's timeout it fails with `timeout` instead. */
    delayMs?: number;
}
/** No response: a refused or dropped connection (`network`), or a timeout. */
 | {
    fail: 'network' | 'timeout';
    delayMs?: number;
}
/** Never answers and ignores the timeout: a broken transport the outbox must still survive. */
 | {
    hang: true;
};
type ScriptAnswer = ScriptStep | ((request: RecordedRequest) => ScriptStep);
interface RecordedRequest extends TransportRequest {
    /** `Date.now()` when sent (fake time under fake timers). */
    at: number;
    /** The body parsed as JSON, when there was one. */
    json?: unknown;
}
declare class ScriptedTransport {
    private readonly fallback;
    readonly requests: RecordedRequest[];
    private readonly script;
    private nextExperimentId;
    /**
     * @param fallback Answer once the script is used up. Default: a well-behaved Polyaxon server:
     * 201 `{id, ...}` for a create, `{username: 'tester'}` for `GET users/`, 200 `{}` otherwise.
     */
    constructor(fallback?: ScriptAnswer);
    /** Answers for the next requests, one each, in order. */
    enqueue(...steps: ScriptAnswer[]): this;
    /** The transport function to hand to the outbox. */
    readonly send: Transport;
    /** Requests whose URL contains `part`. */
    requestsTo(part: string): RecordedRequest[];
    private play;
    private politeAnswer;
}

export { MemoryStore, ScriptedTransport, TransportFailure };
export type { RecordedRequest, ScriptAnswer, ScriptStep, Transport, TransportRequest, TransportResponse };
