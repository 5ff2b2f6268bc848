import type { CloseSenderFactory } from './close-sender';
import type { Transport } from './transport';

/** What the outbox asks of its runtime; an `Environment` (src/runtime/environment.ts) has all of it. */
export interface OutboxRuntime {
  /** Keeps a timer from holding the process open (Node `unref`). */
  unrefTimer(timer: unknown): void;
  /** Whether the network is up as the outbox starts (browsers); absent: online. */
  isOnline?(): boolean;
  /** Makes the outbox's close-time sender (browsers); absent: nothing is sent as a page goes away. */
  closeSender?: CloseSenderFactory;
  /** Sends the outbox's requests unless the outbox is given its own transport; absent: `fetchTransport`. */
  transport?: Transport;
}
