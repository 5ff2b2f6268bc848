/**
 * Records: every tracking call becomes one. The outbox stores them, the sender turns them into
 * Polyaxon requests. Records are plain JSON so every store (memory, file journal, IndexedDB) can
 * keep them as they are.
 */

/** Format version of a stored record; stores migrate or drain older versions (F25). */
export const RECORD_FORMAT_VERSION = 1;

export type RecordKind =
  | 'create' // POST {user}/{project}/experiments/   body: CreateBody
  | 'patch' // PATCH .../experiments/{id}/          body: one field (+ merge)
  | 'status' // POST .../statuses/                   body: {status, message?, traceback?}
  | 'coderef' // POST .../coderef/                   body: CodeRef | null (no body)
  | 'metrics' // POST .../metrics/ (batched array)   body: {values, created_at}
  | 'logs' // POST .../logs/ (batched array)         body: string (one log line)
  | 'stop'; // POST .../stop/                        body: null

/** Kinds the sender may merge into one array request; everything else is sent alone. */
export const BATCHABLE_KINDS: ReadonlySet<RecordKind> = new Set(['metrics', 'logs']);
/** Kinds the caps may evict when the queue is full; the others are never dropped for space. */
export const EVICTABLE_KINDS: ReadonlySet<RecordKind> = new Set(['metrics', 'logs']);

/** Where a run lives on the server, once known. */
export interface RunTarget {
  /** Owner of the project; resolved through `GET users/` at send time when not given. */
  user?: string;
  project: string;
  /** Server id; unknown until the create record is acknowledged (offline create). */
  id?: number;
}

