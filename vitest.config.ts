import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/node/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Node integration tests start real servers and child processes; two cores is all we have.
    maxWorkers: 2,
  },
});
