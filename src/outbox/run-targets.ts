import { credentialsKey } from '../runtime/credentials';
import { PolyaxonError } from '../runtime/errors';
import type { Outcome } from './policy';
import type { OutboxRecord, RunTarget } from './records';
import { isCreateBody, type ResolvedTarget } from './requests';
import type { ClientSettings } from '../runtime/settings';
import type { OutboxStore } from './store';

/**
 * Where each run's records go. A run's target lives in the store's meta under `run:<key>`, beside
 * the queue, so a reload or a new process resumes with it (DESIGN "Offline create"):
 * - written by `setRunTarget` for an experiment that already exists (given id, in-cluster run);
 * - written with the ack of the create record, atomically, once the server gave the id;
 * - marked `rejected` when the server refused the create, so the run's later records are dropped.
 */
export interface StoredRunTarget extends RunTarget {
  /** The server's message when it refused the create. */
  rejected?: string;
}

export type TargetResolution =
  | { kind: 'ready'; target: ResolvedTarget }
  | { kind: 'drop'; reason: 'run_rejected' | 'unknown_run' | 'rejected'; message: string }
  /** The user lookup (`GET users/`) did not succeed: handle that outcome for the batch. */
  | { kind: 'blocked'; outcome: Outcome };

export type UserLookup = { kind: 'user'; user: string } | { kind: 'failed'; outcome: Outcome };

/** How often a waiting `whenCreated` looks for a create acked by another tab or process. */
const STORE_WATCH_INTERVAL_MS = 1_000;

export function runMetaKey(run: string): string {
  return `run:${run}`;
}

interface CreateWaiter {
  resolve(id: number): void;
  reject(error: unknown): void;
}

export class RunTargets {
  readonly #known = new Map<string, StoredRunTarget>();
  readonly #waiters = new Map<string, CreateWaiter[]>();
  readonly #users = new Map<string, string>();

  constructor(
    private readonly store: () => Promise<OutboxStore>,
    private readonly lookupUser: (settings: ClientSettings) => Promise<UserLookup>,
    private readonly unrefTimer: (timer: unknown) => void,
  ) {}

  /** Records where a run lives; known at once to this process, persisted beside the queue. */
  async set(run: string, target: RunTarget): Promise<void> {
    const stored: StoredRunTarget = { project: target.project };
    if (target.user !== undefined) stored.user = target.user;
    if (target.id !== undefined) stored.id = target.id;
    this.#known.set(run, stored);
    if (stored.id !== undefined) this.#settleWaiters(run, (waiter) => waiter.resolve(stored.id!));
    await (await this.store()).setMeta(runMetaKey(run), stored);
  }

  async get(run: string): Promise<StoredRunTarget | undefined> {
    const cached = this.#known.get(run);
    if (cached?.id !== undefined || cached?.rejected !== undefined) return cached;
    // Another process or tab may have acked the create since: the store is the truth.
    const stored = (await (await this.store()).getMeta(runMetaKey(run))) as StoredRunTarget | undefined;
    if (stored && typeof stored.project === 'string') {
      this.#known.set(run, stored);
      return stored;
    }
    return cached;
  }

  /** Where the batch led by `record` goes, once the user is known. */
  async resolve(record: OutboxRecord, settings: ClientSettings): Promise<TargetResolution> {
    let target = await this.get(record.run);
    if (target?.rejected !== undefined) {
      return { kind: 'drop', reason: 'run_rejected', message: `the run was refused or abandoned: ${target.rejected}` };
    }
    if (record.kind === 'create') {
      if (!isCreateBody(record.body)) return { kind: 'drop', reason: 'rejected', message: 'create record without a target project' };
      target = { ...record.body.target };
    } else if (target?.id === undefined) {
      return { kind: 'drop', reason: 'unknown_run', message: `no server experiment known for run ${record.run}` };
    }
    const user = target.user ?? this.knownUser(settings);
    if (user !== undefined) return { kind: 'ready', target: { user, project: target.project, id: target.id } };
    const lookup = await this.lookupUser(settings);
    if (lookup.kind === 'failed') return { kind: 'blocked', outcome: lookup.outcome };
    this.#users.set(credentialsKey(settings), lookup.user);
    return { kind: 'ready', target: { user: lookup.user, project: target.project, id: target.id } };
  }

