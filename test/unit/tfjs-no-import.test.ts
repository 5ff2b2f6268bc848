/**
 * The library never imports TensorFlow.js (users bring their own `tf`), and nothing the browser
 * bundle reaches from src/integrations imports a Node built-in statically.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const integrations = new URL('../../src/integrations/', import.meta.url);
const files = readdirSync(integrations).filter((name) => name.endsWith('.ts'));
const source = (name: string) => readFileSync(new URL(name, integrations), 'utf8');
/** Every module specifier: static imports and re-exports, dynamic imports with a literal, require. */
const specifiers = (text: string) =>
  [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm)].map((match) => match[1]);

describe('src/integrations imports no tfjs', () => {
  it('finds the integration sources', () => {
    expect(files).toEqual(expect.arrayContaining(['tfjs.ts', 'tfjs-callback.ts', 'tfjs-types.ts', 'model-saver.ts', 'track-fit.ts']));
  });

  it.each(files)('%s imports nothing from @tensorflow (not even types)', (name) => {
    const text = source(name);
    expect(specifiers(text).filter((specifier) => specifier.startsWith('@tensorflow'))).toEqual([]);
    expect(text).not.toMatch(/['"]@tensorflow\//);
  });

  it('src/api/experiment.ts imports nothing from @tensorflow', () => {
    const text = readFileSync(new URL('../../src/api/experiment.ts', import.meta.url), 'utf8');
    expect(text).not.toMatch(/['"]@tensorflow\//);
  });

  it.each(files)('%s imports no Node built-in statically (it is part of the browser bundle)', (name) => {
    expect(specifiers(source(name)).filter((specifier) => specifier.startsWith('node:') || ['fs', 'path', 'fs/promises'].includes(specifier))).toEqual([]);
  });

  it('the specifier detector sees the forms it must see', () => {
    expect(specifiers(`import * as tf from '@tensorflow/tfjs';\nimport type { X } from "@tensorflow/tfjs-core";\nconst a = import('@tensorflow/tfjs');\nrequire('node:fs');\nimport 'side-effect';`)).toEqual([
      '@tensorflow/tfjs', '@tensorflow/tfjs-core', '@tensorflow/tfjs', 'node:fs', 'side-effect',
    ]);
  });
});
