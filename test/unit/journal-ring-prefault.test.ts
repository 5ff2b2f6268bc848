/**
 * Memory the journal's writer thread touches ahead of the main thread (`JournalRing.prefaulted`):
 * its pages become resident without a store from this thread, and what this thread writes into it
 * meanwhile stays as written. Residency is read from /proc (Linux).
 */
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { JournalRing } from '../../src/node/journal/ring';
import { journalPathsRemovedAfterEach } from '../helpers/journal-paths';

const newJournalPath = journalPathsRemovedAfterEach();

function openFile(): number {
  return openSync(newJournalPath('ring-prefault-'), 'a', 0o600);
}

/** Resident memory of this process, in bytes. */
function residentBytes(): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))![1]) * 1024;
}

const PAGE = 4096;
const MIB = 1024 * 1024;

it.skipIf(!existsSync('/proc/self/status'))('the writer thread makes handed-out memory resident, and keeps what the caller wrote in it meanwhile', async () => {
  const fd = openFile();
  const ring = new JournalRing(fd);
  const before = residentBytes();
  const memory = ring.prefaulted(64 * MIB)!;
  expect(memory).toBeInstanceOf(SharedArrayBuffer);
  // This thread writes into every 64th page while the thread goes through them all.
  const bytes = new Uint8Array(memory);
  for (let at = 0; at < bytes.length; at += 64 * PAGE) bytes[at] = 1 + ((at / PAGE) % 250);
  const deadline = Date.now() + 10_000;
  while (residentBytes() - before < 60 * MIB && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  // 16,384 pages of which this thread stored into 256: the rest came resident by the thread's touches.
  expect(residentBytes() - before).toBeGreaterThanOrEqual(60 * MIB);
  for (let at = 0; at < bytes.length; at += PAGE) expect(bytes[at]).toBe(at % (64 * PAGE) === 0 ? 1 + ((at / PAGE) % 250) : 0);
  ring.close();
  closeSync(fd);
});

it.skipIf(!existsSync('/proc/self/status'))('of memory handed out with regions, the thread touches those regions and nothing else', async () => {
  const fd = openFile();
  const ring = new JournalRing(fd);
  const before = await settledResidentBytes();
  // The metric table hands out a chunk with its columns as regions: the thread touches the same
  // share of each in turn, as a burst fills them side by side.
  ring.prefaulted(64 * MIB, [
    [0, 8 * MIB],
    [40 * MIB, 8 * MIB],
  ]);
  const grown = (await settledResidentBytes()) - before;
  expect(grown).toBeGreaterThanOrEqual(15 * MIB);
  expect(grown).toBeLessThan(24 * MIB);
  ring.close();
  closeSync(fd);
});

/** Waits until resident memory has stayed within a page of itself for 200 ms, and gives it. */
async function settledResidentBytes(): Promise<number> {
  let last = residentBytes();
  for (let quiet = 0; quiet < 10; ) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    const now = residentBytes();
    quiet = Math.abs(now - last) <= PAGE ? quiet + 1 : 0;
    last = now;
  }
  return last;
}

it.skipIf(!existsSync('/proc/self/status'))('the ring is made resident a lead ahead of its head, not whole at open', async () => {
  const fd = openFile();
  const text = `${'x'.repeat(MIB - 1)}\n`;
  const before = await settledResidentBytes();
  const ring = new JournalRing(fd, { ringBytes: 32 * MIB });
  // Idle: the first 4 MiB of 32, with the thread's own heap (some 7 MiB) beside them.
  const idle = (await settledResidentBytes()) - before;
  expect(idle).toBeLessThan(20 * MIB);
  for (let i = 0; i < 16; i++) ring.pushText(text);
  await ring.written();
  // The head at 16 MiB, the lead 4 MiB past it: 16 MiB more than idle (and the 1 MiB text).
  const grown = (await settledResidentBytes()) - before - idle;
  expect(grown).toBeGreaterThanOrEqual(15 * MIB);
  expect(grown).toBeLessThan(20 * MIB);
  ring.close();
  closeSync(fd);
});

it('without a writer thread there is no memory to hand out: the caller takes fresh memory', () => {
  const fd = openFile();
  const ring = new JournalRing(fd, { thread: false });
  expect(ring.prefaulted(MIB)).toBeUndefined();
  ring.close();
  closeSync(fd);
});
