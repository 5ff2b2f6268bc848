import { backoffDelayMs } from './backoff';
import type { ResolvedOutboxOptions } from './options';
import type { OutboxRuntime } from './runtime';
import type { CredentialsRefusal } from './policy';
import { credentialsOf, sameCredentials, type CredentialSettings } from '../runtime/credentials';

/**
 * Longest wait after a refused connection (nothing listens on the port: a local server being
 * restarted, a laptop's server not started yet). Nothing reached a server, so trying again costs
 * none, and the queue leaves within a second of the server coming up instead of after a backoff
 * grown during the outage.
 */
export const REFUSED_MAX_BACKOFF_MS = 1_000;

/** Why the outbox sends nothing: paused by the app, offline, or its credentials refused (F07). */
export type PauseReason = 'manual' | 'offline' | CredentialsRefusal;


/**
 * Whether the outbox may send now. Closed while paused (by the caller, offline, or for refused
 * credentials) and while backing off: during a backoff or a `Retry-After` nothing at all goes to
 * the server (F03), appends are still taken. Calls `reopened` when it opens by itself (a backoff
 * ended, a new token appeared).
 */
export class SendGate {
  #manualPause = false;
  #offline: boolean;
  #authPause: { reason: CredentialsRefusal; credentials: CredentialSettings } | undefined;
  #backoffTimer: ReturnType<typeof setTimeout> | undefined;
  #watchTimer: ReturnType<typeof setTimeout> | undefined;
  #retryAtMs: number | undefined;
  #failures = 0;
  #stopped = false;

  constructor(
    private readonly options: ResolvedOutboxOptions,
    private readonly reopened: () => void,
  ) {
    // A page that opens offline waits for the `online` event (setOnline) rather than failing and backing off.
    this.#offline = options.startOffline || options.runtime.isOnline?.() === false;
  }

  get isClosed(): boolean {
    if (this.#stopped || this.#manualPause || this.#offline || this.#backoffTimer) return true;
    if (!this.#authPause) return false;
    // Settings are read at send time: a new token (or scheme, or headers) lifts the pause.
    if (sameCredentials(this.options.settings(), this.#authPause.credentials)) return true;
    this.#authPause = undefined;
    this.#clearWatch();
    return false;
  }

  get pausedReason(): PauseReason | undefined {
    if (this.#authPause) return this.#authPause.reason;
    if (this.#offline) return 'offline';
    return this.#manualPause ? 'manual' : undefined;
  }

  /** When the current backoff ends (clock time), if one is running. */
  get retryAt(): number | undefined {
    return this.#retryAtMs;
  }

  pause(): void {
    this.#manualPause = true;
  }

  /** Ends a manual pause and a pause for refused credentials (F07). */
  resume(): void {
    this.#manualPause = false;
    this.#authPause = undefined;
    this.#clearWatch();
  }

  setOnline(online: boolean): void {
    this.#offline = !online;
    // The browser says the network is back: a wait caused by the outage is moot.
    if (online && this.#failures > 0) this.#endBackoff();
  }

  /** Closes until the credentials change or `resume()`; false when already paused for them. */
  pauseForCredentials(reason: CredentialsRefusal): boolean {
    if (this.#authPause) return false;
    this.#authPause = { reason, credentials: credentialsOf(this.options.settings()) };
    this.#watchCredentials();
    return true;
  }

  /** Closes for a retry's `Retry-After`, else for a backoff: a short one after a refused connection. */
  backOffFor(outcome: { afterMs?: number; status?: number; reason: string; message: string }): void {
    this.backOff(outcome.afterMs, nobodyListening(outcome) ? REFUSED_MAX_BACKOFF_MS : undefined);
  }

  /**
   * Closes for `afterMs` (the server's `Retry-After`), else for a jittered, growing backoff that
   * `capMs`, when given, bounds below `maxBackoffMs`.
   */
  backOff(afterMs?: number, capMs?: number): void {
    this.#failures++;
    const maxMs = Math.min(this.options.maxBackoffMs, capMs ?? Infinity);
    const delayMs = afterMs ?? backoffDelayMs(this.#failures, { baseMs: Math.min(this.options.baseBackoffMs, maxMs), maxMs, random: this.options.random });
    this.#endBackoff();
    this.#retryAtMs = this.options.clock.now() + delayMs;
    this.#backoffTimer = unrefTimeout(this.options.runtime, delayMs, () => {
      this.#backoffTimer = undefined;
      this.#retryAtMs = undefined;
      this.reopened();
    });
  }

  /** The server answered: the backoff streak ends. */
  answered(): void {
    this.#failures = 0;
  }

  stop(): void {
    this.#stopped = true;
    this.#endBackoff();
    this.#clearWatch();
  }

  #watchCredentials(): void {
    this.#clearWatch();
    this.#watchTimer = unrefTimeout(this.options.runtime, Math.max(this.options.flushIntervalMs, 1_000), () => {
      this.#watchTimer = undefined;
      if (!this.#authPause) return;
      if (this.isClosed && this.#authPause) this.#watchCredentials();
      else this.reopened();
    });
  }

  #endBackoff(): void {
    if (this.#backoffTimer) clearTimeout(this.#backoffTimer);
    this.#backoffTimer = undefined;
    this.#retryAtMs = undefined;
  }

  #clearWatch(): void {
    if (this.#watchTimer) clearTimeout(this.#watchTimer);
    this.#watchTimer = undefined;
  }
}

/** `setTimeout` that never holds the process open. */
export function unrefTimeout(runtime: Pick<OutboxRuntime, 'unrefTimer'>, delayMs: number, run: () => void): ReturnType<typeof setTimeout> {
  const handle = setTimeout(run, delayMs);
  runtime.unrefTimer(handle);
  return handle;
}

/** A refused connection: no process listens there, so no server is spared by waiting long. */
function nobodyListening(outcome: { status?: number; reason: string; message: string }): boolean {
  return outcome.status === undefined && outcome.reason === 'network' && /\bECONNREFUSED\b/.test(outcome.message);
}
