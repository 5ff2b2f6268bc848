import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { documentedFiles, snippetsOf } from '../browser/readme-snippets/extract';

/**
 * How the README snippet test (test/browser/readme-snippets.spec.ts) reads a Markdown file: every
 * fenced block is run by its language or its mark, skipped with a reason, or reported. A block
 * someone adds on another branch is therefore never left out silently.
 */
const roots: string[] = [];
afterEach(() => roots.splice(0).forEach((root) => rmSync(root, { recursive: true, force: true })));

function docs(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'pxt-snippets-'));
  roots.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const FENCE = '```';

describe('README snippets: which blocks run where', () => {
  it('runs js in Node and html in Chromium by their language; marks pick Deno, Bun or a RequireJS page', () => {
    const root = docs({
      'README.md': [
        `${FENCE}js`, 'console.log(1);', FENCE, '',
        `${FENCE}html`, '<p>hi</p>', FENCE, '',
        '<!-- snippet: deno -->', `${FENCE}ts`, 'Deno.exit(0);', FENCE, '',
        '<!-- snippet: bun -->', '', `${FENCE}js`, 'Bun.version;', FENCE, '',
        '<!-- snippet: jupyter-classic -->', `${FENCE}html`, '%%html', '<b>cell</b>', FENCE,
      ].join('\n'),
    });
    expect(snippetsOf(root, 'README.md')).toEqual([
      { kind: 'run', runtime: 'node', file: 'README.md', line: 1, lang: 'js', code: 'console.log(1);' },
      { kind: 'run', runtime: 'chromium', file: 'README.md', line: 5, lang: 'html', code: '<p>hi</p>' },
      { kind: 'run', runtime: 'deno', file: 'README.md', line: 10, lang: 'ts', code: 'Deno.exit(0);' },
      { kind: 'run', runtime: 'bun', file: 'README.md', line: 16, lang: 'js', code: 'Bun.version;' },
      { kind: 'run', runtime: 'jupyter-classic', file: 'README.md', line: 21, lang: 'html', code: '%%html\n<b>cell</b>' },
    ]);
  });

  it('a shell block or a tree is skipped only with a reason; without one, or unmarked, it is reported', () => {
    const root = docs({
      'README.md': [
        '<!-- snippet: skip because it installs packages -->', `${FENCE}sh`, 'apt-get install x', FENCE,
        '<!-- snippet: skip -->', `${FENCE}sh`, 'ls', FENCE,
        `${FENCE}sh`, 'npm ci', FENCE,
        FENCE, 'src/', FENCE,
        '<!-- snippet: python -->', `${FENCE}py`, 'print(1)', FENCE,
      ].join('\n'),
    });
    const found = snippetsOf(root, 'README.md');
    expect(found[0]).toEqual({ kind: 'skip', reason: 'it installs packages', file: 'README.md', line: 2, lang: 'sh' });
    expect(found.slice(1).map((snippet) => [snippet.kind, snippet.line, snippet.kind === 'unmarked' ? snippet.problem : ''])).toEqual([
      ['unmarked', 6, expect.stringContaining('needs a reason')],
      ['unmarked', 9, expect.stringContaining('```sh block is neither run nor marked')],
      ['unmarked', 12, expect.stringContaining('```(no language) block')],
      ['unmarked', 16, expect.stringContaining('unknown mark "python"')],
    ]);
  });

  it('reads the README first, then every Markdown file under docs/', () => {
    const root = docs({ 'README.md': '', 'docs/guide.md': '', 'docs/deep/notebooks.md': '', 'docs/shot.png': '' });
    expect(documentedFiles(root)).toEqual(['README.md', join('docs', 'deep', 'notebooks.md'), join('docs', 'guide.md')]);
  });
});
