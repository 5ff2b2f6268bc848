import { existsSync } from 'node:fs';
import { defineConfig } from '@playwright/test';

// CI (and this repo's machines) use the distribution's Chromium (`apt-get install chromium`);
// elsewhere Playwright's own downloaded browser is used.
const executablePath = process.env.CHROMIUM_PATH || (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);

const RUNS_ALONE = /faults-(reload|tabs)\.spec\.ts$/;

const chromium = {
  // No device preset: its user agent (Windows) would replace the real one in the run env.
  browserName: 'chromium' as const,
  viewport: { width: 1280, height: 720 },
  launchOptions: {
    executablePath,
    // As root in a container Chromium needs --no-sandbox; the rest keeps it from calling
    // home (tests may only talk to 127.0.0.1) and from using a GPU the machine lacks.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  },
};

export default defineConfig({
  testDir: 'test/browser',
  // The fixtures serve dist/: built here when it is missing or older than src/.
  globalSetup: './test/global-setup.ts',
  fullyParallel: false,
  workers: 2,
  retries: 0,
  reporter: 'list',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  use: {
    headless: true,
    trace: 'off',
  },
  projects: [
    { name: 'chromium', testIgnore: RUNS_ALONE, use: chromium },
    // Reload, closed-tab and two-tab tests wait out leases and page-exit sends on a clock; beside another
    // worker's 100k-point run they missed their windows, so they run after everything else.
    { name: 'chromium-alone', testMatch: RUNS_ALONE, dependencies: ['chromium'], use: chromium },
  ],

});
