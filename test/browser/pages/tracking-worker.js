// A dedicated classic Worker that tracks one short run: settings arrive by postMessage and are
// injected the way a page would inject them (self.POLYAXON_ENV, self.POLYAXON_CODE_REF).
importScripts('/dist/polyaxon-tracking.iife.min.js');

self.onmessage = async (event) => {
  const { env, codeRef, project, name } = event.data;
  self.POLYAXON_ENV = env;
  if (codeRef) self.POLYAXON_CODE_REF = codeRef;
  try {
    const { Experiment } = self.PolyaxonTracking;
    const experiment = new Experiment({ project, trackLogs: true });
    await experiment.create({ name });
    console.log('hello from the worker');
    experiment.logMetrics({ step: 1, loss: 0.25 });
    experiment.succeeded();
    const closed = await experiment.close({ timeoutMs: 10_000 });
    self.postMessage({ id: experiment.id, closed });
  } catch (error) {
    self.postMessage({ error: String(error && error.stack ? error.stack : error) });
  }
};
