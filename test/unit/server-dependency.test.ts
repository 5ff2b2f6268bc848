import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * better-sqlite3 belongs to the server alone: an optional dependency, loaded when `serve` opens
 * its store. The client builds never mention it, and without it `serve` says how to install it.
 * (Run `npm run build` first.)
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const CLIENT_BUILDS = [
  'dist/index.node.mjs', 'dist/index.node.cjs', 'dist/index.browser.mjs', 'dist/polyaxon-tracking.iife.min.js', 'dist/index.d.ts',
];
const scratch: string[] = [];
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

describe('better-sqlite3 is the server\'s optional dependency', () => {
  it('is declared in optionalDependencies only, 12.11.x, with its build script allowed', () => {
    expect(pkg.optionalDependencies).toEqual({ 'better-sqlite3': '~12.11.1' });
    expect(pkg.dependencies['better-sqlite3']).toBeUndefined();
    expect(pkg.allowScripts?.['better-sqlite3']).toBe(true);
  });

  it.each(CLIENT_BUILDS)('the client build %s does not reference it', (file) => {
    expect(readFileSync(join(ROOT, file), 'utf8')).not.toMatch(/better-sqlite3|sqlite/i);
  });

  it('without it, `serve` exits 1 with a message saying how to install it', () => {
    // The built package beside its dependencies, better-sqlite3 left out.
    const dir = mkdtempSync(join(tmpdir(), 'pxt-no-sqlite-'));
    scratch.push(dir);
    cpSync(join(ROOT, 'dist'), join(dir, 'dist'), { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'polyaxon-tracking', type: 'module' }));
    mkdirSync(join(dir, 'node_modules'));
    for (const name of readdirSync(join(ROOT, 'node_modules'))) {
      if (name !== 'better-sqlite3' && !name.startsWith('.')) symlinkSync(join(ROOT, 'node_modules', name), join(dir, 'node_modules', name));
    }
    const data = join(dir, 'data');
    const run = spawnSync(process.execPath, [join(dir, 'dist/cli.mjs'), 'serve', '--port', '0', '--data', data], { encoding: 'utf8', timeout: 20_000 });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/needs the optional dependency better-sqlite3/);
    expect(run.stderr).toContain('npm install better-sqlite3@~12.11.1');
  });
});
