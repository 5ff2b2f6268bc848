import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * The code blocks of the README and of docs/*.md, and how each is run. A block runs by its
 * language (`js`/`mjs` in Node, `ts` in Node through tsx, `html` in Chromium) unless the line
 * just before it says otherwise:
 *
 *   <!-- snippet: deno -->              run in Deno (`npm:` imports), `bun` in Bun
 *   <!-- snippet: jupyter-classic -->   HTML in a page that loaded RequireJS first, as classic Jupyter does
 *   <!-- snippet: skip because ... -->  not run; the reason is required
 *
 * Any other block (a shell command, a directory tree) must carry a skip mark: new blocks are run or
 * explained, never silently left out.
 */
export type Runtime = 'node' | 'deno' | 'bun' | 'chromium' | 'jupyter-classic';

export type Snippet =
  | { kind: 'run'; runtime: Runtime; file: string; line: number; lang: string; code: string }
  | { kind: 'skip'; reason: string; file: string; line: number; lang: string }
  | { kind: 'unmarked'; file: string; line: number; lang: string; problem: string };

const BY_LANGUAGE: Record<string, Runtime> = { js: 'node', javascript: 'node', mjs: 'node', ts: 'node', typescript: 'node', html: 'chromium' };
const MARKS: Record<string, Runtime> = { node: 'node', deno: 'deno', bun: 'bun', chromium: 'chromium', 'jupyter-classic': 'jupyter-classic' };

/** README.md and every docs/**\/*.md, as paths relative to `root`. */
export function documentedFiles(root: string): string[] {
  const files = ['README.md'];
  const visit = (folder: string) => {
    let entries;
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (entry.name.endsWith('.md')) files.push(relative(root, path));
    }
  };
  visit(join(root, 'docs'));
  return files.sort((a, b) => (a === 'README.md' ? -1 : b === 'README.md' ? 1 : a.localeCompare(b)));
}

export function snippetsOf(root: string, file: string): Snippet[] {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  const snippets: Snippet[] = [];
  for (let index = 0; index < lines.length; index++) {
    const open = lines[index].match(/^ {0,3}(`{3,}|~{3,})\s*([\w-]*)/);
    if (!open) continue;
    const fence = open[1];
    const lang = open[2].toLowerCase();
    const start = index;
    const body: string[] = [];
    for (index++; index < lines.length && !lines[index].trimStart().startsWith(fence); index++) body.push(lines[index]);
    snippets.push(classify(file, start + 1, lang, body.join('\n'), markBefore(lines, start)));
  }
  return snippets;
}

function markBefore(lines: string[], fenceIndex: number): string | undefined {
  for (let index = fenceIndex - 1; index >= 0; index--) {
    const line = lines[index].trim();
    if (line === '') continue;
    return line.match(/^<!--\s*snippet:\s*(.*?)\s*-->$/)?.[1];
  }
  return undefined;
}

function classify(file: string, line: number, lang: string, code: string, mark: string | undefined): Snippet {
  const where = { file, line, lang };
  if (mark !== undefined) {
    const skip = mark.match(/^skip\b\s*(?:because\s+)?(.*)$/);
    if (skip) {
      return skip[1].trim() ? { kind: 'skip', reason: skip[1].trim(), ...where } : { kind: 'unmarked', ...where, problem: 'a skip mark needs a reason: <!-- snippet: skip because ... -->' };
    }
    const runtime = MARKS[mark];
    if (!runtime) return { kind: 'unmarked', ...where, problem: `unknown mark "${mark}" (known: ${Object.keys(MARKS).join(', ')}, skip because ...)` };
    return { kind: 'run', runtime, code, ...where };
  }
  const runtime = BY_LANGUAGE[lang];
  if (runtime) return { kind: 'run', runtime, code, ...where };
  return {
    kind: 'unmarked',
    ...where,
    problem: `a \`\`\`${lang || '(no language)'} block is neither run nor marked: put <!-- snippet: skip because ... --> (or a runtime mark) on the line before it`,
  };
}
