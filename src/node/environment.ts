import { readFileSync } from 'node:fs';
import type { Environment, OpenStoreOptions } from '../runtime/environment';
import { logger } from '../runtime/logger';
import { MemoryStore } from '../outbox/memory-store';
import type { OutboxStore } from '../outbox/store';
import { captureConsole } from './console';
import { readCodeRef } from './git';
import { openJournalStore } from './journal-store';
import { handOffAtExit } from './exit-sender';
import { nodeTransport } from './http-transport';
import { installProcessLifecycle } from './lifecycle';
import { collectRunEnv } from './run-env';
import { armSignals } from './signals';
import { writeFiles } from './write-files';

/**
 * The Node runtime adapter: process.env, the git CLI, process lifecycle (exit, crash, signals, the
 * hand-over of what is left to a detached sender), console capture.
 */
export function nodeEnvironment(): Environment {
  return {
    kind: 'node',
    getEnv: (name) => process.env[name],
    readTextFile,
    setEnv: (name, value) => {
      process.env[name] = value;
    },
    openStore,
    runEnv: () => collectRunEnv(),
    codeRef: () => readCodeRef(),
    // Browser-only hooks (onHide, onClose, onOnline) have no Node event to attach to.
    onLifecycle: (hooks) => installProcessLifecycle(hooks),
    armSignals,
    handOffAtExit,
    captureConsole,
    writeFiles,
    unrefTimer,
    outboxTransport: nodeTransport(),
  };
}

/** Synchronous, for the in-cluster token file read while settings resolve; undefined on any error. */
function readTextFile(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Node timers (Timeout objects) have `unref`; anything else passes through untouched. */
function unrefTimer(timer: unknown): void {
  if (timer === null || typeof timer !== 'object') return;
  const unref = (timer as { unref?: unknown }).unref;
  if (typeof unref === 'function') unref.call(timer);
}

/**
 * The file journal (F18, F19: records survive a crash and are delivered by the next run). It
 * falls back to memory with one warning itself; the catch covers a failure before it gets there.
 */
async function openStore(options: OpenStoreOptions): Promise<OutboxStore> {
  try {
    return await openJournalStore({ ...options, getEnv: (name) => process.env[name], unrefTimer });
  } catch (error) {
    logger.warnOnce('journal-unavailable', 'cannot open the outbox journal; records are kept in memory only', error);
    return new MemoryStore();
  }
}
