/**
 * Runs a JournalRewrite on the event loop a slice at a time, so compacting a long queue never holds
 * the thread that logs and sends for long: a journal drained of a million points was rewritten in
 * one piece of 2-3 s (its live half made into lines) before.
 *
 * A longer one goes on in later turns of the event loop; once only the tail is left it is flushed
 * off the thread, and the last step (rest of the tail, flush, rename) runs on a later turn. So does
 * one that fits in its first slice (a short queue) under `'interval'`: a flush on the thread waits
 * for the disk, 100 ms and more while it is busy. Under the other policies a rewrite that fits in
 * its first slice finishes inside it, as one piece.
 */
import type { JournalRewrite } from './rewrite';

export interface SliceOptions {
  /** Work per slice (ms). */
  compactSliceMs: number;
  /** Keeps the timer of the next slice from holding the process open. */
  unrefTimer: (timer: unknown) => void;
}

export class SlicedRewrite {
  readonly #rewrite: JournalRewrite;
  readonly #options: SliceOptions;
  readonly #done: (error?: unknown) => void;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #over = false;

  /**
   * `done` hears once of the end: with nothing once the new file is in place, with the error when a
   * step failed (the old file is kept). Not after `abort`.
   */
  constructor(rewrite: JournalRewrite, options: SliceOptions, done: (error?: unknown) => void) {
    this.#rewrite = rewrite;
    this.#options = options;
    this.#done = done;
  }

  /** Runs the first slice now. */
  start(): void {
    this.#slice(true);
  }

  /** Stops the rewrite where it is; the old file stays as it is. */
  abort(): void {
    if (this.#over) return;
    this.#over = true;
    clearTimeout(this.#timer);
    this.#rewrite.abort();
  }

  #slice(first: boolean): void {
    if (this.#over) return;
    let ready: boolean;
    try {
      ready = this.#rewrite.step(this.#options.compactSliceMs);
    } catch (error) {
      this.#fail(error);
      return;
    }
    if (!ready) {
      this.#timer = setTimeout(() => this.#slice(false), 0);
      this.#options.unrefTimer(this.#timer);
    } else if (first && !this.#rewrite.flushesInBackground) {
      this.#finish(false);
    } else {
      this.#rewrite.syncInBackground().then(
        () => this.#finish(true),
        (error: unknown) => this.#fail(error),
      );
    }
  }

  #finish(syncedInBackground: boolean): void {
    if (this.#over) return;
    try {
      this.#rewrite.finish(syncedInBackground);
    } catch (error) {
      this.#fail(error);
      return;
    }
    this.#over = true;
    this.#done();
  }

  #fail(error: unknown): void {
    if (this.#over) return;
    this.#over = true;
    this.#rewrite.abort();
    this.#done(error);
  }
}
