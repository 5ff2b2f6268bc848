import { describe, expect, it } from 'vitest';
import { installPageLifecycle } from '../../src/browser/lifecycle';
import type { LifecycleHooks } from '../../src/runtime/environment';

function recordingHooks(calls: string[], options: { throwOnHide?: boolean } = {}): LifecycleHooks {
  return {
    onExit: async () => {
      calls.push('exit');
    },
    onCrash: () => calls.push('crash'),
    onHide: () => {
      calls.push('hide');
      if (options.throwOnHide) throw new Error('hook failed');
    },
    onClose: () => calls.push('close'),
    onOnline: (online) => calls.push(online ? 'online' : 'offline'),
  };
}

/** A window double: EventTarget with a document that has a visibility state. */
function fakePage() {
  const document = Object.assign(new EventTarget(), { visibilityState: 'visible' });
  const window = Object.assign(new EventTarget(), { document });
  const setVisibility = (state: 'visible' | 'hidden') => {
    document.visibilityState = state;
    document.dispatchEvent(new Event('visibilitychange'));
  };
  const pagehide = (persisted: boolean) => {
    const event = new Event('pagehide');
    Object.defineProperty(event, 'persisted', { value: persisted });
    window.dispatchEvent(event);
  };
  return { window, setVisibility, pagehide };
}

describe('page lifecycle', () => {
  it('calls onHide when the page becomes hidden, not when it becomes visible', () => {
    const calls: string[] = [];
    const page = fakePage();
    installPageLifecycle(recordingHooks(calls), page.window as never);
    page.setVisibility('hidden');
    page.setVisibility('visible');
    expect(calls).toEqual(['hide']);
  });

  it('on a real close (pagehide, persisted false) calls onClose alone, which persists and sends itself', () => {
    const calls: string[] = [];
    const page = fakePage();
    installPageLifecycle(recordingHooks(calls), page.window as never);
    page.setVisibility('hidden');
    page.pagehide(false);
    expect(calls).toEqual(['hide', 'close']);
  });

  it('a page entering the back/forward cache (persisted true) is hidden, not closed', () => {
    const calls: string[] = [];
    const page = fakePage();
    installPageLifecycle(recordingHooks(calls), page.window as never);
    page.pagehide(true);
    expect(calls).toEqual(['hide']);
  });

  it('forwards online and offline', () => {
    const calls: string[] = [];
    const page = fakePage();
    installPageLifecycle(recordingHooks(calls), page.window as never);
    page.window.dispatchEvent(new Event('offline'));
    page.window.dispatchEvent(new Event('online'));
    expect(calls).toEqual(['offline', 'online']);
  });

  it('in a Worker scope (no document) only online and offline apply', () => {
    const calls: string[] = [];
    const workerScope = new EventTarget();
    installPageLifecycle(recordingHooks(calls), workerScope as never);
    workerScope.dispatchEvent(new Event('pagehide'));
    workerScope.dispatchEvent(new Event('offline'));
    expect(calls).toEqual(['offline']);
  });

  it('a scope without events (or hooks without onOnline) installs nothing and does not throw', () => {
    const { onOnline: _ignored, ...withoutOnline } = recordingHooks([]);
    expect(() => installPageLifecycle(withoutOnline, {} as never)()).not.toThrow();
  });

  it('a throwing hook does not escape into the page', () => {
    const calls: string[] = [];
    const page = fakePage();
    installPageLifecycle(recordingHooks(calls, { throwOnHide: true }), page.window as never);
    expect(() => page.setVisibility('hidden')).not.toThrow();
    expect(calls).toEqual(['hide']);
  });

  it('the uninstaller removes every listener and may be called twice', () => {
    const calls: string[] = [];
    const page = fakePage();
    const uninstall = installPageLifecycle(recordingHooks(calls), page.window as never);
    uninstall();
    uninstall();
    page.setVisibility('hidden');
    page.pagehide(false);
    page.window.dispatchEvent(new Event('offline'));
    expect(calls).toEqual([]);
  });
});
