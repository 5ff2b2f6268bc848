/**
 * Size of the script-tag build (issue 5): gzip level 9, against the 20 KiB goal, with what each
 * bundled dependency adds (lib/iife-shares.mjs). test/unit/build-size.test.ts guards growth.
 */
import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { iifeShares } from './lib/iife-shares.mjs';
import { progress, result } from './lib/measure.mjs';

const IIFE = new URL('../dist/polyaxon-tracking.iife.min.js', import.meta.url);
const GOAL_BYTES = 20 * 1024;

export const iifeSizeBench = {
  name: 'iife',
  summary: 'gzip size of dist/polyaxon-tracking.iife.min.js, and what each bundled dependency adds',
  target: '<= 20 KiB gzip (issue 5)',
  async run() {
    const source = await readFile(IIFE);
    const gzip = gzipSync(source, { level: 9 }).length;
    progress('iife: rebuilding in memory without each bundled dependency');
    const { total, shares } = await iifeShares();
    const dependencies = shares.reduce((sum, share) => sum + share.bytes, 0);
    return {
      rows: [
        result('minified', source.length, 'bytes'),
        result('gzip -9', gzip, 'bytes', {
          target: `<= ${GOAL_BYTES} (20 KiB)`,
          pass: gzip <= GOAL_BYTES,
          note: `${(gzip / 1024).toFixed(2)} KiB of the 20 KiB goal`,
        }),
        ...shares.map((share) => result(`  of which ${share.name}`, share.bytes, 'bytes', { note: 'the build without it is this much smaller' })),
        result('  of which the library itself', total - dependencies, 'bytes', { note: `the rest of the same in-memory build (${total} bytes)` }),
      ],
    };
  },
};
