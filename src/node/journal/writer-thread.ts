/**
 * The journal's writer thread (F32): it moves bytes from a SharedArrayBuffer ring to the journal
 * file with write(2), on its own thread, so a record reaches the file within milliseconds of the
 * call even when the main thread never yields again (a long synchronous computation right after
 * logging, then SIGKILL). The main thread only copies serialised lines into the ring
 * (journal/ring.ts); nothing on the hot path waits for the disk.
 *
 * The thread's source is a string run with `eval: true`: one file to find in every build (ESM,
 * CJS, bundled or not), and nothing for a bundler to rewrite. It writes to the file descriptor
 * number the main thread puts in the control block (threads share the process's descriptors), and
 * only while holding the ring's lock, which the main thread takes to write on its own (at exit, when
 * the ring is full) or to swap the file (compaction).
 */

/** Int32 slots of the control block shared with the thread. */
export const CONTROL = {
  /** Bytes ever put in the ring, mod 2^32 (main thread moves it). */
  head: 0,
  /** Bytes ever written to the file, mod 2^32 (whoever holds the lock moves it). */
  tail: 1,
  /** 1 while someone writes from the ring to the file. */
  lock: 2,
  /** The file descriptor to write to. */
  fd: 3,
  /** errno of the write that failed (full disk); 0 while writes succeed. Cleared by the main thread. */
  failed: 4,
  /** 1 while the thread sleeps on `head`: only then does the main thread pay for a notify. */
  sleeping: 5,
  /** 1 once the journal closes: the thread ends. */
  stop: 6,
} as const;
export const CONTROL_SLOTS = 8;

/**
 * While records keep coming, the thread looks at the ring every POLL_MS without being woken: a
 * notify per call would cost the caller a futex wake-up each (microseconds, more than the rest of
 * `logMetrics`). After DEEP_SLEEP_AFTER_MS without bytes it sleeps until notified (the main thread
 * notifies only then), looking anyway every IDLE_WAIT_MS as a safety net. POLL_MS bounds how long
 * a record waits in the ring: F32 asks for 10 ms.
 */
const POLL_MS = 2;
const DEEP_SLEEP_AFTER_MS = 1_000;
const IDLE_WAIT_MS = 250;

export const WRITER_THREAD_SOURCE = `
'use strict';
const { workerData } = require('node:worker_threads');
const { writevSync } = require('node:fs');
const { errno } = require('node:os').constants;
const c = new Int32Array(workerData.control);
const data = new Uint8Array(workerData.data);
const capacity = data.length;
const HEAD = ${CONTROL.head}, TAIL = ${CONTROL.tail}, LOCK = ${CONTROL.lock}, FD = ${CONTROL.fd};
const FAILED = ${CONTROL.failed}, SLEEPING = ${CONTROL.sleeping}, STOP = ${CONTROL.stop};

function writeOut() {
  let at = Atomics.load(c, TAIL) >>> 0;
  let pending = ((Atomics.load(c, HEAD) >>> 0) - at) >>> 0;
  while (pending > 0) {
    const start = at % capacity;
    const first = Math.min(pending, capacity - start);
    const parts = first < pending ? [data.subarray(start, start + first), data.subarray(0, pending - first)] : [data.subarray(start, start + first)];
    let written;
    try {
      written = writevSync(Atomics.load(c, FD), parts);
    } catch (error) {
      Atomics.store(c, FAILED, (error && errno[error.code]) || 5);
      return;
    }
    at = (at + written) >>> 0;
    pending -= written;
    Atomics.store(c, TAIL, at | 0);
  }
}

let lastBytesAt = Date.now();
for (;;) {
  if (Atomics.load(c, STOP) === 1) break;
  const head = Atomics.load(c, HEAD);
  if (head === Atomics.load(c, TAIL) || Atomics.load(c, FAILED) !== 0) {
    if (Date.now() - lastBytesAt < ${DEEP_SLEEP_AFTER_MS}) {
      Atomics.wait(c, HEAD, head, ${POLL_MS});
      continue;
    }
    Atomics.store(c, SLEEPING, 1);
    if (Atomics.load(c, HEAD) === head && Atomics.load(c, STOP) === 0) Atomics.wait(c, HEAD, head, ${IDLE_WAIT_MS});
    Atomics.store(c, SLEEPING, 0);
    continue;
  }
  lastBytesAt = Date.now();
  if (Atomics.compareExchange(c, LOCK, 0, 1) !== 0) {
    Atomics.wait(c, LOCK, 1, 5);
    continue;
  }
  try {
    if (Atomics.load(c, STOP) === 0 && Atomics.load(c, FAILED) === 0) writeOut();
  } finally {
    Atomics.store(c, LOCK, 0);
    Atomics.notify(c, LOCK);
    Atomics.notify(c, TAIL);
  }
}
`;
