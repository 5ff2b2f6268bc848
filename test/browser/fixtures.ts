import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test as base, expect } from '@playwright/test';
import { REPO_ROOT, startStaticServer, type StaticServer } from './static-server';

export { expect };

/** What a running local Polyaxon server gives a test (see src/server `startServer`). */
export interface PolyaxonServerHandle {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  host: string;
  port: number;
  token: string;
  dataDir: string;
}

interface WorkerFixtures {
  /** Serves `/dist/`, `/pages/` (test/browser/pages) and the browser build's dependencies. */
  staticServer: StaticServer;
}

interface TestFixtures {
  /** A fresh local Polyaxon server (temp data folder, fixed token) from `dist/server.mjs`. */
  polyaxonServer: PolyaxonServerHandle;
}

export const DIST = join(REPO_ROOT, 'dist');
export const IIFE_PATH = '/dist/polyaxon-tracking.iife.min.js';
export const TEST_TOKEN = 'browser-test-token';

function requireBuilt(file: string): string {
  const path = join(DIST, file);
  if (!existsSync(path)) throw new Error(`dist/${file} is missing: run \`npm run build\` before \`npm run test:browser\``);
  return path;
}

export const test = base.extend<TestFixtures, WorkerFixtures>({
  staticServer: [
    async ({}, use) => {
      requireBuilt('polyaxon-tracking.iife.min.js');
      const server = await startStaticServer();
      await use(server);
      await server.close();
    },
    { scope: 'worker' },
  ],

  baseURL: async ({ staticServer }, use) => {
    await use(staticServer.url);
  },

  polyaxonServer: async ({}, use) => {
    const module = await import(pathToFileURL(requireBuilt('server.mjs')).href);
    const dataDir = await mkdtemp(join(tmpdir(), 'polyaxon-browser-'));
    const started = await module.startServer({ host: '127.0.0.1', port: 0, dataDir, token: TEST_TOKEN });
    try {
      const url = new URL(started.url);
      await use({ url: url.origin, host: url.hostname, port: Number(url.port), token: started.token ?? TEST_TOKEN, dataDir });
    } finally {
      await started.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  },
});
