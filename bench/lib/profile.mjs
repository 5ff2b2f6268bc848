/**
 * CPU profile of one piece of work in this process (node:inspector, the same profiler as
 * `node --cpu-prof`), summarised as the share of sampled time per function, optionally only
 * under frames of a given function name (e.g. `logMetrics`).
 */
import { Session } from 'node:inspector/promises';

export async function profile(work, { intervalUs = 100 } = {}) {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: intervalUs });
    await session.post('Profiler.start');
    await work();
    const { profile: cpuProfile } = await session.post('Profiler.stop');
    return cpuProfile;
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
 * Self time per function among samples whose stack contains a frame named `root` (all samples
 * when `root` is undefined), and the total time of those samples, in ms.
 */
export function summarise(cpuProfile, { root, top = 15 } = {}) {
  const nodes = new Map(cpuProfile.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of cpuProfile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const underRoot = new Map();
  const isUnderRoot = (id) => {
    if (root === undefined) return true;
    if (underRoot.has(id)) return underRoot.get(id);
    const node = nodes.get(id);
    const answer = node.callFrame.functionName === root || (parent.has(id) && isUnderRoot(parent.get(id)));
    underRoot.set(id, answer);
    return answer;
  };
  const selfUs = new Map();
  let totalUs = 0;
  cpuProfile.samples.forEach((id, i) => {
    const delta = cpuProfile.timeDeltas[i] ?? 0;
    if (!isUnderRoot(id)) return;
    totalUs += delta;
    const name = frameName(nodes.get(id), nodes.get(parent.get(id)));
    selfUs.set(name, (selfUs.get(name) ?? 0) + delta);
  });
  const functions = [...selfUs]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, us]) => ({ name, ms: us / 1000, share: totalUs ? us / totalUs : 0 }));
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
