import { describe, expect, it, vi } from 'vitest';
import { installProcessLifecycle } from '../../src/node/lifecycle';

/** Calls only the listener installed last, so the test runner's own beforeExit listeners stay out of it. */
function fireBeforeExit(): void {
  const listener = process.listeners('beforeExit').at(-1);
  listener?.call(process, 0);
}

function counts(): [number, number] {
  return [process.listenerCount('beforeExit'), process.listenerCount('uncaughtExceptionMonitor')];
}

describe('installProcessLifecycle', () => {
  it('F17 runs onExit once however often beforeExit fires, then stops listening', async () => {
    const before = counts();
    const onExit = vi.fn(async () => {});
    const uninstall = installProcessLifecycle({ onExit, onCrash: vi.fn() });
    expect(counts()).toEqual([before[0] + 1, before[1] + 1]);
    const ours = process.listeners('beforeExit').at(-1)!;
    ours.call(process, 0);
    ours.call(process, 0);
    expect(onExit).toHaveBeenCalledTimes(1);
    expect(counts()[0]).toBe(before[0]);
    uninstall();
    expect(counts()).toEqual(before);
  });

  it('a rejecting or throwing exit hook does not escape', async () => {
    const rejecting = installProcessLifecycle({ onExit: () => Promise.reject(new Error('flush failed')), onCrash: vi.fn() });
    expect(fireBeforeExit).not.toThrow();
    rejecting();
    const throwing = installProcessLifecycle({
      onExit: () => {
        throw new Error('sync failure');
      },
      onCrash: vi.fn(),
    });
    expect(fireBeforeExit).not.toThrow();
    throwing();
    // Let a stray rejection surface within this test if one escaped.
    await new Promise((resolve) => setTimeout(resolve, 10));
  });

  it('the uninstaller removes both listeners and is idempotent', () => {
    const before = counts();
    const onExit = vi.fn(async () => {});
    const uninstall = installProcessLifecycle({ onExit, onCrash: vi.fn() });
    uninstall();
    uninstall();
    expect(counts()).toEqual(before);
    expect(onExit).not.toHaveBeenCalled();
  });
});
