import type { PolyaxonClient } from '../client/client';
import type { OutboxOptions } from '../outbox/outbox';
import type { OutboxStore } from '../outbox/store';

/** Options of `new Experiment(...)`: the Python client's keyword arguments, camelCased. */
export interface ExperimentOptions {
  /** `name`, `user/name` or `user.name`. Required outside the cluster. */
  project?: string;
  /** Track an experiment that already exists instead of creating one. */
  experimentId?: number;
  /** Experiment group of an existing experiment (informational, as in the Python client). */
  groupId?: number;
  /** Client to use. Default: a client built from the POLYAXON_* settings (and, in the cluster, its token file). */
  client?: PolyaxonClient;
  /** Mirror console output into the experiment's logs. Default: true. */
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
   * End a still-running earlier experiment of this page when this one is created, as a re-run
   * notebook cell would want. Default: true in browsers, false in Node.
   */
  endPrevious?: boolean;
  /** Outbox settings for this experiment's server (the first experiment of a server decides them). */
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
}

export interface CreateOptions {
  name?: string;
  tags?: string | string[];
  description?: string;
  framework?: string;
  /** Default: `other`, as the Python client sends. */
  backend?: string;
}

export const DEFAULT_CREATE_TIMEOUT_MS = 5_000;
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 60_000;
/** Run env and code ref are best effort; create never waits on them longer than this. */
export const CONTEXT_TIMEOUT_MS = 3_000;
