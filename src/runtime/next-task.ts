/**
 * Resolves in a task of its own: after every microtask already queued and whatever they start
 * synchronously (a request written to its socket) have run. A MessageChannel message, as
 * schedulers do it: no timer clamping in browsers, and fake timers in tests do not hold it.
 */
export function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    const { port1, port2 } = new MessageChannel();
    port1.onmessage = () => {
      port1.close();
      resolve();
    };
    port2.postMessage(undefined);
  });
}
