// A timeline of the page's IndexedDB transactions and fetches, for the benches' "where does the
// time go" reports. Loaded before the library, so the library's fetch and transactions go through
// these wrappers; they only record while `benchTimeline.start()` is on (one performance.now() and
// one listener per transaction or request). Each transaction is labelled by the operations made
// in it (put, delete, get, cursor, count), e.g. a claim is `cursor+put`, an ack `delete`.
(function () {
  let recording = false;
  let startedAt = 0;
  let entries = [];
  const operations = new WeakMap();

  const originalTransaction = IDBDatabase.prototype.transaction;
  IDBDatabase.prototype.transaction = function (storeNames, mode, options) {
    const transaction = originalTransaction.call(this, storeNames, mode, options);
    if (!recording) return transaction;
    const entry = { kind: 'idb', mode: mode || 'readonly', start: performance.now(), end: undefined, operations: new Set() };
    operations.set(transaction, entry.operations);
    const finish = () => {
      entry.end = performance.now();
      entries.push(entry);
    };
    transaction.addEventListener('complete', finish);
    transaction.addEventListener('abort', finish);
    return transaction;
  };

  const tagged = (method, label) => {
    const original = IDBObjectStore.prototype[method];
    IDBObjectStore.prototype[method] = function (...args) {
      operations.get(this.transaction)?.add(label);
      return original.apply(this, args);
    };
  };
  tagged('put', 'put');
  tagged('add', 'put');
  tagged('delete', 'delete');
  tagged('get', 'get');
  tagged('getAll', 'get');
  tagged('openCursor', 'cursor');
  tagged('count', 'count');

  const originalFetch = globalThis.fetch;
  globalThis.fetch = function (input, init) {
    if (!recording) return originalFetch.call(this, input, init);
    const entry = { kind: 'fetch', mode: (init && init.method) || 'GET', start: performance.now(), end: undefined };
    const finish = () => {
      entry.end = performance.now();
      entries.push(entry);
    };
    const pending = originalFetch.call(this, input, init);
    pending.then(finish, finish);
    return pending;
  };

  /** Milliseconds covered by at least one of `intervals` ([start, end]). */
  function union(intervals) {
    const sorted = intervals.map((entry) => [entry.start, entry.end]).sort((a, b) => a[0] - b[0]);
    let covered = 0;
    let [from, to] = [Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY];
    for (const [start, end] of sorted) {
      if (start > to) {
        if (to > from) covered += to - from;
        [from, to] = [start, end];
      } else if (end > to) {
        to = end;
      }
    }
    if (to > from) covered += to - from;
    return covered;
  }

  const median = (values) => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted.length ? sorted[Math.floor(sorted.length / 2)] : 0;
  };

  window.benchTimeline = {
    start() {
      entries = [];
      startedAt = performance.now();
      recording = true;
    },

    /**
     * Stops recording; resolves with the wall time and, per kind of transaction or request, its
     * count, summed and median duration, and the time covered by at least one of them; plus the
     * time covered by any IndexedDB transaction, by any fetch, and by neither.
     */
    stop() {
      recording = false;
      const wallMs = performance.now() - startedAt;
      const groups = new Map();
      for (const entry of entries) {
        const label = entry.kind === 'idb' ? `IndexedDB ${entry.mode} ${[...entry.operations].sort().join('+') || '(no operation)'}` : `fetch ${entry.mode}`;
        if (!groups.has(label)) groups.set(label, []);
        groups.get(label).push(entry);
      }
      const kinds = [...groups].map(([label, list]) => ({
        label,
        count: list.length,
        sumMs: list.reduce((sum, entry) => sum + entry.end - entry.start, 0),
        medianMs: median(list.map((entry) => entry.end - entry.start)),
        coveredMs: union(list),
      }));
      kinds.sort((a, b) => b.coveredMs - a.coveredMs);
      const idb = entries.filter((entry) => entry.kind === 'idb');
      const fetches = entries.filter((entry) => entry.kind === 'fetch');
      return { wallMs, kinds, idbCoveredMs: union(idb), fetchCoveredMs: union(fetches), eitherCoveredMs: union(entries) };
    },
  };
})();
