import type { ConsoleMessage } from '@playwright/test';
import { expect, test } from './fixtures';
import { expectPointsInOrder, injectSettings, openOutboxPage, outboxPage } from './outbox-page';
import { serverData } from './server-data';

/** Ways `indexedDB.open` fails in the wild (private modes, some WebViews, storage blocked by policy). */
const FAILURES = {
  throws: () => {
    IDBFactory.prototype.open = function open() {
      throw new DOMException('The user denied permission to access the database.', 'SecurityError');
    };
  },
  'fires error': () => {
    IDBFactory.prototype.open = function open() {
      const request = { error: new DOMException('Internal error opening backing store', 'UnknownError') } as any;
      setTimeout(() => request.onerror?.(new Event('error')), 0);
      return request;
    };
  },
} as const;

test.describe('IndexedDB unusable (F13)', () => {
  for (const [how, breakOpen] of Object.entries(FAILURES)) {
    test(`F13 indexedDB.open ${how}: memory queue, one warning, no unhandled rejection, tracking still delivers`, async ({ context, polyaxonServer }) => {
      const project = `f13-${how.replace(' ', '-')}`;
      const server = serverData(polyaxonServer);
      await server.createProject(project);
      await injectSettings(context, polyaxonServer);
      await context.addInitScript(breakOpen);
      await context.addInitScript(() => {
        (window as any).rejections = [];
        window.addEventListener('unhandledrejection', (event) => (window as any).rejections.push(String(event.reason)));
      });

      const page = await openOutboxPage(context);
      const warnings: string[] = [];
      const pageErrors: string[] = [];
      page.on('console', (message: ConsoleMessage) => {
        if (message.text().startsWith('[polyaxon-tracking]') && message.type() === 'warning') warnings.push(message.text());
      });
      page.on('pageerror', (error) => pageErrors.push(error.message));

      const { id } = await outboxPage.start(page, { project, name: 'memory-run' });
      expect(id).toEqual(expect.any(Number));
      await outboxPage.log(page, 0, 500);
      expect(await outboxPage.flush(page, 30_000)).toBe(true);

      const stats = await outboxPage.stats(page);
      expect(stats.outbox).toMatchObject({ storage: 'memory', pending: 0, sent: 503 });
      expectPointsInOrder(await server.metrics(project, id!), 0, 500);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/IndexedDB could not be opened .*memory/);
      expect(pageErrors).toEqual([]);
      expect(await page.evaluate(() => (window as any).rejections)).toEqual([]);
    });
  }
});
