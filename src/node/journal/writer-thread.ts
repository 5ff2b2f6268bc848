/**
 * The journal's writer thread (F32): it turns the frames of a SharedArrayBuffer ring into journal
 * lines (journal/frames.ts) and writes them to the file with write(2), on its own thread, so a
 * record reaches the file within milliseconds of the call even when the main thread never yields
 * again (a long synchronous computation right after logging, then SIGKILL). The main thread only
 * copies frames into the ring (journal/ring.ts); nothing on the hot path serialises a metric point
 * or waits for the disk.
 *
 * The thread's source is a string run with `eval: true`: one file to find in every build (ESM,
 * CJS, bundled or not), and nothing for a bundler to rewrite. It writes to the file descriptor
 * number the main thread puts in the control block (threads share the process's descriptors), and
 * only while holding the ring's lock, which the main thread takes to swap the file (compaction,
 * recovery). While the thread lives, only it decodes frames (names defined in the ring are its
 * state); the main thread waits for it at exit instead of writing.
 *
 * Between writes the thread also touches memory ahead of the main thread: the ring a lead ahead of
 * its head, on the first lap only (later laps find their pages resident), and each buffer handed
 * over by `JournalRing.prefaulted` (the metric table's next chunk). The first store to a fresh page
 * is a page fault, about 10 µs on a virtual machine: a million queued points are some 20,000 fresh
 * pages, a fifth of a burst's time if the caller's thread took them. A touch is an atomic OR with 0
 * (the byte keeps whatever the main thread wrote meanwhile), a piece at a time so that no write
 * waits long for it. Only a lead, not the whole ring: a process that logs a few points keeps 4 MiB
 * of its ring resident, not 32.
 */

import { FRAME_DECODER_SOURCE } from './frames';

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
/**
 * Ring bytes turned into lines per write before the tail moves: a full ring frees room a piece at a
 * time, so a caller waiting for room goes on while the rest is written (the two threads overlap).
 */
const WRITE_OUT_MOST_BYTES = 1024 * 1024;
const DEEP_SLEEP_AFTER_MS = 1_000;
const IDLE_WAIT_MS = 250;
/** One store per page of this size touches every page (larger pages are touched more than once). */
const PAGE_BYTES = 4096;
/**
 * Bytes touched between two looks at the ring: 256 pages, about 3 ms on a virtual machine. In a
 * burst, up to BURST_TOUCH_PIECES of them per WRITE_OUT_MOST_BYTES written.
 */
const TOUCH_PIECE_BYTES = 256 * PAGE_BYTES;
/**
 * How far ahead of the ring's head its pages are made resident: four pieces, more than a burst
 * fills while the thread writes out WRITE_OUT_MOST_BYTES and touches a piece of the table.
 */
const RING_LEAD_BYTES = 4 * TOUCH_PIECE_BYTES;
/**
 * While a burst fills the ring (at least this many bytes wait in it), the ring's lead and a buffer
 * handed over are touched up to BURST_TOUCH_PIECES pieces at a time: the caller fills the ring's
 * first lap and the metric table (about 1.3 bytes for each byte of frames) faster than one piece
 * per WRITE_OUT_MOST_BYTES written, which left its thread to fault in half of them. Out of a burst
 * a piece at a time, so that a record logged meanwhile waits for a few ms of touches at most (F32).
 */
const BURST_BYTES = 256 * 1024;
const BURST_TOUCH_PIECES = 4;

export const WRITER_THREAD_SOURCE = `
'use strict';
const { workerData, parentPort, receiveMessageOnPort } = require('node:worker_threads');
const { writeSync } = require('node:fs');
const { errno } = require('node:os').constants;
const c = new Int32Array(workerData.control);
const data = Buffer.from(workerData.data);
const capacity = data.length;
const HEAD = ${CONTROL.head}, TAIL = ${CONTROL.tail}, LOCK = ${CONTROL.lock}, FD = ${CONTROL.fd};
const FAILED = ${CONTROL.failed}, SLEEPING = ${CONTROL.sleeping}, STOP = ${CONTROL.stop};

${FRAME_DECODER_SOURCE}
const state = newDecoderState();
const fd = () => Atomics.load(c, FD);
function writeBytes(bytes) {
  for (let offset = 0; offset < bytes.length; ) offset += writeSync(fd(), bytes, offset, bytes.length - offset);
}

function writeOut() {
  const head = Atomics.load(c, HEAD);
  const tail = Atomics.load(c, TAIL);
  if (head === tail) return;
  let reached;
  try {
    reached = decodeFrames(data, capacity, tail, head, state, writeBytes, ${WRITE_OUT_MOST_BYTES});
  } catch (error) {
    Atomics.store(c, FAILED, (error && errno[error.code]) || 5);
    return;
  }
  Atomics.store(c, TAIL, reached | 0);
}

function touchPages(bytes, from, to) {
  for (let at = from; at < to; at += ${PAGE_BYTES}) Atomics.or(bytes, at, 0);
}

// The ring's first lap, a lead ahead of its head; past it, every page was written once.
const ring = new Uint8Array(workerData.data);
let ringTouchedUpTo = 0;
/** Touches the next \`pieces\` pieces of the ring ahead of its head; false when nothing is to touch now. */
function touchRingAhead(pieces) {
  if (ringTouchedUpTo === capacity) return false;
  const head = Atomics.load(c, HEAD) >>> 0;
  if (head >= capacity) {
    ringTouchedUpTo = capacity;
    return false;
  }
  // The main thread's own stores made its pages up to the head resident.
  const from = Math.max(ringTouchedUpTo, head - (head % ${PAGE_BYTES}));
  const end = Math.min(capacity, head + ${RING_LEAD_BYTES}, from + pieces * ${TOUCH_PIECE_BYTES});
  if (end <= from) return false;
  touchPages(ring, from, end);
  ringTouchedUpTo = end;
  return true;
}

// Buffers sent over by JournalRing.prefaulted, one at a time, with the regions the main thread
// fills side by side: a piece is the same share of each region.
let touching;
let regions;
let touchedShare = 0;
/** Touches the next \`pieces\` pieces of a buffer sent over; false when none is left to touch. */
function touchSentAhead(pieces) {
  if (touching === undefined) {
    const sent = receiveMessageOnPort(parentPort);
    if (sent === undefined) return false;
    touching = new Uint8Array(sent.message.memory);
    regions = sent.message.regions;
    touchedShare = 0;
  }
  const share = Math.min(1, touchedShare + (pieces * ${TOUCH_PIECE_BYTES}) / touching.length);
  for (const [offset, length] of regions) {
    touchPages(touching, offset + Math.floor(touchedShare * length), offset + Math.floor(share * length));
  }
  touchedShare = share;
  if (share === 1) touching = undefined;
  return true;
}
/** Some of each, as a burst fills both at once; false when neither had anything to touch. */
function touchSome() {
  const waiting = ((Atomics.load(c, HEAD) >>> 0) - (Atomics.load(c, TAIL) >>> 0)) >>> 0;
  const pieces = waiting >= ${BURST_BYTES} ? ${BURST_TOUCH_PIECES} : 1;
  const ringTouched = touchRingAhead(pieces);
  return touchSentAhead(pieces) || ringTouched;
}

let lastBytesAt = Date.now();
for (;;) {
  if (Atomics.load(c, STOP) === 1) break;
  const touched = touchSome();
  const head = Atomics.load(c, HEAD);
  if (head === Atomics.load(c, TAIL) || Atomics.load(c, FAILED) !== 0) {
    if (touched) continue;
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
