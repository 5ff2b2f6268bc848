import type { LifecycleHooks } from '../runtime/environment';
import { logger } from '../runtime/logger';

type Listener = (event: any) => void;

interface EventTargetLike {
  addEventListener(type: string, listener: Listener): void;
  removeEventListener(type: string, listener: Listener): void;
}

function isEventTarget(value: unknown): value is EventTargetLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as EventTargetLike).addEventListener === 'function' &&
    typeof (value as EventTargetLike).removeEventListener === 'function'
  );
}

/**
 * Wires the Page Lifecycle events to the hooks and returns the uninstaller.
 * - `visibilitychange` to hidden → `onHide()`: on mobile a hidden page may be killed without any
 *   further event, so this is the last reliable moment (Page Lifecycle API, "hidden" state).
 * - `pagehide` → `onClose()` when the page is really going away (`persisted === false`): it marks
 *   runs stopped, persists and sends in the listener itself, since a closing page runs no further
 *   tasks. A page entering the back/forward cache (`persisted`) comes back and keeps running:
 *   `onHide()`. `pagehide` rather than `unload`/`beforeunload`, which disable the back/forward
 *   cache and do not fire reliably on mobile.
 * - `online` / `offline` → `onOnline(bool)`.
 * A dedicated Worker has no document and no pagehide: only `online`/`offline` (on `self`) apply.
 */
export function installPageLifecycle(hooks: LifecycleHooks, scope: Record<string, unknown> = globalThis as never): () => void {
  const removers: Array<() => void> = [];
  const listen = (target: EventTargetLike, type: string, listener: Listener) => {
    const guarded: Listener = (event) => {
      try {
        listener(event);
      } catch (error) {
        logger.debug(`lifecycle: ${type} handler failed`, error);
      }
    };
    target.addEventListener(type, guarded);
    removers.push(() => target.removeEventListener(type, guarded));
  };

  const doc = scope.document as (EventTargetLike & { visibilityState?: string }) | undefined;
  if (isEventTarget(doc)) {
    listen(doc, 'visibilitychange', () => {
      if (doc.visibilityState === 'hidden') hooks.onHide();
    });
    if (isEventTarget(scope)) {
      listen(scope, 'pagehide', (event: { persisted?: boolean }) => {
        if (event?.persisted === true) hooks.onHide();
        else hooks.onClose();
      });
    }
  }

  if (isEventTarget(scope) && hooks.onOnline) {
    const onOnline = hooks.onOnline.bind(hooks);
    listen(scope, 'online', () => onOnline(true));
    listen(scope, 'offline', () => onOnline(false));
  }

  let installed = true;
  return () => {
    if (!installed) return;
    installed = false;
    for (const remove of removers) remove();
  };
}
