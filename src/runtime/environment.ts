import type { ClientSettings, EnvLookup } from './settings';
// The contracts of src/outbox a runtime implements, named here as types only: the durable store it
// opens, the transport it may send through and, where pages close, the close-time sender.
import type { CloseSenderFactory } from '../outbox/close-sender';
import type { OutboxStore, StoreCaps } from '../outbox/store';
import type { Transport } from '../outbox/transport';

/** A git code reference as Polyaxon's `coderef/` endpoint takes it. */
export interface CodeRef {
  commit: string | null;
  head: string | null;
  branch: string | null;
  git_url: string | null;
  is_dirty: boolean | null;
}

/** Free-form description of where the run executes (Polyaxon's `run_env`). Never secrets. */
export type RunEnv = Record<string, unknown>;

export type ConsoleLevel = 'debug' | 'info' | 'warn' | 'error' | 'log';

/**
 * How a Node process ends, at its last synchronous moment (the `exit` event, or SIGINT/SIGTERM
 * about to kill it), as the status a run still open gets: `process.exit(0)` succeeded, any other
 * code failed, a signal stopped; the message says which code or signal.
 */
export interface ProcessEnd {
  status: 'succeeded' | 'failed' | 'stopped';
  message?: string;
}

/**
 * An outbox as the process ends, for the runtime to hand over what it still holds to a process
 * that delivers it once this one is gone (Node: src/node/exit-sender.ts).
 */
export interface ExitQueue {
  outbox: {
    /** Writes what is buffered to the store now, in this call stack. */
    persistSync(): void;
    stats(): { pending: number; storage: string };
  };
  /** Read at the end: the token in them reaches the sender through its environment only. */
  settings(): ClientSettings;
  /** The experiment's outbox settings (`directory`, `sendAfterExit`; its own `store` or `transport`). */
  options: { directory?: string; store?: unknown; transport?: unknown; sendAfterExit?: boolean };
}

export interface LifecycleHooks {
  /**
   * Normal end (Node `beforeExit`): end unfinished runs as succeeded, then flush within a bound.
   * `'queued'`: the bound passed and what is left was handed over; the process may end now,
   * although the library's own requests (to a server that does not answer) are still open.
   */
  onExit(): Promise<'settled' | 'queued' | void>;
  /**
   * Uncaught error (Node). Must record `failed` synchronously-durably before returning, since
   * the process dies right after.
   */
  onCrash(error: unknown): void;
  /**
   * The process ends now (Node, see `ProcessEnd`): end the runs still open (by the exit code, or
   * stopped by the signal), write the queue synchronously and hand it over. Synchronous.
   */
  onProcessEnd?(end: ProcessEnd): void;
  /** Page hidden (browser): persist what is queued, then try one bounded keepalive send. */
  onHide(): void;
  /**
   * Page closing (browser `pagehide` not persisted): mark unfinished runs stopped, then persist
   * and start the keepalive send in the same call stack (the page runs no further tasks).
   */
  onClose(): void;
  /** Connectivity changed (browser `online`/`offline`). */
  onOnline?(online: boolean): void;
}

export interface OpenStoreOptions {
  /** Names the queue; one queue per target server, so a store never mixes servers. */
  name: string;
  caps: StoreCaps;
  /** Node: journal folder override. */
  directory?: string;
}

/**
 * Everything that differs between runtimes. Adapters hold no retry, batching or drop policy.
 * "Best effort" members never throw: they give null or a partial value and log one debug note.
 */
export interface Environment {
  readonly kind: 'node' | 'browser' | 'memory';
  getEnv: EnvLookup;
  /** In-cluster token file (Node only). */
  readTextFile?(path: string): string | undefined;
  /** Sets a process environment variable (Node only; `getTfConfig` uses it). */
  setEnv?(name: string, value: string): void;
  /** Opens the durable store, or a memory store with one warning when that fails. */
  openStore(options: OpenStoreOptions): Promise<OutboxStore>;
  runEnv(): Promise<RunEnv>;
  codeRef(): Promise<CodeRef | null>;
  /**
   * Whether the runtime says the network is up (browser `navigator.onLine`), read as an outbox
   * starts; later changes arrive through `LifecycleHooks.onOnline`. Absent: always online (Node).
   */
  isOnline?(): boolean;
  /** Installs lifecycle handlers; returns the uninstaller. */
  onLifecycle(hooks: LifecycleHooks): () => void;
  /**
   * Node, while a run is open: SIGINT and SIGTERM that the program does not listen to itself call
   * `onSignal` (synchronously), then kill the process by the same signal. Returns the disarmer.
   */
  armSignals?(onSignal: (end: ProcessEnd) => void): () => void;
  /**
   * Node, as the process ends: writes every queue now and starts the detached sender for each that
   * still holds records; with `tell`, one stderr line says what waits and which command sends it.
   */
  handOffAtExit?(queues: ExitQueue[], tell: boolean): void;
  /** Mirrors console output into `sink`, leaving the console itself untouched. Returns the uninstaller. */
  captureConsole(sink: (level: ConsoleLevel, line: string) => void): () => void;
  /**
   * Makes the close-time sender of an outbox: what a page sends, and keeps for the next load, as
   * it is hidden or goes away (browsers: src/browser/page-close/). Absent: pages never close (Node).
   */
  closeSender?: CloseSenderFactory;
  /**
   * Sends every request of this runtime, the outbox's and the client's (browsers: no header a
   * server's CORS would refuse, src/browser/cors/). Absent: `fetchTransport` as it is (Node).
   */
  transport?: Transport;
  /**
   * Writes files under `folder` (each `path` relative to it, folders created), for outputs kept on
   * disk (Node only; a run's outputs path in the cluster). Resolves with the last file's path.
   */
  writeFiles?(folder: string, files: Array<{ path: string; bytes: Uint8Array }>): Promise<string>;
  /** Keeps timers from holding the process open (Node `unref`). */
  unrefTimer(timer: unknown): void;
  /**
   * How an outbox sends in the background when the app gives it no transport (Node: sockets that
   * never hold the process open, src/node/http-transport.ts; whoever waits for an answer holds it
   * with a bounded timer). Absent: `transport`.
   */
  outboxTransport?: Transport;
}
