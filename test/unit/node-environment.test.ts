import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLIENT_VERSION } from '../../src/runtime/version';
import { nodeEnvironment } from '../../src/node/environment';

const VARIABLE = 'POLYAXON_NODE_ENV_TEST_VARIABLE';

afterEach(() => {
  delete process.env[VARIABLE];
});

describe('nodeEnvironment', () => {
  it('reads and sets process environment variables', () => {
    const environment = nodeEnvironment();
    expect(environment.kind).toBe('node');
    expect(environment.getEnv(VARIABLE)).toBeUndefined();
    environment.setEnv?.(VARIABLE, '{"cluster": {}}');
    expect(process.env[VARIABLE]).toBe('{"cluster": {}}');
    expect(environment.getEnv(VARIABLE)).toBe('{"cluster": {}}');
  });

  it('reads a text file, and gives undefined for a missing file or a folder', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'polyaxon-env-'));
    try {
      await writeFile(path.join(dir, '.authtoken'), 'token-from-file\n');
      const environment = nodeEnvironment();
      expect(environment.readTextFile?.(path.join(dir, '.authtoken'))).toBe('token-from-file\n');
      expect(environment.readTextFile?.(path.join(dir, 'missing'))).toBeUndefined();
      expect(environment.readTextFile?.(dir)).toBeUndefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('unrefs Node timers and ignores anything else', () => {
    const environment = nodeEnvironment();
    const timer = setInterval(() => {}, 60_000);
    try {
      expect(timer.hasRef()).toBe(true);
      environment.unrefTimer(timer);
      expect(timer.hasRef()).toBe(false);
    } finally {
      clearInterval(timer);
    }
    expect(() => environment.unrefTimer(42)).not.toThrow();
    expect(() => environment.unrefTimer(null)).not.toThrow();
    expect(() => environment.unrefTimer({ unref: 'not a function' })).not.toThrow();
  });

  it('opens the durable file journal in the given folder', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'polyaxon-env-store-'));
    try {
      const store = await nodeEnvironment().openStore({
        name: 'http://127.0.0.1:8000',
        caps: { maxRecords: 100, maxBytes: 1_000_000 },
        directory: dir,
      });
      expect(store.kind).toBe('journal');
      await store.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('has no page-unload sender in Node', () => {
    expect(nodeEnvironment().closeSender).toBeUndefined();
  });

  it('CLIENT_VERSION equals the package.json version', () => {
    const manifest = JSON.parse(readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8'));
    expect(CLIENT_VERSION).toBe(manifest.version);
  });
});
