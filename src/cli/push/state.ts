/**
 * The record of what `push` sent to one target, so that a second push sends only what is new and
 * an interrupted one resumes. One JSON file per target server, by default
 * `~/.polyaxon/push/<target>.json` (beside the outbox under `~/.polyaxon`), mode 0600 in a 0700
 * folder. It holds URLs, names, ids and counts; never a token.
 *
 * Each write goes to a temporary file that is fsynced and renamed over the old one, so a kill at
 * any moment leaves either the old record or the new one. Before a write request is sent its
 * intent is saved (`inFlight`, `creating`), so a push killed while a request was on the wire
 * knows which one to send again, with the same Idempotency-Key.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { queueFolderName } from '../../node/journal/location';

export const STATE_VERSION = 1;

/** A request that was sent (or about to be) when the record was last saved. */
export type InFlight =
  /** Source points (or lines) `[from, from + count)`, sent as one request under `key`. */
  | { kind: 'metrics' | 'logs'; from: number; count: number; key: string }
  /** The source's status number `index`, expected at `targetIndex` in the target's list. */
  | { kind: 'status'; index: number; targetIndex: number; status: string; message: string | null; key: string };

/** One source experiment copied into one target project. */
export interface PushedExperiment {
  source: { baseUrl: string; project: string; id: number };
  target: { project: string; id?: number };
  /** Random per entry and part of every Idempotency-Key: a fresh record never replays an old answer. */
  nonce: string;
  /**
   * From just before the create was sent until its id was recorded: when (this machine's clock)
   * and the hashes of the fields it sent.
   */
  creating?: { at: string; fields: Record<string, string> };
  /** Short hash of each copied field as last sent, to send a field again only when it changed. */
  fields: Record<string, string>;
  /** Hash of the code reference as last sent. */
  codeRef?: string;
  /** How many of the source's metric points, log lines and statuses went (in the source's order). */
  metrics: number;
  logs: number;
  statuses: number;
  /** How many statuses the target holds for the experiment, as far as this push knows. */
  targetStatuses: number;
  inFlight?: InFlight;
}

export interface PushState {
  version: typeof STATE_VERSION;
  /** The target's API base URL. */
  target: string;
  /** By `<source uuid> <target user>/<target project>`. */
  experiments: Record<string, PushedExperiment>;
}

/** `~/.polyaxon/push/<target host_port_api_v1-hash>.json`. */
export function defaultStatePath(targetBaseUrl: string): string {
  return join(homedir(), '.polyaxon', 'push', `${queueFolderName(targetBaseUrl)}.json`);
}

export function entryKey(sourceUuid: string, targetProject: string): string {
  return `${sourceUuid} ${targetProject}`;
}

export function newEntry(source: PushedExperiment['source'], targetProject: string): PushedExperiment {
  return {
    source,
    target: { project: targetProject },
    nonce: randomBytes(8).toString('hex'),
    fields: {},
    metrics: 0,
    logs: 0,
    statuses: 0,
    targetStatuses: 0,
  };
}

export class StateFile {
  readonly path: string;
  readonly state: PushState;
  #lockPath: string | undefined;

  private constructor(path: string, state: PushState) {
    this.path = path;
    this.state = state;
  }

  /**
   * Reads the record (an empty one when there is none) and takes its lock: two pushes to one
   * target at once would each resume from the same point and send the same things.
   */
  static open(path: string, targetBaseUrl: string): StateFile {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const file = new StateFile(path, readState(path, targetBaseUrl));
    file.#lock();
    return file;
  }

  /** Writes the record atomically (temp file, fsync, rename). */
  save(): void {
    const temporary = `${this.path}.${process.pid}.tmp`;
    const fd = openSync(temporary, 'w', 0o600);
    try {
      writeSync(fd, `${JSON.stringify(this.state, null, 1)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, this.path);
  }

  /** Gives the lock back. Idempotent. */
  close(): void {
    if (!this.#lockPath) return;
    try {
      unlinkSync(this.#lockPath);
    } catch {
      // Removed by hand meanwhile: nothing to give back.
    }
    this.#lockPath = undefined;
  }

  #lock(): void {
    const lockPath = `${this.path}.lock`;
    for (let attempt = 0; attempt < 2; attempt += 1) {
      try {
        const fd = openSync(lockPath, 'wx', 0o600);
        writeSync(fd, `${process.pid}\n`);
        closeSync(fd);
        this.#lockPath = lockPath;
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = Number(readFileSync(lockPath, 'utf8').trim());
      if (Number.isSafeInteger(holder) && holder > 0 && isAlive(holder)) {
        throw new Error(`another push to this target is running (process ${holder}); its record is ${this.path}`);
      }
      // Left by a push that was killed: its record is consistent (every write is a rename).
      unlinkSync(lockPath);
    }
    throw new Error(`could not take the lock ${lockPath}`);
  }
}

function readState(path: string, targetBaseUrl: string): PushState {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: STATE_VERSION, target: targetBaseUrl, experiments: {} };
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${path} is not a push record (not JSON); move it away to start over`);
  }
  const state = parsed as Partial<PushState> | null;
  if (!state || state.version !== STATE_VERSION || typeof state.experiments !== 'object' || state.experiments === null) {
    throw new Error(`${path} is not a push record of version ${STATE_VERSION}; move it away to start over`);
  }
  if (state.target !== targetBaseUrl) {
    throw new Error(`${path} records pushes to ${state.target}, not ${targetBaseUrl}; give another --state file`);
  }
  return state as PushState;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
