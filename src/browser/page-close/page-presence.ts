/** This page among the pages and Workers sending from one queue (F12). */
export interface PagePresence {
  /** Whether another page or Worker may be sending from the queue now. */
  othersAlive(): boolean;
  /** Tells the others this page sends no more (at `pagehide`, in its call stack). */
  leave(): void;
}

const HELLO = 0;
const HERE = 1;
const BYE = 2;

/** A message is `[kind, sender]`, the sender a random number per outbox. */
type ChannelLike = { postMessage(message: [number, number]): void; close(): void; onmessage: ((event: { data: [number, number] }) => void) | null };

/**
 * Presence on a queue over a BroadcastChannel named after `topic`:
 * pages and dedicated Workers of the origin that send from one IndexedDB queue (F12) greet each
 * other. A page says hello when its outbox starts, every live one answers (so the newcomer learns
 * of the old ones), and a closing page says bye, which wakes the others' senders: what the closing
 * page leaves in the queue is theirs to send now.
 *
 * Why this is enough to keep a close send off another page's records: another page can take this
 * page's records only with a claim, and its claim comes after its hello (its store opens first),
 * or, for records written after it started, after this page's own hello, which it answers. A page
 * that dies without a bye (a crashed renderer, a Worker ended with its page) stays counted: the
 * close send is then only smaller, and what it leaves goes with the next load.
 *
 * Without BroadcastChannel (Safari before 15.4, some WebViews) nothing can be known: another page
 * may share the queue, so `othersAlive` is always true.
 */
export function pagePresence(topic: string, onLeave: () => void): PagePresence {
  const Channel = (globalThis as { BroadcastChannel?: new (name: string) => ChannelLike }).BroadcastChannel;
  if (!Channel) return { othersAlive: () => true, leave() {} };
  const self = Math.random();
  const others = new Set<number>();
  const channel = new Channel(`polyaxon-tracking ${topic}`);
  channel.onmessage = ({ data: [kind, from] }) => {
    if (kind === BYE) {
      others.delete(from);
      onLeave();
    } else {
      others.add(from);
      if (kind === HELLO) channel.postMessage([HERE, self]);
    }
  };
  channel.postMessage([HELLO, self]);
  return {
    othersAlive: () => others.size > 0,
    // Once, at `pagehide` (Outbox.sendOnClose): a closed channel posts nothing more.
    leave() {
      channel.postMessage([BYE, self]);
      channel.close();
    },
  };
}
