import type { PolyaxonClient } from '../client/client';
import type { OutboxOptions } from '../outbox/outbox';
import type { OutboxStore } from '../outbox/store';

/** Options of `new Experiment(...)`: the Python client's keyword arguments, camelCased. */
export interface ExperimentOptions {
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
export interface OutboxSettings
  extends Pick<
    OutboxOptions,
    | 'maxBatchCount'
    | 'maxBatchBytes'
    | 'flushIntervalMs'
    | 'leaseMs'
    | 'requestTimeoutMs'
    | 'baseBackoffMs'
    | 'maxBackoffMs'
    | 'minRetryAfterMs'
    | 'maxRetryAfterMs'
    | 'onError'
    | 'transport'
    | 'maxQueueMemoryBytes'
    | 'maxJournalBytes'
  > {
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

export interface CreateOptions {
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

export const DEFAULT_CREATE_TIMEOUT_MS = 5_000;
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 60_000;
export const DEFAULT_EXIT_FLUSH_TIMEOUT_MS = 3_000;
/** Run env and code ref are best effort; create never waits on them longer than this. */
export const CONTEXT_TIMEOUT_MS = 3_000;
