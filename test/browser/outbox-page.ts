import type { BrowserContext, Page } from '@playwright/test';
import { expect, type PolyaxonServerHandle } from './fixtures';
import { injectedEnv, serverData, type StoredMetric } from './server-data';
import { watchServerTraffic } from './server-traffic';

/** Drives test/browser/pages/outbox-page.html (window.outboxPage, see pages/outbox-helpers.js). */

export const OUTBOX_PAGE = '/pages/outbox-page.html';
const ONLINE_CREATE_TIMEOUT_MS = 30_000;

export interface OutboxSettings {
  maxRecords?: number;
  maxBytes?: number;
  flushIntervalMs?: number;
}

export interface StartOptions {
  project: string;
  name: string;
  createTimeoutMs?: number;
  outbox?: OutboxSettings;
}

export interface RunStats {
  run: string;
  id: number | undefined;
  lastStatus: string | undefined;
  outbox: {
    pending: number;
    inFlight: number;
    sending: boolean;
    sent: number;
    dropped: Record<string, number>;
    storage: string;
    paused: boolean;
    pausedReason?: string;
    lastError?: { kind: string; status?: number; message: string };
  };
}

/** Every page of `context` (and every reload) gets the server's settings before its scripts run. */
export async function injectSettings(context: BrowserContext, server: PolyaxonServerHandle): Promise<void> {
  await context.addInitScript((env) => {
    (globalThis as any).POLYAXON_ENV = env;
  }, injectedEnv(server));
}

/**
 * The start of a queue test: `project` on the server, the settings injected into every page of
 * `context`, and the server's traffic watched from the pages.
 */
export async function projectWatched(context: BrowserContext, polyaxonServer: PolyaxonServerHandle, project: string) {
  const server = serverData(polyaxonServer);
  await server.createProject(project);
  await injectSettings(context, polyaxonServer);
  const traffic = await watchServerTraffic(context, polyaxonServer);
  return { server, traffic };
}

export async function openOutboxPage(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await page.goto(OUTBOX_PAGE);
  return page;
}

export const outboxPage = {
  prepare: (page: Page, options: Omit<StartOptions, 'name'>) => page.evaluate((o) => (window as any).outboxPage.prepare(o), options),
  /** Creates a run; unless told otherwise create() waits up to 30 s for the server (a loaded machine is slow, not offline). */
  start: (page: Page, options: StartOptions) =>
    page.evaluate((o) => (window as any).outboxPage.start(o), { createTimeoutMs: ONLINE_CREATE_TIMEOUT_MS, ...options }) as Promise<{
      id: number | undefined;
      run: string;
      createMs: number;
    }>,
  log: (page: Page, first: number, count: number) => page.evaluate(([f, c]) => (window as any).outboxPage.log(f, c), [first, count] as const),
  logEvery: (page: Page, first: number, intervalMs: number) =>
    page.evaluate(([f, i]) => (window as any).outboxPage.logEvery(f, i), [first, intervalMs] as const),
  stopLogging: (page: Page) => page.evaluate(() => (window as any).outboxPage.stopLogging()) as Promise<number>,
  nextStepBeforeUnload: (page: Page) => page.evaluate(() => (window as any).outboxPage.nextStepBeforeUnload()) as Promise<number | undefined>,
  stats: (page: Page) => page.evaluate(() => (window as any).outboxPage.stats()) as Promise<RunStats>,
  flush: (page: Page, timeoutMs: number) => page.evaluate((t) => (window as any).outboxPage.flush(t), timeoutMs) as Promise<boolean>,
  whenCreated: (page: Page) => page.evaluate(() => (window as any).outboxPage.whenCreated()) as Promise<number>,
  resume: (page: Page, options: { project: string; timeoutMs: number; outbox?: OutboxSettings }) =>
    page.evaluate((o) => (window as any).outboxPage.resume(o), options) as Promise<{ flushed: boolean; ms: number; stats: RunStats }>,
};

/**
 * A later load of the origin: opens the outbox page, resumes `project` (opening the queue delivers
 * what earlier pages left) and waits, at most `drainTimeoutMs`, until IndexedDB holds no record.
 */
export async function nextLoadDrained(context: BrowserContext, project: string, drainTimeoutMs: number): Promise<Page> {
  const next = await openOutboxPage(context);
  await outboxPage.resume(next, { project, timeoutMs: 1_000 });
  await expect.poll(async () => (await storedRecords(next)).count, { timeout: drainTimeoutMs, intervals: [500] }).toBe(0);
  return next;
}

