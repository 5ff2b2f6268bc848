import { afterEach, describe, expect, it } from 'vitest';
import { checkCodeRef, injectedCodeRef } from '../../src/browser/code-ref';
import { browserEnvironment, injectedEnvLookup } from '../../src/browser/environment';
import { ValidationError } from '../../src/runtime/errors';
import { logger } from '../../src/runtime/logger';

const globals = globalThis as Record<string, unknown>;

afterEach(() => {
  delete globals.POLYAXON_ENV;
  delete globals.POLYAXON_CODE_REF;
  logger.resetWarnings();
});

describe('browser settings lookup', () => {
  it('reads options first, then globalThis.POLYAXON_ENV, as strings', () => {
    const scope: Record<string, unknown> = {};
    const getEnv = injectedEnvLookup({ POLYAXON_API_HOST: 'from-option' }, scope);
    scope.POLYAXON_ENV = { POLYAXON_API_HOST: 'from-global', POLYAXON_HTTP_PORT: 8123, POLYAXON_USE_HTTPS: true, POLYAXON_NO_OP: null };
    expect(getEnv('POLYAXON_API_HOST')).toBe('from-option');
    expect(getEnv('POLYAXON_HTTP_PORT')).toBe('8123');
    expect(getEnv('POLYAXON_USE_HTTPS')).toBe('true');
    expect(getEnv('POLYAXON_NO_OP')).toBeUndefined();
    expect(getEnv('POLYAXON_MISSING')).toBeUndefined();
  });

  it('sees a global set after the environment was created, and ignores a non-object global', () => {
    const environment = browserEnvironment();
    expect(environment.getEnv('POLYAXON_API_HOST')).toBeUndefined();
    globals.POLYAXON_ENV = { POLYAXON_API_HOST: 'late.example.org' };
    expect(environment.getEnv('POLYAXON_API_HOST')).toBe('late.example.org');
    globals.POLYAXON_ENV = 'POLYAXON_API_HOST=x';
    expect(environment.getEnv('POLYAXON_API_HOST')).toBeUndefined();
  });
});

describe('browser code reference', () => {
  it('is null when nothing is injected', async () => {
    expect(await browserEnvironment().codeRef()).toBeNull();
  });

  it('comes from globalThis.POLYAXON_CODE_REF, missing fields null, URL credentials stripped', async () => {
    globals.POLYAXON_CODE_REF = { commit: 'abc123', branch: 'main', git_url: 'https://user:pw@github.com/org/repo.git' };
    expect(await browserEnvironment().codeRef()).toEqual({
      commit: 'abc123',
      head: 'abc123',
      branch: 'main',
      git_url: 'https://github.com/org/repo.git',
      is_dirty: null,
    });
  });

  it('the option wins over the global', async () => {
    globals.POLYAXON_CODE_REF = { commit: 'global' };
    const environment = browserEnvironment({ codeRef: { commit: 'option', head: null, branch: null, git_url: null, is_dirty: false } });
    expect(await environment.codeRef()).toMatchObject({ commit: 'option', is_dirty: false });
  });

  it('a malformed option is refused at once, naming the field and the rule', () => {
    const bad = { commit: 42 } as never;
    expect(() => browserEnvironment({ codeRef: bad })).toThrow(ValidationError);
    try {
      browserEnvironment({ codeRef: bad });
    } catch (error) {
      expect(error).toMatchObject({ field: 'codeRef.commit' });
    }
    expect(checkCodeRef({})).toMatchObject({ kind: 'invalid', field: 'codeRef' });
    expect(checkCodeRef('abc')).toMatchObject({ kind: 'invalid', field: 'codeRef' });
  });

  it('a malformed global gives null and one warning, never an exception', async () => {
    const warnings: unknown[] = [];
    const original = console.warn;
    console.warn = (...args: unknown[]) => warnings.push(args);
    try {
      expect(injectedCodeRef({ POLYAXON_CODE_REF: { is_dirty: 'yes', commit: 'a' } })).toBeNull();
      expect(injectedCodeRef({ POLYAXON_CODE_REF: ['a'] })).toBeNull();
    } finally {
      console.warn = original;
    }
    expect(warnings).toHaveLength(1);
    expect(String((warnings[0] as unknown[])[0])).toContain('POLYAXON_CODE_REF ignored: codeRef.is_dirty');
  });
});

describe('browser environment', () => {
  it('is the browser kind, with a keepalive sender and a no-op unrefTimer', async () => {
    const environment = browserEnvironment();
    expect(environment.kind).toBe('browser');
    expect(typeof environment.closeSender).toBe('function');
    expect(() => environment.unrefTimer(setTimeout(() => {}, 0))).not.toThrow();
    expect(environment.readTextFile).toBeUndefined();
  });

  it('F13 opens a working memory outbox where IndexedDB is missing (Node)', async () => {
    const original = console.warn;
    console.warn = () => {};
    const store = await browserEnvironment()
      .openStore({ name: 'test', caps: { maxRecords: 10, maxBytes: 10_000 } })
      .finally(() => (console.warn = original));
    expect(store.kind).toBe('memory');
    expect(await store.count()).toMatchObject({ records: 0 });
    await store.close();
  });

  it('its run env says browser and never throws under Node', async () => {
    const env = await browserEnvironment({ probeTimeoutMs: 50 }).runEnv();
    expect(env).toMatchObject({ runtime: 'browser', is_notebook: false });
  });
});
