/** Size of the script-tag build (issue 5): gzip level 9, against the 20 KiB budget of test/unit/build-size.test.ts. */
import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { result } from './lib/measure.mjs';

const IIFE = new URL('../dist/polyaxon-tracking.iife.min.js', import.meta.url);
const BUDGET_BYTES = 20 * 1024;

export const iifeSizeBench = {
  name: 'iife',
  summary: 'gzip size of dist/polyaxon-tracking.iife.min.js',
  target: '<= 20 KiB gzip (issue 5)',
  async run() {
    const source = await readFile(IIFE);
    const gzipBytes = gzipSync(source, { level: 9 }).length;
    return {
      rows: [
        result('minified', source.length, 'bytes'),
        result('gzip -9', gzipBytes, 'bytes', {
          target: `<= ${BUDGET_BYTES} (20 KiB)`,
          pass: gzipBytes <= BUDGET_BYTES,
          note: `${(gzipBytes / 1024).toFixed(2)} KiB of the 20 KiB budget`,
        }),
      ],
    };
  },
};
