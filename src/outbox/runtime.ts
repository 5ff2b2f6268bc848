import type { CloseSenderFactory } from './close-sender';

/** What the outbox asks of its runtime; an `Environment` (src/runtime/environment.ts) has all of it. */
export interface OutboxRuntime {
  /** Keeps a timer from holding the process open (Node `unref`). */
  unrefTimer(timer: unknown): void;
  /** Whether the network is up as the outbox starts (browsers); absent: online. */
  isOnline?(): boolean;
  /** Makes the outbox's close-time sender (browsers); absent: nothing is sent as a page goes away. */
  closeSender?: CloseSenderFactory;
}
