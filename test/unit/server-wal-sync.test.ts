import { describe, expect, it } from 'vitest';
import { WalSync } from '../../src/server/store/durability';

/** A sync function the test finishes by hand, recording what was synced and when. */
function scriptedSync() {
  const calls: Array<{ file: string; finish: (inode?: number) => void; fail: (error: Error) => void }> = [];
  const sync = (file: string) =>
    new Promise<number>((resolve, reject) => {
      calls.push({ file, finish: (inode = 1) => resolve(inode), fail: reject });
    });
  return { calls, sync };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('WalSync: an acknowledgement waits for an fsync that started after its commit', () => {
  it('resolves a commit only after a sync begun later; commits during a sync share the next one', async () => {
    const { calls, sync } = scriptedSync();
    const wal = new WalSync('/data/server.db-wal', '/data', sync);
    wal.committed();
    let firstDone = false;
    const first = wal.durable().then(() => (firstDone = true));
    await flush();
    expect(calls.map((call) => call.file)).toEqual(['/data/server.db-wal']);

    // Two more commits while the first sync runs: they must not ride on it.
    wal.committed();
    let laterDone = 0;
    const second = wal.durable().then(() => (laterDone += 1));
    wal.committed();
    const third = wal.durable().then(() => (laterDone += 1));
    calls[0].finish(7);
    await flush();
    // A new WAL file (first inode seen): its folder is synced too.
    expect(calls.map((call) => call.file)).toEqual(['/data/server.db-wal', '/data']);
    calls[1].finish();
    await first;
    expect(firstDone).toBe(true);
    expect(laterDone).toBe(0);
    await flush();
    expect(calls).toHaveLength(3);
    calls[2].finish(7);
    await Promise.all([second, third]);
    expect(laterDone).toBe(2);
    // Nothing new committed: no sync needed.
    await wal.durable();
    expect(calls).toHaveLength(3);
  });

  it('a failed sync rejects the commits that waited on it; the next commit syncs again', async () => {
    const { calls, sync } = scriptedSync();
    const wal = new WalSync('/data/server.db-wal', '/data', sync);
    wal.committed();
    const failed = wal.durable();
    await flush();
    calls[0].fail(Object.assign(new Error('EIO'), { code: 'EIO' }));
    await expect(failed).rejects.toMatchObject({ code: 'EIO' });
    wal.committed();
    const retried = wal.durable();
    await flush();
    calls[1].finish(3);
    await flush();
    calls[2]?.finish();
    await expect(retried).resolves.toBeUndefined();
  });
});
