import { open, type FileHandle } from 'node:fs/promises';

/**
 * Group commit for the acknowledgement path. SQLite runs with `synchronous=NORMAL` in WAL mode:
 * a commit writes its frames to the WAL (safe from a killed process, not yet from a power cut)
 * without an fsync. Before any request that wrote is answered, `durable()` waits for one
 * fdatasync of the WAL that started after its commit; requests committed while an fsync is in
 * flight share the next one. The result is `synchronous=FULL`'s guarantee (a 2xx only once the
 * commit is on disk) at one fsync per group instead of one per request, done on libuv's thread
 * pool instead of blocking the event loop. A power cut can lose only commits that were never
 * acknowledged; checkpoints keep NORMAL's own fsyncs (WAL before, database after).
 */
export class WalSync {
  #committed = 0;
  #synced = 0;
  #waiters: Array<{ generation: number; resolve: () => void; reject: (error: unknown) => void }> = [];
  #running = false;
  #walInode: number | undefined;
  #wal: { handle: FileHandle; inode: number } | undefined;
  private readonly syncFile: (file: string) => Promise<number>;

  constructor(
    private readonly walFile: string,
    /** Synced when the WAL file is new, so its directory entry survives a power cut as well. */
    private readonly folder: string,
    /** fdatasync of a file, resolving with its inode. Default: the WAL's handle kept open. */
    syncFile?: (file: string) => Promise<number>,
  ) {
    this.syncFile = syncFile ?? ((file) => (file === this.walFile ? this.#syncWal() : datasync(file)));
  }

  /** Closes the WAL handle kept for syncing (after the last `durable()`). */
  async close(): Promise<void> {
    const wal = this.#wal;
    this.#wal = undefined;
    await wal?.handle.close();
  }

  /** The WAL lives as long as the database is open, so one handle serves every sync. */
  async #syncWal(): Promise<number> {
    if (!this.#wal) {
      const handle = await open(this.walFile, 'r');
      this.#wal = { handle, inode: (await handle.stat()).ino };
    }
    await this.#wal.handle.datasync();
    return this.#wal.inode;
  }

  /** Counts one more commit whose effects must reach the disk before it is acknowledged. */
  committed(): void {
    this.#committed += 1;
  }

  /** Resolves once every commit counted before this call is on disk; rejects if the fsync failed. */
  durable(): Promise<void> {
    const generation = this.#committed;
    if (generation <= this.#synced) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.#waiters.push({ generation, resolve, reject });
      if (!this.#running) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#running = true;
    try {
      while (this.#waiters.length > 0) {
        const target = this.#committed;
        let failure: unknown;
        try {
          const inode = await this.syncFile(this.walFile);
          if (inode !== this.#walInode) {
            await this.syncFile(this.folder).catch(() => undefined);
            this.#walInode = inode;
          }
          this.#synced = Math.max(this.#synced, target);
        } catch (error) {
          failure = error;
        }
        const settled = this.#waiters.filter((waiter) => waiter.generation <= target);
        this.#waiters = this.#waiters.filter((waiter) => waiter.generation > target);
        for (const waiter of settled) {
          if (failure === undefined) waiter.resolve();
          else waiter.reject(failure);
        }
      }
    } finally {
      this.#running = false;
    }
  }
}

/** fdatasync of `file`; resolves with its inode. A folder is opened read-only for its fsync. */
async function datasync(file: string): Promise<number> {
  const handle = await open(file, 'r');
  try {
    await handle.datasync();
    return (await handle.stat()).ino;
  } finally {
    await handle.close();
  }
}
