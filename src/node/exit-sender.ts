/**
 * The hand-over at the end of a Node process (DESIGN.md "Lifecycle", F28-F31): what the process
 * could not send is already in its journal; a detached, short-lived Node process
 * (src/cli/exit-sender-main.ts, built to dist/exit-sender.mjs) waits for this one to be gone,
 * adopts the journal as any later process would, delivers it, and exits, at most
 * `EXIT_SENDER_BUDGET_MS` after it started. The W&B SDK hands its data to a process that outlives
 * the user's in the same spirit. Nobody waits for it: it is unref'd, its stdio ignored, and it
 * runs in its own process group, so the Ctrl-C that ended this process does not reach it.
 *
 * The token is never written to a file or an argument list (F40): the job travels in the child's
 * environment, which only its user (and root) can read.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ExitQueue } from '../runtime/environment';
import { logger } from '../runtime/logger';
import type { ClientSettings } from '../runtime/settings';
import { queueName } from '../outbox/queue-name';
import { outboxRoot, queueDirectory } from './journal-store';

/** The sender gives up this long after it started, whatever is left (a later run or `sync` sends it). */
export const EXIT_SENDER_BUDGET_MS = 60_000;
/** The job (JSON, no token) and the token, in the sender's environment only. */
export const EXIT_JOB_VARIABLE = 'POLYAXON_TRACKING_EXIT_JOB';
export const EXIT_TOKEN_VARIABLE = 'POLYAXON_TRACKING_EXIT_TOKEN';

/** What the sender is told: whose end to wait for, which queue, which server. */
export interface ExitSendJob {
  /** The process that handed the queue over; its journal is adoptable once it is gone. */
  pid: number;
  root: string;
  queue: string;
  settings: Omit<ClientSettings, 'token'>;
  /** Clock time (ms) by which the sender exits. */
  deadline: number;
}

/** A queue that still holds records as the process ends, in a journal a sender can take over. */
interface Handoff {
  queue: string;
  directory: string | undefined;
  settings: ClientSettings;
  pending: number;
}

/**
 * Writes every queue now, starts a sender for each that still holds records in its journal (unless
 * its `sendAfterExit` is false) and, with `tell`, says on stderr in one line what waits and which
 * command sends it. Records in the app's own store, or in memory after the journal failed, are
 * beyond any sender's reach: that is said too.
 */
export function handOffAtExit(queues: ExitQueue[], tell: boolean): void {
  const handoffs: Handoff[] = [];
  let started = 0;
  let elsewhere = 0;
  for (const queue of queues) {
    queue.outbox.persistSync();
    const { pending, storage } = queue.outbox.stats();
    if (pending === 0) continue;
    if (queue.options.store || queue.options.transport || storage !== 'journal') {
      elsewhere += pending;
      continue;
    }
    const settings = queue.settings();
    const handoff = { queue: queueName(settings.baseUrl), directory: queue.options.directory, settings, pending };
    handoffs.push(handoff);
    if (queue.options.sendAfterExit !== false && startExitSender(handoff)) started += 1;
  }
  if (!tell) return;
  if (handoffs.length > 0) {
    const pending = handoffs.reduce((sum, handoff) => sum + handoff.pending, 0);
    const folders = handoffs.map((handoff) => queueDirectory(outboxRoot(handoff.directory), handoff.queue)).join(', ');
    const commands = handoffs.map((handoff) => `\`${syncCommandFor(handoff)}\``).join(' and ');
    const background = started > 0 ? `a background process tries to deliver them for ${EXIT_SENDER_BUDGET_MS / 1000} s; otherwise ` : '';
    logger.warnOnce('exit-pending', `${pending} records wait in the outbox journal (${folders}); ${background}${commands} sends them`);
  }
  if (elsewhere > 0) {
    logger.warnOnce('exit-lost', `${elsewhere} records were not delivered before exit; they are not in the outbox journal, so no later run or \`polyaxon-tracking sync\` can send them`);
  }
}

/** The `sync` command line that delivers `queue` (no token: it reads POLYAXON_TOKEN or --token-file). */
export function syncCommandFor(queue: Pick<Handoff, 'queue' | 'directory' | 'settings'>): string {
  const url = new URL(queue.settings.baseUrl);
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  // `sync` names its queue after host, port and API version; anything else (a path prefix, another
  // version) is reached by going through every queue.
  const named = queueName(`${url.protocol}//${url.hostname}:${port}/api/v1`) === queue.queue;
  const parts = ['polyaxon-tracking sync', ...(named ? [`--host ${url.hostname}`, `--port ${port}`] : ['--all'])];
  if (url.protocol === 'https:') parts.push('--https');
  if (queue.directory !== undefined) parts.push(`--dir ${queue.directory}`);
  return parts.join(' ');
}

/** Spawns the sender for one queue; false when it cannot run here (another runtime, no build). */
export function startExitSender(queue: Handoff): boolean {
  const script = senderScript();
  // Deno and Bun report themselves in process.versions; their executable is not `node`.
  if (!script || process.versions.bun !== undefined || (process.versions as { deno?: string }).deno !== undefined) return false;
  const { token, ...settings } = queue.settings;
  const job: ExitSendJob = { pid: process.pid, root: outboxRoot(queue.directory), queue: queue.queue, settings, deadline: Date.now() + EXIT_SENDER_BUDGET_MS };
  // NODE_OPTIONS may hold an inspector port or a loader meant for the program, not for the sender.
  const { NODE_OPTIONS: _options, ...inherited } = process.env;
  const env: NodeJS.ProcessEnv = { ...inherited, [EXIT_JOB_VARIABLE]: JSON.stringify(job) };
  if (token !== undefined) env[EXIT_TOKEN_VARIABLE] = token;
  try {
    const child = spawn(process.execPath, [script], { detached: true, stdio: 'ignore', env, windowsHide: true });
    child.on('error', (error) => logger.debug('the exit sender did not start', error));
    child.unref();
    return true;
  } catch (error) {
    logger.debug('the exit sender did not start', error);
    return false;
  }
}

/**
 * The built sender: beside this bundle in dist/, or, when the library runs from its sources
 * (tests, `tsx`), the package's dist/ two folders up.
 */
function senderScript(): string | undefined {
  for (const relative of ['./exit-sender.mjs', '../../dist/exit-sender.mjs']) {
    let path: string;
    try {
      path = fileURLToPath(new URL(relative, import.meta.url));
    } catch {
      continue;
    }
    if (existsSync(path)) return path;
  }
  return undefined;
}

/** The job the spawning process left in `env`, or undefined when there is none or it is malformed. */
export function readExitSendJob(env: NodeJS.ProcessEnv): { job: ExitSendJob; token: string | undefined } | undefined {
  const text = env[EXIT_JOB_VARIABLE];
  if (!text) return undefined;
  try {
    const job = JSON.parse(text) as ExitSendJob;
    if (typeof job.pid !== 'number' || typeof job.root !== 'string' || typeof job.queue !== 'string' || typeof job.settings?.baseUrl !== 'string') return undefined;
    return { job, token: env[EXIT_TOKEN_VARIABLE] };
  } catch {
    return undefined;
  }
}
