import { existsSync, readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { promisedFiles } from '../helpers/package-json';

const root = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');

describe('build outputs (run `npm run build` first)', () => {
  it.each(promisedFiles())('%s exists', (file) => {
    expect(existsSync(new URL(file, root)), `${file} missing: run \`npm run build\``).toBe(true);
  });

  it('the browser builds import nothing from Node', () => {
    for (const file of ['dist/index.browser.mjs', 'dist/polyaxon-tracking.iife.min.js']) {
      const code = read(file);
      expect(code, file).not.toMatch(/from\s*["']node:|require\(["']node:|import\(["']node:/);
    }
    // The minified build has no comments left, so any mention is code.
    expect(read('dist/polyaxon-tracking.iife.min.js')).not.toMatch(/\bprocess\.env\b/);
  });

  it('the ESM browser build leaves ofetch, idb-keyval and zod to the bundler', () => {
    const code = read('dist/index.browser.mjs');
    expect(code).toMatch(/from\s*['"]ofetch['"]/);
    expect(code).toMatch(/from\s*['"]zod\/mini['"]/);
    expect(code).not.toContain('function createFetch');
  });

  it('the script-tag build bundles its dependencies and defines the PolyaxonTracking global', () => {
    const code = read('dist/polyaxon-tracking.iife.min.js');
    expect(code).toMatch(/^var PolyaxonTracking=/);
    expect(code).not.toMatch(/\bimport\s*[{*]|\brequire\(/);
  });

  it('the node builds export the same names in ESM and CJS', async () => {
    const esm = await import(new URL('dist/index.node.mjs', root).href);
    const { createRequire } = await import('node:module');
    const cjs = createRequire(import.meta.url)(new URL('dist/index.node.cjs', root).pathname);
    expect(Object.keys(cjs).sort()).toEqual(Object.keys(esm).sort());
    expect(typeof esm.PolyaxonClient).toBe('function');
    expect(typeof esm.Experiment).toBe('function');
  });

  it('the bundled index.d.ts declares the public API', () => {
    const types = read('dist/index.d.ts');
    for (const name of ['PolyaxonClient', 'Experiment', 'PolyaxonError', 'ValidationError', 'ClientOptions']) {
      expect(types).toMatch(new RegExp(`\\b${name}\\b`));
    }
    expect(types).not.toMatch(/from\s*['"]\.\//);
  });

  it.runIf(existsSync(new URL('src/cli/main.ts', root)))('the CLI starts with exactly one shebang and is executable', () => {
    const code = read('dist/cli.mjs');
    expect(code.startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(code.match(/^#!/gm)).toHaveLength(1);
    expect(statSync(new URL('dist/cli.mjs', root)).mode & 0o111).not.toBe(0);
  });
});
