/**
 * Imports in src/ run one way. No file imports itself back through others (a cycle), and each top
 * folder imports only the folders below it: the rules each folder's README.md states, kept here as
 * data. A new folder needs its rule here before anything imports across it.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cycles, importGraph, importsOf } from '../helpers/import-graph';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

/** What each top folder of src/ may import, besides itself. Entry files (src/index.*.ts) may import anything. */
const MAY_IMPORT: Record<string, readonly string[]> = {
  runtime: [],
  wire: ['runtime'],
  outbox: ['wire', 'runtime'],
  client: ['outbox', 'wire', 'runtime'],
  integrations: ['client', 'wire', 'runtime'],
  api: ['integrations', 'client', 'outbox', 'wire', 'runtime'],
  node: ['outbox', 'wire', 'runtime'],
  browser: ['outbox', 'wire', 'runtime'],
  server: ['wire', 'runtime'],
  dashboard: [],
  cli: ['server', 'node', 'api', 'client', 'outbox', 'wire', 'runtime'],
  testing: ['outbox', 'wire', 'runtime'],
};

/**
 * Imports of types only that run upward, each with its reason. The environment contract names the
 * contracts of the outbox a runtime implements: the store it opens, the transport it may send
 * through, the close-time sender it may make.
 */
const TYPE_ONLY_EXCEPTIONS = [
  'runtime/environment.ts -> outbox/store.ts',
  'runtime/environment.ts -> outbox/transport.ts',
  'runtime/environment.ts -> outbox/close-sender.ts',
];

const folderOf = (path: string) => (path.includes('/') ? path.split('/')[0] : undefined);

describe('imports in src/', () => {
  const edges = importGraph(SRC);

  it('form no cycle, type imports included', () => {
    expect(cycles(edges)).toEqual([]);
  });

  it('run only downward, from each folder to the folders its README names', () => {
    const wrong: string[] = [];
    for (const { from, to, typeOnly } of edges) {
      const [source, target] = [folderOf(from), folderOf(to)];
      if (source === undefined || source === target) continue;
      const allowed = MAY_IMPORT[source];
      if (!allowed) wrong.push(`${from}: src/${source} has no rule in MAY_IMPORT (and no README saying what it may import)`);
      else if (!allowed.includes(target!) && !(typeOnly && TYPE_ONLY_EXCEPTIONS.includes(`${from} -> ${to}`))) wrong.push(`${from} -> ${to}`);
    }
    expect(wrong).toEqual([]);
  });

  it('every top folder has a rule', () => {
    const folders = new Set(edges.flatMap(({ from, to }) => [folderOf(from), folderOf(to)]).filter((folder) => folder !== undefined));
    expect([...folders].filter((folder) => !MAY_IMPORT[folder!])).toEqual([]);
  });
});

describe('the import reader and the cycle finder', () => {
  it('see every form of import, and which import types only', () => {
    const text = [
      "import { a } from './a';",
      "import type { B } from './b';",
      "import { type C, type D } from './c';",
      "import { type E, f } from './e';",
      "export { g } from './g';",
      "export type { H } from './h';",
      "const i = import('./i');",
      "import 'node:fs';",
    ].join('\n');
    expect(importsOf('x.ts', text)).toEqual([
      { specifier: './a', typeOnly: false },
      { specifier: './b', typeOnly: true },
      { specifier: './c', typeOnly: true },
      { specifier: './e', typeOnly: false },
      { specifier: './g', typeOnly: false },
      { specifier: './h', typeOnly: true },
      { specifier: './i', typeOnly: false },
    ]);
  });

  it('finds the cycle it is shown, and none where there is none', () => {
    const chain = [
      { from: 'a', to: 'b' },
      { from: 'b', to: 'c' },
    ];
    expect(cycles(chain)).toEqual([]);
    expect(cycles([...chain, { from: 'c', to: 'a' }, { from: 'd', to: 'd' }])).toEqual([['a', 'b', 'c'], ['d']]);
  });
});
