import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { describeFreshness, distFreshness } from '../../demo/ensure-built.mjs';

/**
 * The decision behind `npm test`'s global setup and `npm run demo`: build when a promised dist/
 * file is missing or older than any input, never when dist/ is newer than everything it is built
 * from. Checked on a small tree of real files with set modification times.
 */
const roots: string[] = [];
afterEach(() => roots.splice(0).forEach((root) => rmSync(root, { recursive: true, force: true })));

const T0 = new Date('2025-01-01T00:00:00Z').getTime() / 1000;

function tree(files: Record<string, number>): string {
  const root = mkdtempSync(join(tmpdir(), 'pxt-freshness-'));
  roots.push(root);
  const pkg = { exports: { '.': { import: './dist/index.mjs', require: './dist/index.cjs' } }, bin: { cli: './dist/cli.mjs' } };
  const all: Record<string, number> = { 'package.json': 0, ...files };
  for (const [path, secondsAfterT0] of Object.entries(all)) {
    const file = join(root, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, path === 'package.json' ? JSON.stringify(pkg) : '');
    utimesSync(file, T0 + secondsAfterT0, T0 + secondsAfterT0);
  }
  return root;
}

const BUILT = { 'src/index.ts': 10, 'src/node/deep.ts': 20, 'rollup.config.mjs': 5, 'dist/index.mjs': 100, 'dist/index.cjs': 101, 'dist/cli.mjs': 102 };

describe('dist/ freshness', () => {
  it('fresh: every promised output is newer than every source → no build', () => {
    const freshness = distFreshness(tree(BUILT));
    expect(freshness).toEqual({ kind: 'fresh' });
    expect(describeFreshness(freshness)).toMatch(/up to date.*no build/);
  });

  it('missing: a fresh clone has no dist/ → build', () => {
    const { 'dist/index.mjs': _a, 'dist/index.cjs': _b, 'dist/cli.mjs': _c, ...sources } = BUILT;
    expect(distFreshness(tree(sources))).toEqual({ kind: 'missing', output: 'dist/cli.mjs' });
  });

  it('missing: one promised output of several is enough', () => {
    const { 'dist/index.cjs': _gone, ...rest } = BUILT;
    expect(distFreshness(tree(rest))).toEqual({ kind: 'missing', output: 'dist/index.cjs' });
  });

  it('stale: a source deep in src/ edited after the build → rebuild, naming both files', () => {
    const freshness = distFreshness(tree({ ...BUILT, 'src/node/deep.ts': 200 }));
    expect(freshness).toEqual({ kind: 'stale', input: join('src', 'node', 'deep.ts'), output: 'dist/index.mjs' });
    expect(describeFreshness(freshness)).toMatch(/src.node.deep\.ts is newer than dist\/index\.mjs: rebuilding/);
  });

  it('stale: an edit during the build (newer than the first output, older than the last) still rebuilds', () => {
    expect(distFreshness(tree({ ...BUILT, 'src/index.ts': 100.5 })).kind).toBe('stale');
  });

  it('stale: package.json or the rollup config changed after the build', () => {
    expect(distFreshness(tree({ ...BUILT, 'rollup.config.mjs': 150 }))).toMatchObject({ kind: 'stale', input: 'rollup.config.mjs' });
    expect(distFreshness(tree({ ...BUILT, 'package.json': 150 }))).toMatchObject({ kind: 'stale', input: 'package.json' });
  });
});
