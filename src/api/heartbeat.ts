import type { Environment } from '../runtime/environment';

/**
 * A running experiment's heartbeat: a Polyaxon server fails a running experiment after 30 minutes
 * without one. One timer, unref'd (a heartbeat never keeps a process alive), started once the run
 * has a server id and stopped when it ends, closes or is refused.
 */
export class Heartbeat {
  #timer: ReturnType<typeof setInterval> | undefined;
  readonly #environment: Pick<Environment, 'unrefTimer'>;
  readonly #intervalMs: number;

  constructor(environment: Pick<Environment, 'unrefTimer'>, intervalMs: number) {
    this.#environment = environment;
    this.#intervalMs = intervalMs;
  }

  /** Calls `beat` every interval from now on; nothing when already beating. */
  start(beat: () => void): void {
    if (this.#timer) return;
    this.#timer = setInterval(beat, this.#intervalMs);
    this.#environment.unrefTimer(this.#timer);
  }

  get beating(): boolean {
    return this.#timer !== undefined;
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
