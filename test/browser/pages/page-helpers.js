// Helpers pages share with the Playwright specs (functions given to page.evaluate cannot import).

/**
 * Starts a dedicated classic Worker, optionally posts it one message, and resolves with its first
 * reply; rejects on a worker error or after `timeoutMs`. The worker is terminated either way.
 */
window.runWorker = function runWorker(url, message, timeoutMs = 20000) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(url);
    const finish = (settle, value) => {
      clearTimeout(timer);
      worker.terminate();
      settle(value);
    };
    const timer = setTimeout(() => finish(reject, new Error(`${url} did not answer within ${timeoutMs} ms`)), timeoutMs);
    worker.onmessage = (event) => finish(resolve, event.data);
    worker.onerror = (event) => finish(reject, new Error(`${url}: ${event.message}`));
    if (message !== undefined) worker.postMessage(message);
  });
};
