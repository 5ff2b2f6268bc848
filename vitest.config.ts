import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/node/**/*.test.ts'],
    // Builds dist/ when it is missing or older than src/: tests of the build, the package and the
    // demo read it.
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Node integration tests start real servers and child processes; two cores is all we have.
    maxWorkers: 2,
  },
});
