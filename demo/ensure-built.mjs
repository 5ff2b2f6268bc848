// Whether dist/ is older than what it is built from, and a build only when it is. Used by the
// test runners' global setup (so `npm test` passes on a fresh clone) and by `npm run demo` (so a
// demo after a build starts at once instead of spending half a minute rebuilding).
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** What rollup reads: the sources, its config, and package.json (entries, externals). */
const INPUTS = ['src', 'rollup.config.mjs', 'package.json', 'tsconfig.json'];

/**
 * `fresh`: every dist/ file package.json promises exists and the oldest of them is newer than
 * every input. `missing`: one does not exist. `stale`: an input changed after the oldest output
 * was written (a build takes long enough for an edit to land in the middle of it).
 * @returns {{kind: 'fresh'} | {kind: 'missing', output: string} | {kind: 'stale', input: string, output: string}}
 */
export function distFreshness(root = REPO_ROOT) {
  const outputs = promisedDistFiles(root);
  let oldest = { path: '', mtimeMs: Infinity };
  for (const output of outputs) {
    const info = statSync(join(root, output), { throwIfNoEntry: false });
    if (!info) return { kind: 'missing', output };
    if (info.mtimeMs < oldest.mtimeMs) oldest = { path: output, mtimeMs: info.mtimeMs };
  }
  const newest = newestFile(root, INPUTS);
  if (newest.mtimeMs > oldest.mtimeMs) return { kind: 'stale', input: newest.path, output: oldest.path };
  return { kind: 'fresh' };
}

/** One line saying why a build is (or is not) needed. */
export function describeFreshness(freshness) {
  switch (freshness.kind) {
    case 'fresh':
      return 'dist/ is up to date with src/: no build needed';
    case 'missing':
      return `${freshness.output} is missing: building dist/ (npm run build)`;
    case 'stale':
      return `${freshness.input} is newer than ${freshness.output}: rebuilding dist/ (npm run build)`;
  }
}

/**
 * Runs `npm run build` when dist/ is missing or stale; throws when the build fails.
 * @returns {boolean} whether it built
 */
export function ensureBuilt({ root = REPO_ROOT, log = (line) => console.log(line) } = {}) {
  const freshness = distFreshness(root);
  log(describeFreshness(freshness));
  if (freshness.kind === 'fresh') return false;
  const build = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) throw new Error(`npm run build failed (${build.status ?? build.signal}): see its output above`);
  return true;
}

/** Every dist/ file package.json points users at (exports, main/module/browser/types, bin, CDN fields). */
export function promisedDistFiles(root = REPO_ROOT) {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const files = new Set();
  const walk = (value) => {
    if (typeof value === 'string') {
      if (value.startsWith('./dist/')) files.add(value.slice(2));
    } else if (value && typeof value === 'object') Object.values(value).forEach(walk);
  };
  walk([pkg.exports, pkg.main, pkg.module, pkg.browser, pkg.types, pkg.unpkg, pkg.jsdelivr, pkg.bin]);
  return [...files].sort();
}

function newestFile(root, paths) {
  let newest = { path: '', mtimeMs: -Infinity };
  const visit = (path) => {
    const info = statSync(path, { throwIfNoEntry: false });
    if (!info) return;
    if (info.isDirectory()) {
      for (const entry of readdirSync(path)) visit(join(path, entry));
    } else if (info.mtimeMs > newest.mtimeMs) {
      newest = { path: relative(root, path), mtimeMs: info.mtimeMs };
    }
  };
  for (const path of paths) visit(join(root, path));
  return newest;
}

// `node demo/ensure-built.mjs`: the same decision from a shell or an npm script.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    ensureBuilt();
  } catch (error) {
    console.error(error.message);
    process.exitCode = 1;
  }
}
