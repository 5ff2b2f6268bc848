import { describe, expect, it, vi } from 'vitest';

const childProcess = vi.hoisted(() => ({ execFileThrows: false }));

vi.mock('node:child_process', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:child_process')>();
  return {
    ...real,
    execFile: (...args: Parameters<typeof real.execFile>) => {
      if (childProcess.execFileThrows) throw Object.assign(new Error('spawn EPERM'), { code: 'EPERM' });
      return real.execFile(...args);
    },
  };
});

describe('readCodeRef without a usable child_process (F23)', () => {
  it('F23 a spawn that throws synchronously gives null, not an exception', async () => {
    childProcess.execFileThrows = true;
    const { readCodeRef } = await import('../../src/node/git');
    await expect(readCodeRef()).resolves.toBeNull();
    childProcess.execFileThrows = false;
  });

  it('F23 no child_process module gives null, not an exception', async () => {
    vi.doMock('node:child_process', () => {
      throw new Error('child_process is not available in this runtime');
    });
    vi.resetModules();
    await expect(import('node:child_process')).rejects.toThrow();
    const { readCodeRef } = await import('../../src/node/git');
    await expect(readCodeRef()).resolves.toBeNull();
  });
});