  /**
   * Where the run's records go, from what this process already knows (no store read, no user
   * lookup): for a page that is closing and can wait for nothing. Undefined until the run has a
   * server id and its user is known, and for a refused run.
   */
  peek(run: string, settings: ClientSettings): ResolvedTarget | undefined {
    const target = this.#known.get(run);
    if (target?.id === undefined || target.rejected !== undefined) return undefined;
    const user = target.user ?? this.knownUser(settings);
    return user === undefined ? undefined : { user, project: target.project, id: target.id };
  }

  /** The user `GET users/` named for these credentials, when already asked. */
  knownUser(settings: ClientSettings): string | undefined {
    return this.#users.get(credentialsKey(settings));
  }

  /** The meta to store atomically with the create's ack. */
  createdMeta(run: string, target: ResolvedTarget, id: number): Record<string, StoredRunTarget> {
    return { [runMetaKey(run)]: { user: target.user, project: target.project, id } };
  }

  /** The meta to store atomically with the refused create's removal. */
  rejectedMeta(run: string, project: string, message: string): Record<string, StoredRunTarget> {
    return { [runMetaKey(run)]: { project, rejected: message } };
  }

  /**
   * Gives up on a run: its queued records, create included, are dropped as `run_rejected` when
   * their turn comes. For a create the caller has already reported as failed (401/403 at create).
   */
  async abandon(run: string, message: string): Promise<void> {
    const abandoned: StoredRunTarget = { project: this.#known.get(run)?.project ?? '', rejected: message };
    this.createFailed(run, new PolyaxonError('bad_request', 0, 'POST', 'experiments/', message), abandoned);
    await (await this.store()).setMeta(runMetaKey(run), abandoned);
  }

  /** After the create's ack is stored. */
  created(run: string, target: StoredRunTarget): void {
    this.#known.set(run, target);
    this.#settleWaiters(run, (waiter) => waiter.resolve(target.id!));
  }

  /** The create was refused (dropped) or cannot go out for now (credentials refused). */
  createFailed(run: string, error: PolyaxonError, rejected?: StoredRunTarget): void {
    if (rejected) this.#known.set(run, rejected);
    this.#settleWaiters(run, (waiter) => waiter.reject(error));
  }

  /**
   * Resolves with the server id once the create is acked (at once when known). Rejects with a
   * PolyaxonError when the server refuses the create, or refuses the credentials while it is
   * pending (the record stays queued; a later call waits again).
   */
  whenCreated(run: string): Promise<number> {
    const known = this.#known.get(run);
    if (known?.id !== undefined) return Promise.resolve(known.id);
    if (known?.rejected !== undefined) {
      return Promise.reject(new PolyaxonError('bad_request', 400, 'POST', 'experiments/', known.rejected));
    }
    return new Promise<number>((resolve, reject) => {
      const list = this.#waiters.get(run) ?? [];
      list.push({ resolve, reject });
      this.#waiters.set(run, list);
      this.#watchStore(run);
    });
  }

  /**
   * Another tab or process sharing the queue may send this run's create and ack it: the store's
   * meta is then the only news of it. Looks there now and every second while someone waits.
   */
  #watchStore(run: string): void {
    if (!this.#waiters.has(run)) return;
    this.get(run).then(
      (target) => {
        if (target?.id !== undefined) this.#settleWaiters(run, (waiter) => waiter.resolve(target.id!));
        else {
          const timer = setTimeout(() => this.#watchStore(run), STORE_WATCH_INTERVAL_MS);
          this.unrefTimer(timer);
        }
      },
      () => {},
    );
  }

  #settleWaiters(run: string, settle: (waiter: CreateWaiter) => void): void {
    const list = this.#waiters.get(run);
    if (!list) return;
    this.#waiters.delete(run);
    for (const waiter of list) settle(waiter);
  }
}
