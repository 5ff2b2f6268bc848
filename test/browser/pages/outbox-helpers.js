// What the fault specs do inside a page, written once (functions given to page.evaluate cannot
// import). Settings come from window.POLYAXON_ENV, which the specs inject before the page loads.
(function () {
  const { Experiment } = window.PolyaxonTracking;
  let experiment;
  let stopLogging;

  window.outboxPage = {
    /**
     * Builds the experiment without creating it: its queue opens and listens to online/offline
     * from then on, as on a page that loaded with the network up.
     */
    prepare({ project, createTimeoutMs, outbox }) {
      experiment = new Experiment({ project, createTimeoutMs, outbox, trackLogs: false });
    },

    /** Creates the run (building it first unless prepared); resolves once create() has. */
    async start({ project, name, createTimeoutMs, outbox }) {
      if (!experiment) this.prepare({ project, createTimeoutMs, outbox });
      const startedAt = performance.now();
      await experiment.create({ name });
      return { id: experiment.id, run: experiment.run, createMs: Math.round(performance.now() - startedAt) };
    },

    /** Logs `count` points `{ step, value }` with steps first..first+count-1, synchronously. */
    log(first, count) {
      for (let step = first; step < first + count; step++) experiment.logMetrics({ step, value: step * 0.5 });
    },

    /**
     * Logs one point every `intervalMs`, steps from `first` on, until `stopLogging()` or the page
     * goes away; at `pagehide` the next step is kept in sessionStorage (it survives a reload of the
     * tab), so the next load can tell how many points were logged.
     */
    logEvery(first, intervalMs) {
      let step = first;
      const timer = setInterval(() => experiment.logMetrics({ step, value: step++ * 0.5 }), intervalMs);
      const remember = () => sessionStorage.setItem('outboxPage.nextStep', String(step));
      addEventListener('pagehide', remember);
      stopLogging = () => {
        clearInterval(timer);
        removeEventListener('pagehide', remember);
        return step;
      };
    },

    /** Stops `logEvery`; resolves with the next step it would have logged. */
    stopLogging() {
      return stopLogging ? stopLogging() : undefined;
    },

    /** The next step `logEvery` would have logged when the previous page of this tab went away. */
    nextStepBeforeUnload() {
      const kept = sessionStorage.getItem('outboxPage.nextStep');
      return kept === null ? undefined : Number(kept);
    },

    stats() {
      return experiment.stats();
    },

    whenCreated() {
      return experiment.whenCreated;
    },

    flush(timeoutMs) {
      return experiment.flush({ timeoutMs });
    },

    /**
     * A later load: opening the queue (any Experiment does) delivers what earlier pages left;
     * resolves with flush's outcome and the stats.
     */
    async resume({ project, timeoutMs, outbox }) {
      experiment = new Experiment({ project, outbox, trackLogs: false });
      const startedAt = performance.now();
      const flushed = await experiment.flush({ timeoutMs });
      return { flushed, ms: Math.round(performance.now() - startedAt), stats: experiment.stats() };
    },
  };
})();
