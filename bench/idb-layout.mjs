/**
 * Raw IndexedDB in Chromium, no library: what the layout of a queue costs. 100,000 metrics-shaped
 * records written in 100 transactions of 1,000, then drained 10,000 at a time (one `getAll`
 * and one range delete per transaction, as a claim and an ack would), in three layouts:
 * - one value per record, key [seq, id], unique `id` index (the outbox's layout today);
 * - the same without the index;
 * - one value per 1,000 records (a group as one append writes it), key seq.
 * Figures only, no target: they tell what a change of layout would buy before it is made.
 */
import { openChromium } from './lib/chromium.mjs';
import { progress, result } from './lib/measure.mjs';

const GROUPS = 100;
const PER_GROUP = 1_000;
const PER_DRAIN = 10_000;
const LAYOUTS = ['one value per record, id index', 'one value per record, no index', 'one value per 1,000 records'];

async function measure(page, layout) {
  return page.evaluate(
    async ([layout, groups, perGroup, perDrain]) => {
      const request = (r) => new Promise((resolve, reject) => ((r.onsuccess = () => resolve(r.result)), (r.onerror = () => reject(r.error))));
      const done = (t) => new Promise((resolve, reject) => ((t.oncomplete = resolve), (t.onerror = () => reject(t.error))));
      const grouped = layout.startsWith('one value per 1,000');
      const open = indexedDB.open(`idb-layout-${Date.now()}`, 1);
      open.onupgradeneeded = () => {
        const store = open.result.createObjectStore('records', { keyPath: grouped ? 'seq' : ['seq', 'id'] });
        if (layout.endsWith('id index')) store.createIndex('id', 'id', { unique: true });
      };
      const db = await request(open);
      const record = (seq) => ({ v: 1, seq, id: `r-${seq}`, run: 'run', kind: 'metrics', body: { values: { step: seq, loss: 1 / (seq + 1), acc: seq / (seq + 100) }, created_at: '2026-12-03T20:00:00.000Z' }, createdAt: seq, bytes: 90 });
      const appendStarted = performance.now();
      for (let g = 0; g < groups; g++) {
        const transaction = db.transaction('records', 'readwrite');
        const store = transaction.objectStore('records');
        const records = Array.from({ length: perGroup }, (_, i) => record(g * perGroup + i));
        if (grouped) store.put({ seq: g * perGroup, records });
        else for (const one of records) store.put(one);
        await done(transaction);
      }
      const appendMs = performance.now() - appendStarted;
      const drainStarted = performance.now();
      let drained = 0;
      for (;;) {
        const transaction = db.transaction('records', 'readwrite', { durability: 'relaxed' });
        const store = transaction.objectStore('records');
        const rows = await request(store.getAll(null, grouped ? perDrain / perGroup : perDrain));
        if (rows.length === 0) break;
        const [first, last] = [rows[0], rows[rows.length - 1]];
        store.delete(grouped ? IDBKeyRange.bound(first.seq, last.seq) : IDBKeyRange.bound([first.seq], [last.seq, []]));
        await done(transaction);
        drained += grouped ? rows.reduce((sum, row) => sum + row.records.length, 0) : rows.length;
      }
      const drainMs = performance.now() - drainStarted;
      const name = db.name;
      db.close();
      await request(indexedDB.deleteDatabase(name));
      return { appendMs, drainMs, drained };
    },
    [layout, GROUPS, PER_GROUP, PER_DRAIN],
  );
}

export const idbLayoutBench = {
  name: 'idb-layout',
  summary: `raw IndexedDB in Chromium: ${(GROUPS * PER_GROUP).toLocaleString('en-US')} records written and drained, one value per record vs one per ${PER_GROUP.toLocaleString('en-US')}`,
  target: 'none (figures that size a change of layout)',
  async run() {
    const chromium = await openChromium({});
    try {
      const page = await chromium.openPage('blank.html');
      const rows = [];
      for (const layout of LAYOUTS) {
        progress(`idb-layout: ${layout}`);
        const measured = await measure(page, layout);
        if (measured.drained !== GROUPS * PER_GROUP) throw new Error(`idb-layout: drained ${measured.drained} of ${GROUPS * PER_GROUP} records (${layout})`);
        rows.push(result(`written, ${layout}`, measured.appendMs / 1000, 's', { note: `${GROUPS} transactions of ${PER_GROUP.toLocaleString('en-US')} records` }));
        rows.push(result(`drained, ${layout}`, measured.drainMs / 1000, 's', { note: `getAll + range delete of ${PER_DRAIN.toLocaleString('en-US')} records per transaction` }));
      }
      return { rows, data: { groups: GROUPS, perGroup: PER_GROUP, perDrain: PER_DRAIN, chromium: chromium.version } };
    } finally {
      await chromium.close();
    }
  },
};
