import { ensureBuilt } from '../demo/ensure-built.mjs';

/**
 * Global setup of vitest and Playwright: several tests read dist/ (the build outputs, the packed
 * package, the script-tag build in pages, the demo), so `npm test` on a fresh clone builds it first
 * rather than failing those tests; after `npm run build` (as in `npm run test:all`) it builds
 * nothing.
 */
export default function buildDistWhenStale(): void {
  ensureBuilt({ log: (line) => console.log(`[global setup] ${line}`) });
}
