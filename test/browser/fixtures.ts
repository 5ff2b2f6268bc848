import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test as base, expect } from '@playwright/test';
import type { RunningServer, ServerOptions } from '../../src/server/index';
import { REPO_ROOT, startStaticServer, type StaticServer } from './static-server';

export { expect };

/**
 * What a running local Polyaxon server gives a test (see src/server `startServer`): its address
 * on 127.0.0.1, the token and the main user (owner of the projects tests create).
 */
export type PolyaxonServerHandle = Pick<RunningServer, 'url' | 'host' | 'port' | 'token' | 'user' | 'dataDir'>;

interface WorkerFixtures {
  /** Serves `/dist/`, `/pages/` (test/browser/pages) and the browser build's dependencies. */
  staticServer: StaticServer;
}

interface TestFixtures {
  /** Extra `startServer` options for `polyaxonServer`, e.g. `test.use({ polyaxonServerOptions: { metricsRequestsPerSecond: 0 } })`. */
  polyaxonServerOptions: Partial<ServerOptions>;
  /** Name the test pages' origin (the static server) in `corsOrigins`. Default: false. */
  allowPageOrigin: boolean;
  /** A fresh local Polyaxon server (temp data folder, fixed token, quiet) from `dist/server.mjs`. */
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

  polyaxonServerOptions: [{}, { option: true }],
  allowPageOrigin: [false, { option: true }],

  polyaxonServer: async ({ polyaxonServerOptions, allowPageOrigin, staticServer }, use) => {
    const { startServer } = (await import(pathToFileURL(requireBuilt('server.mjs')).href)) as {
      startServer(options: ServerOptions): Promise<RunningServer>;
    };
    const dataDir = await mkdtemp(join(tmpdir(), 'polyaxon-browser-'));
    const corsOrigins = allowPageOrigin ? { corsOrigins: [staticServer.url] } : {};
    const started = await startServer({ host: '127.0.0.1', port: 0, token: TEST_TOKEN, quiet: true, ...corsOrigins, ...polyaxonServerOptions, dataDir });
    try {
      await use({
        url: started.url,
        host: started.host,
        port: started.port,
        token: started.token,
        user: started.user,
        dataDir,
      });
    } finally {
      await started.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  },
});
