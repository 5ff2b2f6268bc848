import type { PolyaxonClient } from '../client/client';
import { credentialsKey } from '../runtime/credentials';
import { ValidationError } from '../runtime/errors';
import { Outbox } from '../outbox/outbox';
import { DEFAULT_CAPS } from '../outbox/options';
import { queueName } from '../outbox/queue-name';
import type { Environment, ExitQueue, ProcessEnd } from '../runtime/environment';
import { withTimeout } from '../runtime/timeout';
import { DEFAULT_EXIT_FLUSH_TIMEOUT_MS, type OutboxSettings } from './options';
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
  endAtProcessEnd(end: ProcessEnd): void;
  endAtPageClose(): void;
}

/** An outbox as the process ends (Node hands what it holds over), and how long the exit flush waits for it. */
interface ExitPlan extends ExitQueue {
  flushTimeoutMs: number;
}

const outboxes = new Map<string, Outbox>();
const exitPlans = new Map<Outbox, ExitPlan>();
const live = new Set<LiveRun>();
let installed: { environment: Environment; uninstall: () => void } | undefined;
let disarmSignals: (() => void) | undefined;
/** The process is ending: the normal way (`beforeExit`), by a crash, and whether the queues were handed over. */
const ending = { normally: false, crashed: false, handedOver: false };

/**
 * One outbox per server and credentials, shared by every experiment that talks to it, so a
 * process or page has one queue and one sender per server.
 */
export function outboxFor(client: PolyaxonClient, settings: OutboxSettings = {}, environment: Environment): Outbox {
  const key = credentialsKey(client.settings);
  let outbox = outboxes.get(key);
  if (!outbox) {
    const flushTimeoutMs = settings.exitFlushTimeoutMs ?? DEFAULT_EXIT_FLUSH_TIMEOUT_MS;
    if (!(typeof flushTimeoutMs === 'number' && flushTimeoutMs >= 0 && flushTimeoutMs < Infinity)) throw new ValidationError('outbox.exitFlushTimeoutMs', 'must be zero or a positive number');
    if (![undefined, true, false].includes(settings.sendAfterExit)) throw new ValidationError('outbox.sendAfterExit', 'must be true or false');
    const caps = { maxRecords: settings.maxRecords ?? DEFAULT_CAPS.maxRecords, maxBytes: settings.maxBytes ?? DEFAULT_CAPS.maxBytes };
    const store = settings.store ?? environment.openStore({ name: queueName(client.settings.baseUrl), caps, directory: settings.directory });
    const { maxRecords: _records, maxBytes: _bytes, directory: _directory, store: _store, exitFlushTimeoutMs: _exit, sendAfterExit: _send, ...delivery } = settings;
    const transport = delivery.transport ?? environment.outboxTransport;
    outbox = new Outbox({ ...delivery, transport, store, caps, settings: () => client.settings, startOffline: client.settings.isOffline, runtime: environment });
    outboxes.set(key, outbox);
    exitPlans.set(outbox, { outbox, settings: () => client.settings, options: settings, flushTimeoutMs });
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
  // Signals are listened to only while a run is open (src/node/signals.ts says why).
  disarmSignals ??= installed?.environment.armSignals?.(endProcess);
}

export function untrack(run: LiveRun): void {
  live.delete(run);
  if (live.size === 0) {
    disarmSignals?.();
    disarmSignals = undefined;
  }
}

function sameProject(a: ProjectRef | undefined, b: ProjectRef | undefined): boolean {
  return !!a && !!b && a.project === b.project && (a.user ?? '') === (b.user ?? '');
}

/**
 * Of `exitFlushTimeoutMs`, what the flush may use: the rest is kept for what follows a flush that
 * gave up (the stderr line, starting the detached sender, Node's own exit), so the whole exit stays
 * within the bound the option names (F31).
 */
const EXIT_HANDOVER_RESERVE_MS = 300;

function flushBudgetMs(plan: ExitPlan): number {
  return plan.flushTimeoutMs - Math.min(EXIT_HANDOVER_RESERVE_MS, plan.flushTimeoutMs / 4);
}

function installLifecycle(environment: Environment): void {
  if (installed) return;
  const uninstall = environment.onLifecycle({
    async onExit() {
      ending.normally = true;
      for (const run of live) run.endAtExit();
      const results = await Promise.all(
        [...exitPlans].map(([outbox, plan]) =>
          // The flush holds the process (the transport's sockets do not) for at most the bound;
          // close() may spend a little longer closing the store, but the bound is the plan's, whole.
          withTimeout(outbox.close({ timeoutMs: flushBudgetMs(plan), holdProcess: true }), flushBudgetMs(plan), false, (timer) => environment.unrefTimer(timer)),
        ),
      );
      if (!results.includes(false)) return 'settled';
      handOver(environment, true);
      return 'queued';
    },
    onCrash(error) {
      ending.crashed = true;
      for (const run of live) run.endAtCrash(error);
      // The process dies right after this returns: only synchronous writes survive.
      for (const outbox of outboxes.values()) outbox.persistSync();
    },
    onProcessEnd: endProcess,
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
  installed = { environment, uninstall };
}

/**
 * The last synchronous moment (process.exit, after a crash or a normal end, or a signal): runs
 * still open end by the exit code or the signal, every queue is written now, and what is left is
 * handed over. Only a normal end says so on stderr: after a crash Node's own output stays as it is.
 */
function endProcess(end: ProcessEnd): void {
  if (ending.handedOver || !installed) return;
  for (const run of live) run.endAtProcessEnd(end);
  handOver(installed.environment, ending.normally && !ending.crashed);
}

/** Hands every queue to the environment (Node: what is left goes to the detached sender), once. */
function handOver(environment: Environment, tell: boolean): void {
  if (ending.handedOver) return;
  ending.handedOver = true;
  environment.handOffAtExit?.([...exitPlans.values()], tell);
}
