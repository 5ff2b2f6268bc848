import type { PolyaxonClient } from '../client/client';
import { credentialsKey } from '../runtime/credentials';
import { logger } from '../runtime/logger';
import { Outbox } from '../outbox/outbox';
import { DEFAULT_CAPS } from '../outbox/options';
import { queueName } from '../outbox/queue-name';
import type { Environment } from '../runtime/environment';
import type { OutboxSettings } from './options';
import type { ProjectRef } from './project-ref';

/** What the lifecycle needs of a live experiment. */
export interface LiveRun {
  readonly run: string;
  readonly projectRef: ProjectRef | undefined;
  /** The name given to `create()`, if any. */
  readonly createdName: string | undefined;
  readonly isRunning: boolean;
  end(status: 'stopped', message?: string): void;
  endAtExit(): void;
  endAtCrash(error: unknown): void;
  endAtPageClose(): void;
}

/** At normal exit the process waits this long for the queue before leaving the rest to the next run. */
const EXIT_FLUSH_TIMEOUT_MS = 10_000;

const outboxes = new Map<string, Outbox>();
const live = new Set<LiveRun>();
let uninstallLifecycle: (() => void) | undefined;

/**
 * One outbox per server and credentials, shared by every experiment that talks to it, so a
 * process or page has one queue and one sender per server.
 */
export function outboxFor(client: PolyaxonClient, settings: OutboxSettings = {}, environment: Environment): Outbox {
  const key = credentialsKey(client.settings);
  let outbox = outboxes.get(key);
  if (!outbox) {
    const caps = { maxRecords: settings.maxRecords ?? DEFAULT_CAPS.maxRecords, maxBytes: settings.maxBytes ?? DEFAULT_CAPS.maxBytes };
    const store = settings.store ?? environment.openStore({ name: queueName(client.settings.baseUrl), caps, directory: settings.directory });
    const { maxRecords: _records, maxBytes: _bytes, directory: _directory, store: _store, ...delivery } = settings;
    outbox = new Outbox({ ...delivery, store, caps, settings: () => client.settings, startOffline: client.settings.isOffline, runtime: environment });
    outboxes.set(key, outbox);
  }
  installLifecycle(environment);
  return outbox;
}

/**
 * Registers a live run. With `endPrevious` (a re-run notebook cell), a still-running earlier run
 * of this page or process with the same project and the same `create()` name is stopped first, as
 * a fresh run of that cell means the old one is over. Another cell's run (another name, or no
 * name at all) is never touched: it may still be training.
 */
export function track(run: LiveRun, endPrevious: boolean): void {
  if (endPrevious && run.createdName !== undefined) {
    for (const other of live) {
      if (other !== run && other.isRunning && other.createdName === run.createdName && sameProject(other.projectRef, run.projectRef)) {
        other.end('stopped', 'superseded by a new run');
        live.delete(other);
      }
    }
  }
  live.add(run);
}

export function untrack(run: LiveRun): void {
  live.delete(run);
}

function sameProject(a: ProjectRef | undefined, b: ProjectRef | undefined): boolean {
  return !!a && !!b && a.project === b.project && (a.user ?? '') === (b.user ?? '');
}

function installLifecycle(environment: Environment): void {
  if (uninstallLifecycle) return;
  uninstallLifecycle = environment.onLifecycle({
    async onExit() {
      for (const run of live) run.endAtExit();
      const results = await Promise.all([...outboxes.values()].map((outbox) => outbox.close({ timeoutMs: EXIT_FLUSH_TIMEOUT_MS, holdProcess: false })));
      if (results.includes(false)) {
        logger.warnOnce('exit-pending', 'some records were not delivered before exit; the next run or `polyaxon-tracking sync` delivers them');
      }
    },
    onCrash(error) {
      for (const run of live) run.endAtCrash(error);
      // The process dies right after this returns: only synchronous writes survive.
      for (const outbox of outboxes.values()) outbox.persistSync();
    },
    onHide() {
      for (const outbox of outboxes.values()) void outbox.persistThenSendOnHide();
    },
    onClose() {
      for (const run of live) run.endAtPageClose();
      // In this call stack: the closing page runs no further tasks (src/browser/page-close/exit-send.ts).
      for (const outbox of outboxes.values()) outbox.sendOnClose();
    },
    onOnline(online) {
      for (const outbox of outboxes.values()) outbox.setOnline(online);
    },
  });
}
