// A dedicated classic Worker: the script-tag build loads with importScripts (no window, no document).
importScripts('/dist/polyaxon-tracking.iife.min.js');

const api = self.PolyaxonTracking;
self.postMessage({
  exports: Object.keys(api).sort(),
  clientType: typeof api.PolyaxonClient,
  experimentType: typeof api.Experiment,
  hasWindow: typeof window !== 'undefined',
  hasDocument: typeof document !== 'undefined',
});
