import type { EnvLookup } from './settings';
import type { OutboxStore, StoreCaps } from '../outbox/store';

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

export interface LifecycleHooks {
  /** Normal end (Node `beforeExit`): end unfinished runs as succeeded, then flush. */
  onExit(): Promise<void>;
  /**
   * Uncaught error (Node). Must record `failed` synchronously-durably before returning, since
   * the process dies right after.
   */
  onCrash(error: unknown): void;
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

/** A keepalive request for page close: same shape as the transport's, sent fire-and-forget. */
export interface ExitRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/**
 * Small notes that must outlive a closing page (browser: localStorage): a page that fired
 * `pagehide` runs no further tasks, so only a synchronous write is sure to be kept.
 */
export interface ExitNotes {
  /** Keeps `note` (plain JSON) under `topic` in this call stack; false when it cannot. */
  save(topic: string, note: unknown): boolean;
  /** Removes and gives every note kept under `topic`. */
  take(topic: string): Promise<unknown[]>;
}

/** This page among the pages and Workers sending from one queue (F12); see Environment.pagePresence. */
export interface PagePresence {
  /** Whether another page or Worker may be sending from the queue now. */
  othersAlive(): boolean;
  /** Tells the others this page sends no more (at `pagehide`, in its call stack). */
  leave(): void;
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
  /** Mirrors console output into `sink`, leaving the console itself untouched. Returns the uninstaller. */
  captureConsole(sink: (level: ConsoleLevel, line: string) => void): () => void;
  /** Fire-and-forget send that survives page unload (fetch keepalive); false when not possible. */
  sendOnExit?(request: ExitRequest): boolean;
  /** Where a closing page leaves notes for the next load (the leases it held; exit-leases.ts). */
  exitNotes?: ExitNotes;
  /**
   * Announces this outbox to the other pages and Workers that may share its queue (`topic`: one
   * per server, exit-leases.ts `leaseTopic`), so that a closing page sends only what no other can
   * hold (browser: BroadcastChannel). `onLeave` runs when another says bye: what it could not
   * send is now for the live ones. Absent: nothing else can share the queue (Node).
   */
  pagePresence?(topic: string, onLeave: () => void): PagePresence;
  /**
   * Writes files under `folder` (each `path` relative to it, folders created), for outputs kept on
   * disk (Node only; a run's outputs path in the cluster). Resolves with the last file's path.
   */
  writeFiles?(folder: string, files: Array<{ path: string; bytes: Uint8Array }>): Promise<string>;
  /** Keeps timers from holding the process open (Node `unref`). */
  unrefTimer(timer: unknown): void;
}
