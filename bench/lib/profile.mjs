/**
 * CPU profiles (the V8 profiler: node:inspector in this process, the same as `node --cpu-prof`,
 * or a page's CDP session in Chromium), summarised as the share of sampled time per function,
 * optionally only under given frames (a function name such as `logMetrics`, or any predicate on
 * the call frame, e.g. "code of the library's bundle").
 */
import { Session } from 'node:inspector/promises';

/**
 * Profiles `work()` through `send(method, params)`, a DevTools protocol session: node:inspector's
 * `session.post`, or Playwright's `cdpSession.send` for a page.
 */
export async function profileWith(send, work, { intervalUs = 100 } = {}) {
  await send('Profiler.enable');
  await send('Profiler.setSamplingInterval', { interval: intervalUs });
  await send('Profiler.start');
  try {
    await work();
  } catch (error) {
    await Promise.resolve(send('Profiler.stop')).catch(() => {});
    throw error;
  }
  const { profile: cpuProfile } = await send('Profiler.stop');
  return cpuProfile;
}

/** CPU profile of one piece of work in this process. */
export async function profile(work, options) {
  const session = new Session();
  session.connect();
  try {
    return await profileWith((method, params) => session.post(method, params), work, options);
  } finally {
    session.disconnect();
  }
}

/** `name file:line`; native frames (no file) are named with the function that called them. */
function frameName(node, parentNode) {
  const { functionName, url, lineNumber } = node.callFrame;
  const name = functionName || '(anonymous)';
  if (url) return `${name} ${url.split('/').pop()}:${lineNumber + 1}`;
  const caller = parentNode?.callFrame.functionName;
  return caller ? `${name} (native, called by ${caller})` : `${name} (native)`;
}

/**
 * Self time per function among samples whose stack contains a frame that `root` matches (a
 * function name, or a predicate on the call frame; all samples when undefined), and the total
 * time of those samples, in ms. `name(node, parentNode)` names a frame (default: name file:line).
 */
export function summarise(cpuProfile, { root, top = 15, name = frameName } = {}) {
  const nodes = new Map(cpuProfile.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of cpuProfile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const matches = typeof root === 'function' ? root : (callFrame) => callFrame.functionName === root;
  const underRoot = new Map();
  const isUnderRoot = (id) => {
    if (root === undefined) return true;
    if (underRoot.has(id)) return underRoot.get(id);
    const node = nodes.get(id);
    const answer = matches(node.callFrame) || (parent.has(id) && isUnderRoot(parent.get(id)));
    underRoot.set(id, answer);
    return answer;
  };
  const selfUs = new Map();
  let totalUs = 0;
  cpuProfile.samples.forEach((id, i) => {
    const delta = cpuProfile.timeDeltas[i] ?? 0;
    if (!isUnderRoot(id)) return;
    totalUs += delta;
    const label = name(nodes.get(id), nodes.get(parent.get(id)));
    selfUs.set(label, (selfUs.get(label) ?? 0) + delta);
  });
  const functions = [...selfUs]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([label, us]) => ({ name: label, ms: us / 1000, share: totalUs ? us / totalUs : 0 }));
  return { totalMs: totalUs / 1000, functions };
}

/** Inclusive time of every function named in `names` among all samples, in ms (a frame counted once per sample). */
export function inclusiveTimes(cpuProfile, names) {
  const nodes = new Map(cpuProfile.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of cpuProfile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const wanted = new Set(names);
  const totals = Object.fromEntries(names.map((name) => [name, 0]));
  let allUs = 0;
  cpuProfile.samples.forEach((id, i) => {
    const delta = cpuProfile.timeDeltas[i] ?? 0;
    allUs += delta;
    const seen = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const name = nodes.get(at).callFrame.functionName;
      if (wanted.has(name) && !seen.has(name)) {
        seen.add(name);
        totals[name] += delta;
      }
    }
  });
  return { allMs: allUs / 1000, ms: Object.fromEntries(Object.entries(totals).map(([name, us]) => [name, us / 1000])) };
}

export function formatSummary(title, summary) {
  const lines = [`${title} (${summary.totalMs.toFixed(0)} ms sampled)`];
  for (const fn of summary.functions) lines.push(`  ${(fn.share * 100).toFixed(1).padStart(5)}%  ${fn.ms.toFixed(0).padStart(6)} ms  ${fn.name}`);
  return lines.join('\n');
}