export interface OutboxRecord {
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
 * A record's `bytes`, the measure the caps and the batch limits count in: the length of its body
 * as JSON. Throws when the body has no JSON form (a cycle, a BigInt, a function): such a record
 * cannot be kept. Stores use it for records of older formats that lack `bytes`.
 */
export function recordBytes(body: unknown): number {
  return serialiseBody(body).length;
}

/** The body as JSON; throws when it has none (a cycle, a BigInt, a function). */
export function serialiseBody(body: unknown): string {
  const json: string | undefined = JSON.stringify(body ?? null);
  if (json === undefined) throw new TypeError(`a ${typeof body} has no JSON form`);
  return json;
}

/**
 * Fields the caller gives; the outbox fills in the rest. Without `bytes` the outbox serialises the
 * body once at the call (`json`, write once) and measures that. The metrics hot path gives `bytes`
 * instead (an upper bound of the body's JSON length, known without serialising): its body is
 * serialised off the caller's path, by the Node journal's writer thread and when it is sent.
 */
export type NewRecord = Pick<OutboxRecord, 'run' | 'kind' | 'body'> & { bytes?: number };

/**
 * The body's JSON: what `json` holds, or, for a record read back from a store, the body
 * serialised now (the same characters: JSON written by JSON.stringify round-trips exactly).
 */
export function bodyJson(record: OutboxRecord): string {
  if (record.body === RELEASED_BODY) throw new Error(`the body of ${record.kind} record ${record.id} was let go with its request`);
  return record.json ?? JSON.stringify(record.body ?? null);
}

/** What the body of a record whose request was built is (`releaseBodies`). */
const RELEASED_BODY = Symbol('released body');

/**
 * Lets the bodies of a claimed batch of metrics or logs go once their request is built: the
 * request holds them now, and the records need no more than the ack and the counts read (id, run,
 * kind, bytes). Kept until the answer, a 10,000-point batch's bodies (a few hundred bytes a point
 * as strings) outlived the young generation's collections, which copied them each time: a drain
 * of a million points spent a quarter of its time so. Only for records a claim gave from a store
 * that `claimsCopies`.
 */
export function releaseBodies(records: readonly OutboxRecord[]): void {
  for (const record of records) {
    if (!BATCHABLE_KINDS.has(record.kind)) continue;
    record.json = undefined;
    record.body = RELEASED_BODY;
  }
}

/** A copy of a record that shares its body: bodies are not changed after the call (write once). */
export function shallowCopy(record: OutboxRecord): OutboxRecord {
  return { ...record };
}

let lastTime = 0;
/** The last id given and its `recordIdKey`: the outbox, the ledger and the journal each ask for it at the call. */
let lastIssuedId = '';
let lastIssuedKey = Number.NaN;
let counter = 0;
let prefixTime = -1;
let prefix = '';

/**
 * The id's last 62 bits are drawn once per process or page: time and counter already make ids of
 * one process unique, and this suffix sets processes apart. Drawing random bytes for every id cost
 * more than the rest of `logMetrics` together.
 */
const suffix = (() => {
  const bytes = new Uint8Array(8);
  globalThis.crypto.getRandomValues(bytes);
  bytes[0] = 0x80 | (bytes[0] & 0x3f);
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `-${hex.slice(0, 4)}-${hex.slice(4)}`;
})();

/**
 * A time-ordered unique id in the uuidv7 layout: 48-bit ms time, version 7, a 12-bit counter that
 * keeps ids of one millisecond in order, the variant bits, then 62 random bits per process.
 */
export function newRecordId(now: number = Date.now()): string {
  // Keep ids sortable even when the clock stands still or goes backwards within a process;
  // past 4096 ids in one millisecond, borrow the next millisecond (RFC 9562, section 6.2).
  if (now <= lastTime) {
    now = lastTime;
    if (++counter > 0xfff) {
      now = ++lastTime;
      counter = 0;
    }
  } else {
    counter = 0;
    lastTime = now;
  }
  if (now !== prefixTime) {
    prefixTime = now;
    prefix = idPrefix(now);
  }
  lastIssuedId = prefix + counterHex(counter) + suffix;
  lastIssuedKey = now * 4096 + counter;
  return lastIssuedId;
}

/** The counter's three hex digits, by value (made at the first use): ids are made once per call. */
let counterSpellings: string[] | undefined;
function counterHex(counter: number): string {
  counterSpellings ??= Array.from({ length: 4096 }, (_, i) => i.toString(16).padStart(3, '0'));
  return counterSpellings[counter];
}

/** An id's part before the counter: the 48-bit time in hex as 8-4 digits, then the version 7. */
function idPrefix(time: number): string {
  const hex = time.toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7`;
}

/** Length of every id `newRecordId` gives. */
const ID_LENGTH = 36;
/** Where the id's hex digits of time (48 bits) and counter (12 bits) sit. */
const TIME_DIGITS = [0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12];
const COUNTER_DIGITS = [15, 16, 17];
/** Where the suffix starts, and its form: the variant's dash-separated 4 and 12 lowercase hex digits. */
const SUFFIX_START = 18;
const SUFFIX_FORM = /^-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DASH = 0x2d;

/**
 * An id of this process as one number that sorts as the id does (48-bit time × 4096 + counter: a
 * safe integer until the year 2109), so a million queued ids can sit in a Float64Array instead of
 * a million strings; NaN for an id of another process or of another form. `recordIdFromKey` gives
 * the id back.
 */
export function recordIdKey(id: string): number {
  if (id === lastIssuedId) return lastIssuedKey;
  return id.endsWith(suffix) ? keyOfDigits(id) : Number.NaN;
}

/**
 * The key of an id `newRecordId` gave in any process (see `recordIdSuffixOf` for the rest of it);
 * NaN for an id of another form. A queue adopted from a process that is gone keeps its ids so.
 */
export function anyRecordIdKey(id: string): number {
  return suffixOf(id) === undefined ? Number.NaN : keyOfDigits(id);
}

/** The key of the time and counter digits of an id whose suffix is known good. */
function keyOfDigits(id: string): number {
  if (id.length !== ID_LENGTH || id.charCodeAt(8) !== DASH || id.charCodeAt(13) !== DASH || id.charCodeAt(14) !== 0x37) return Number.NaN;
  let time = 0;
  for (const at of TIME_DIGITS) time = time * 16 + hexDigit(id.charCodeAt(at));
  let count = 0;
  for (const at of COUNTER_DIGITS) count = count * 16 + hexDigit(id.charCodeAt(at));
  return time * 4096 + count;
}

/** What every id of this process ends with (after the counter): `recordIdKey` leaves it out. */
export function recordIdSuffix(): string {
  return suffix;
}

/** What an id ends with after its counter: the process that gave it (`anyRecordIdKey` leaves it out). */
export function recordIdSuffixOf(id: string): string {
  return suffixOf(id) ?? id.slice(SUFFIX_START);
}

/** The id's suffix when it has the form of one; undefined otherwise. */
function suffixOf(id: string): string | undefined {
  // A queue adopted from another process looks its ids up by the hundred thousand, nearly all with
  // one suffix: the last one found is compared in place, with no string made per id.
  if (id.length === ID_LENGTH && id.endsWith(lastSuffixFound)) return lastSuffixFound;
  const found = id.slice(SUFFIX_START);
  if (!SUFFIX_FORM.test(found)) return undefined;
  lastSuffixFound = found;
  return found;
}
/** The suffix `suffixOf` found last; starts as one of the right form. */
let lastSuffixFound = '-0000-000000000000';

/** The id `recordIdKey` made `key` of; of the process whose ids end with `idSuffix`, default this one. */
export function recordIdFromKey(key: number, idSuffix = suffix): string {
  const count = key % 4096;
  const time = (key - count) / 4096;
  // A batch's ids mostly share their millisecond: its part of the id is made once.
  if (time !== keyPrefixTime) {
    keyPrefix = idPrefix(time);
    keyPrefixTime = time;
  }
  return keyPrefix + counterHex(count) + idSuffix;
}

let keyPrefixTime = -1;
let keyPrefix = '';

/** A lowercase hex digit's value; NaN (which spoils the key) for any other character. */
function hexDigit(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  return Number.NaN;
}