/**
 * Waits until the page's queue is empty and its sender idle. A count of zero alone is not enough:
 * the drain that sent the create and the status claims once more after its last ack, and would
 * take points logged in between, which tests of what the queue holds at hide or close need kept.
 */
export async function queueSettled(page: Page): Promise<void> {
  await expect.poll(async () => (await storedRecords(page)).count).toBe(0);
  await expect
    .poll(async () => {
      const { outbox } = await outboxPage.stats(page);
      return outbox.pending === 0 && !outbox.sending;
    })
    .toBe(true);
}

/**
 * The queue as IndexedDB holds it, read with the raw IndexedDB API rather than through the library:
 * the `polyaxon-tracking-outbox:*` database of this origin, its record count (a cheap `count()`)
 * and the first and last `sample` records in `seq` order.
 */
export function storedRecords(
  page: Page,
  sample = 0,
): Promise<{ database: string | undefined; count: number; first: StoredRecord[]; last: StoredRecord[] }> {
  return page.evaluate(async (sample) => {
    const databases = await indexedDB.databases();
    const name = databases.map((database) => database.name).find((candidate) => candidate?.startsWith('polyaxon-tracking-outbox:'));
    if (!name) return { database: undefined, count: 0, first: [], last: [] };
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open(name);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    const ask = <T>(request: IDBRequest<T>) =>
      new Promise<T>((resolve, reject) => {
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
    const walk = (direction: IDBCursorDirection) =>
      new Promise<any[]>((resolve, reject) => {
        const found: any[] = [];
        if (sample === 0) return resolve(found);
        const request = db.transaction('records', 'readonly').objectStore('records').openCursor(null, direction);
        request.onerror = () => reject(request.error);
        request.onsuccess = () => {
          const cursor = request.result;
          if (!cursor) return resolve(found);
          const { seq, run, kind, body, leaseUntil, batch } = cursor.value;
          found.push({ seq, run, kind, body, leaseUntil, batch });
          if (found.length >= sample) return resolve(found);
          cursor.continue();
        };
      });
    try {
      const count = await ask(db.transaction('records', 'readonly').objectStore('records').count());
      return { database: name, count, first: await walk('next'), last: (await walk('prev')).reverse() };
    } finally {
      db.close();
    }
  }, sample);
}

/**
 * Records a closing page wrote to localStorage (src/browser/page-close/exit-spill.ts), oldest first; the
 * next page that opens the queue moves them into IndexedDB.
 */
export function spilledRecords(page: Page): Promise<StoredRecord[]> {
  return page.evaluate(() => {
    const keys = Object.keys(localStorage)
      .filter((key) => key.startsWith('polyaxon-tracking-outbox:') && key.includes(':exit:'))
      .sort();
    return keys.flatMap((key) =>
      (JSON.parse(localStorage.getItem(key) ?? '[]') as any[]).map(({ seq, run, kind, body, leaseUntil, batch }) => ({ seq, run, kind, body, leaseUntil, batch })),
    );
  });
}

export interface StoredRecord {
  seq: number;
  run: string;
  kind: string;
  body: any;
  leaseUntil?: number;
  batch?: string;
}

/** Closes a page as a user closing the tab would (pagehide runs) and waits until it is gone. */
export async function closeTab(page: Page): Promise<void> {
  const closed = page.waitForEvent('close');
  await page.close({ runBeforeUnload: true });
  await closed;
}

/** The server holds exactly the points `log(first, count)` logged: `{step, value: step * 0.5}`, in order, once. */
export function expectPointsInOrder(metrics: StoredMetric[], first: number, count: number): void {
  expect(metrics).toHaveLength(count);
  const wrong = metrics.findIndex((point, index) => point.values.step !== first + index || point.values.value !== (first + index) * 0.5);
  expect(wrong, `first point out of place: ${JSON.stringify(metrics[wrong])}`).toBe(-1);
}

/**
 * The page's tab is switched away from: `visibilitychange` with `document.visibilityState`
 * 'hidden'. Headless Chromium keeps every page visible, so the state is set for the event.
 */
export function hideTab(page: Page): Promise<void> {
  return page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
    document.dispatchEvent(new Event('visibilitychange'));
  });
}
