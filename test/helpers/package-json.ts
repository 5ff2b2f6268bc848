import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The repository's package.json, as npm and the tests read it. */
export const pkg = JSON.parse(readFileSync(`${REPO_ROOT}/package.json`, 'utf8'));

/**
 * Every file package.json points users at (exports map, main/module/browser/types, bin, CDN
 * fields), as normalised package-relative paths (`dist/index.node.mjs`).
 */
export function promisedFiles(): string[] {
  const files = new Set<string>();
  const walk = (value: unknown) => {
    if (typeof value === 'string') files.add(posix.normalize(value));
    else if (value && typeof value === 'object') Object.values(value).forEach(walk);
  };
  walk([pkg.exports, pkg.main, pkg.module, pkg.browser, pkg.types, pkg.unpkg, pkg.jsdelivr, pkg.bin]);
  return [...files].sort();
}
