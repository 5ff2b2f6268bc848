/**
 * This package's version, reported as `client_version` in the run env. A constant rather than a
 * read of package.json, so it is the same from src, from dist and inside the browser bundle; keep
 * it equal to package.json's `version` (test/unit/node-run-env.test.ts checks that).
 */
export const CLIENT_VERSION = '0.1.0';
