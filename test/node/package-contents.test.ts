import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, posix } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { pkg, promisedFiles, REPO_ROOT } from '../helpers/package-json';

/** CI runs the machine's Node, 20; `engines` admits no older major than the oldest one tested. */
const OLDEST_TESTED_NODE_MAJOR = 20;

interface PackedFile {
  path: string;
  size: number;
  mode: number;
}

/**
 * What `npm install polyaxon-tracking` puts on a user's disk: the file list of `npm pack`, read
 * from the real packer (it applies `files`, `.npmignore` and npm's own always/never rules).
 */
let packed: PackedFile[];
const paths = () => packed.map((file) => file.path);

beforeAll(() => {
  const json = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
  packed = JSON.parse(json)[0].files;
});

describe('the published package (npm pack)', () => {
  it('ships the LICENSE, the README and package.json', () => {
    expect(paths()).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json']));
  });

  it('ships every file package.json promises, the CLI executable', () => {
    expect(paths()).toEqual(expect.arrayContaining(promisedFiles()));
    const cli = packed.find((file) => file.path === posix.normalize(pkg.bin['polyaxon-tracking']));
    expect(cli!.mode & 0o111, 'the bin must be executable').not.toBe(0);
  });

  it('ships no tests, test fixtures, benchmarks, demo or CI files', () => {
    const testLike = paths().filter(
      (path) => /^(test|tests|bench|demo|\.ci|coverage|test-results)\//.test(path) || /\.(test|spec)\.[cm]?[jt]sx?(\.map)?$/.test(path) || path.includes('node_modules/'),
    );
    expect(testLike).toEqual([]);
  });

  it('every source map it ships resolves: each source is shipped too, or embedded in the map', () => {
    const shipped = new Set(paths());
    const maps = paths().filter((path) => path.endsWith('.map'));
    const dangling: string[] = [];
    for (const mapPath of maps) {
      const map = JSON.parse(readFileSync(`${REPO_ROOT}/${mapPath}`, 'utf8')) as { sources: string[]; sourcesContent?: Array<string | null> };
      map.sources.forEach((source, index) => {
        if (map.sourcesContent?.[index] != null) return;
        const resolved = posix.normalize(posix.join(dirname(mapPath), source));
        if (!shipped.has(resolved)) dangling.push(`${mapPath} → ${source}`);
        if (/(^|\/)test\//.test(resolved)) dangling.push(`${mapPath} maps test code: ${source}`);
      });
    }
    expect(dangling).toEqual([]);
  });

  it('says its license (Apache-2.0, the LICENSE text) and the Node versions it is tested on', () => {
    expect(pkg.license).toBe('Apache-2.0');
    const license = readFileSync(`${REPO_ROOT}/LICENSE`, 'utf8');
    expect(license).toMatch(/^\s*Apache License\s+Version 2\.0, January 2004/);
    expect(license).toContain('END OF TERMS AND CONDITIONS');
    expect(pkg.engines?.node).toBe(`>=${OLDEST_TESTED_NODE_MAJOR}`);
    expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(OLDEST_TESTED_NODE_MAJOR);
  });
});
