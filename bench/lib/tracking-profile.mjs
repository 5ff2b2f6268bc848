/**
 * Where a tracked fit's training thread spends its time in the library: a CPU profile of one
 * tracked fit (the V8 sampling profiler), the share of sampled time whose stack holds a frame of
 * the library's code, and the functions that time goes to. A ratio inside one profile, so it does
 * not depend on the machine's load the way wall times of separate fits do.
 *
 * Minified bundles (the script-tag build) are named through their source map, with
 * @jridgewell/trace-mapping when it is installed (rollup's and vitest's tool chain brings it);
 * without it, frames keep their minified names.
 */
import { readFile } from 'node:fs/promises';
import { formatSummary, summarise } from './profile.mjs';

async function sourceMapNamer(mapPath) {
  const tracing = await import('@jridgewell/trace-mapping').catch(() => undefined);
  if (!tracing || !mapPath) return undefined;
  const map = new tracing.TraceMap(JSON.parse(await readFile(mapPath, 'utf8')));
  return (callFrame) => {
    const original = tracing.originalPositionFor(map, { line: callFrame.lineNumber + 1, column: callFrame.columnNumber });
    if (!original.source) return undefined;
    const source = original.source.replace(/^(\.\.\/)+/, '');
    return `${original.name ?? callFrame.functionName ?? '(anonymous)'} ${source}:${original.line}`;
  };
}

/** Names frames `function file:line`, minified ones of `bundleMap.urlSuffix` through its source map. */
export async function frameNamer(bundleMap) {
  const original = bundleMap ? await sourceMapNamer(bundleMap.mapPath) : undefined;
  const fallback = (node, parentNode) => {
    const { functionName, url, lineNumber } = node.callFrame;
    if (url) return `${functionName || '(anonymous)'} ${url.split('/').pop()}:${lineNumber + 1}`;
    return parentNode?.callFrame.functionName ? `${functionName} (native, called by ${parentNode.callFrame.functionName})` : functionName || '(native)';
  };
  return (node, parentNode) => {
    if (original && node.callFrame.url.endsWith(bundleMap.urlSuffix)) return original(node.callFrame) ?? fallback(node, parentNode);
    return fallback(node, parentNode);
  };
}

/**
 * `isTrackingUrl(url)` tells the library's frames (its bundle and what it bundles or calls);
 * `bundleMap` (optional): { urlSuffix, mapPath } to name minified frames; `whole`: also list
 * the whole thread's top functions (idle, GC and program included).
 * Resolves { sampledMs, trackingMs, share, functions, text }.
 */
export async function trackingShare(cpuProfile, { isTrackingUrl, bundleMap, title, whole = false }) {
  const name = await frameNamer(bundleMap);
  const all = summarise(cpuProfile, { top: whole ? 12 : 0, name });
  const tracking = summarise(cpuProfile, { root: (callFrame) => isTrackingUrl(callFrame.url), top: 15, name });
  const share = all.totalMs > 0 ? tracking.totalMs / all.totalMs : 0;
  const heading = `${title}: ${tracking.totalMs.toFixed(0)} ms of ${all.totalMs.toFixed(0)} ms sampled (${(share * 100).toFixed(2)}%) have a library frame on the stack; self time under those frames`;
  const parts = [formatSummary(heading, tracking)];
  if (whole) parts.unshift(formatSummary(`${title}: the whole thread, self time`, all));
  return { sampledMs: all.totalMs, trackingMs: tracking.totalMs, share, functions: tracking.functions, text: parts.join('\n') };
}
