import type { PagePresence } from '../core/environment';

const HELLO = 0;
const HERE = 1;
const BYE = 2;

type ChannelLike = { postMessage(message: unknown): void; close(): void; onmessage: ((event: { data: unknown }) => void) | null };

/**
 * Presence on a queue (Environment.pagePresence) over a BroadcastChannel named after `topic`:
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
export function pagePresence(
  topic: string,
  onLeave: () => void,
  scope: { BroadcastChannel?: new (name: string) => ChannelLike } = globalThis as never,
): PagePresence {
  const Channel = scope.BroadcastChannel;
  if (typeof Channel !== 'function') return { othersAlive: () => true, leave() {} };
  const self = Math.random();
  const others = new Set<unknown>();
  let channel: ChannelLike | undefined = new Channel(`polyaxon-tracking ${topic}`);
  const post = (kind: number) => channel?.postMessage([kind, self]);
  channel.onmessage = ({ data }) => {
    const [kind, from] = data as [number, unknown];
    if (kind === BYE) {
      others.delete(from);
      onLeave();
    } else others.add(from);
    if (kind === HELLO) post(HERE);
  };
  post(HELLO);
  return {
    othersAlive: () => others.size > 0,
    leave() {
      post(BYE);
      channel?.close();
      channel = undefined;
    },
  };
}
