/**
 * The package's public surface: the bundled declarations of each entry point, compared with the
 * copies committed in test/api-surface/. What users can import, and every type they can see, is
 * then always a visible diff. After a deliberate change: `npm run build`, then
 * `npx vitest run test/unit/api-surface.test.ts -u` writes the new copies. It fails rather than
 * skips when dist/ is missing: CI runs `npm run build` before the tests.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const ENTRIES = ['index', 'testing', 'server'];

describe('public API surface', () => {
  it.each(ENTRIES)('dist/%s.d.ts is the copy committed in test/api-surface/', async (entry) => {
    const built = new URL(`../../dist/${entry}.d.ts`, import.meta.url);
    expect(existsSync(built), `dist/${entry}.d.ts is missing: run \`npm run build\` first`).toBe(true);
    await expect(readFileSync(built, 'utf8')).toMatchFileSnapshot(`../api-surface/${entry}.d.ts`);
  });

  it('the published declarations name no internals', () => {
    const types = readFileSync(new URL('../../dist/index.d.ts', import.meta.url), 'utf8');
    for (const internal of ['Environment', 'OutboxRuntime', 'CloseSender', 'RunLifecycle', 'endAtExit', 'get queue()']) {
      expect(types, internal).not.toContain(internal);
    }
  });
});
