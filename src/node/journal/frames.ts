/**
 * What the journal's ring (journal/ring.ts) carries: frames, each `[u32 payload length][u8 type]`
 * then the payload, little-endian, never split across the ring's end (a pad frame fills the end
 * instead; fewer than FRAME_HEADER_BYTES left there is an implicit pad).
 *
 * - TEXT: journal lines, UTF-8, as they go to the file.
 * - METRIC: one `logMetrics` record in binary (ids, numbers, indexes of names defined earlier).
 *   The writer thread turns it into its `add` line, so the caller's thread pays a few typed-array
 *   stores per call instead of serialising the record (F32 on the hot path).
 * - DEFINE: a JSON-quoted string (a metric name, a run key) under an index METRIC frames refer to.
 * - DATETIME: the `created_at` string of the METRIC frames that follow (it changes once per ms).
 *
 * The decoder is JavaScript source, not a function: the writer thread runs it from a string
 * (writer-thread.ts), and the main thread compiles the same text when it has to write the ring
 * itself (no thread). One text, so both write the same lines.
 */

export const FRAME_HEADER_BYTES = 5;
export const FRAME = { pad: 0, text: 1, metric: 2, define: 3, datetime: 4 } as const;
/** Longest id a METRIC frame carries as text (newRecordId gives 36 characters). */
export const MAX_ID_LENGTH = 64;
/**
 * The id-length byte of a METRIC frame whose id goes as its number (`recordIdKey`, f64) and the
 * index of its process suffix (u32, a DEFINE'd name): 12 bytes of stores instead of writing 36
 * characters into the ring, which cost the caller's thread more than the rest of the frame.
 */
export const ID_AS_KEY = 0xff;
/** Bytes of an id given as its number: the key (f64) and the suffix's name index (u32). */
export const ID_KEY_BYTES = 12;

/**
 * Defines `decodeFrames(data, capacity, tail, head, state, emit, most)`: hands `emit` the journal
 * text of the frames between `tail` and `head` (ring positions) as byte chunks, in order; `emit`
 * writes each before it returns (the chunks are reused). With `most`, it stops at the first frame
 * boundary at least that many bytes past `tail`; it returns the position it reached. `state`
 * (newDecoderState()) carries DEFINE and DATETIME frames and the output buffer from one call to
 * the next. `data` is a Buffer over the
 * ring. A METRIC frame's line is exactly what journal/format.ts `addLine` writes for the record,
 * body serialised as `JSON.stringify` would.
 *
 * Lines are put together as bytes in one reused buffer, never as strings: at hundreds of
 * thousands of points a second, building a string per line (then one large string to encode)
 * kept the writer thread's garbage collector busy for half its time and the ring full.
 */
export const FRAME_DECODER_SOURCE = `
const LINE_START = Buffer.from('{"op":"add","r":{"v":1,"id":"');
const AFTER_ID = Buffer.from('","seq":');
const AFTER_SEQ = Buffer.from(',"run":');
const AFTER_RUN = Buffer.from(',"kind":"metrics","createdAt":');
const AFTER_CREATED_AT = Buffer.from(',"bytes":');
const AFTER_BYTES = Buffer.from(',"body":{"values":{');
const AFTER_VALUES = Buffer.from('},"created_at":"');
const LINE_END = Buffer.from('"}}}\\n');
const NULL = Buffer.from('null');
const HEX_DIGITS = Buffer.from('0123456789abcdef');
/** A METRIC line's bytes beyond its id, names and datetime: the constants above and numbers at their longest. */
const LINE_FIXED_MOST = 250;
const NUMBER_MOST = 25;

function decodeFrames(data, capacity, tail, head, state, emit, most = Infinity) {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const names = state.names;
  let out = state.out;
  let o = 0;
  const put = (bytes) => {
    out.set(bytes, o);
    o += bytes.length;
  };
  // A number as JSON.stringify writes it: safe integers digit by digit, others through String().
  const putNumber = (n) => {
    if (Number.isSafeInteger(n)) {
      if (n < 0) {
        out[o++] = 45;
        n = -n;
      }
      const start = o;
      do {
        const q = Math.floor(n / 10);
        out[o++] = 48 + (n - q * 10);
        n = q;
      } while (n > 0);
      for (let i = start, j = o - 1; i < j; i++, j--) {
        const t = out[i];
        out[i] = out[j];
        out[j] = t;
      }
      return;
    }
    const text = String(n);
    for (let i = 0; i < text.length; i++) out[o++] = text.charCodeAt(i);
  };
  // The last \`digits\` lowercase hex digits of n (an integer below 2^32), leading zeros kept.
  const putHex = (n, digits) => {
    for (let i = digits - 1; i >= 0; i--) {
      out[o + i] = HEX_DIGITS[n & 15];
      n >>>= 4;
    }
    o += digits;
  };
  let at = tail >>> 0;
  const end = head >>> 0;
  while (at !== end && ((at - tail) >>> 0) < most) {
    const start = at % capacity;
    if (capacity - start < ${FRAME_HEADER_BYTES}) { at = (at + (capacity - start)) >>> 0; continue; }
    const length = view.getUint32(start, true);
    const type = data[start + 4];
    const p = start + ${FRAME_HEADER_BYTES};
    if (type === ${FRAME.text}) {
      if (o > 0) { emit(out.subarray(0, o)); o = 0; }
      // A view, not a copy: these ring bytes stay as they are until the tail moves past them, after the write.
      emit(data.subarray(p, p + length));
    } else if (type === ${FRAME.metric}) {
      const idAsKey = data[p + 24] === ${ID_AS_KEY};
      const idLength = idAsKey ? ${ID_KEY_BYTES} : data[p + 24];
      const keys = view.getUint16(p + 25 + idLength, true);
      const run = names[view.getUint32(p + 20, true)];
      // An id, spelled from its number (36 bytes) or given as text, is at most MAX_ID_LENGTH bytes.
      let most = LINE_FIXED_MOST + ${MAX_ID_LENGTH} + run.length + state.datetime.length;
      for (let k = 0, q = p + 27 + idLength; k < keys; k++, q += 13) most += names[view.getUint32(q, true)].length + NUMBER_MOST;
      if (o + most > out.length) {
        if (o > 0) { emit(out.subarray(0, o)); o = 0; }
        if (most > out.length) out = state.out = Buffer.allocUnsafe(most * 2);
      }
      put(LINE_START);
      if (idAsKey) {
        // The id as newRecordId wrote it: 48-bit time in hex (8-4 digits), "-7", the counter in
        // three hex digits, then the process suffix (its name without the quotes).
        const key = view.getFloat64(p + 25, true);
        const count = key % 4096;
        const time = (key - count) / 4096;
        // 48 bits as two 24-bit halves, so every digit is an integer shift.
        const high = Math.floor(time / 16777216);
        const low = time - high * 16777216;
        putHex(high, 6);
        putHex(low >>> 16, 2);
        out[o++] = 45;
        putHex(low, 4);
        out[o++] = 45;
        out[o++] = 55;
        putHex(count, 3);
        const suffix = names[view.getUint32(p + 33, true)];
        out.set(suffix.subarray(1, suffix.length - 1), o);
        o += suffix.length - 2;
      } else {
        for (let i = p + 25, idEnd = p + 25 + idLength; i < idEnd; i++) out[o++] = data[i];
      }
      put(AFTER_ID);
      putNumber(view.getFloat64(p + 8, true));
      put(AFTER_SEQ);
      put(run);
      put(AFTER_RUN);
      putNumber(view.getFloat64(p, true));
      put(AFTER_CREATED_AT);
      putNumber(view.getUint32(p + 16, true));
      put(AFTER_BYTES);
      let q = p + 27 + idLength;
      for (let k = 0; k < keys; k++, q += 13) {
        if (k > 0) out[o++] = 44;
        put(names[view.getUint32(q, true)]);
        out[o++] = 58;
        if (data[q + 4] === 1) put(NULL);
        else putNumber(view.getFloat64(q + 5, true));
      }
      put(AFTER_VALUES);
      put(state.datetime);
      put(LINE_END);
    } else if (type === ${FRAME.define}) {
      // Copied: the ring's bytes are overwritten once the tail moves on.
      names[view.getUint32(p, true)] = Buffer.from(data.subarray(p + 4, p + length));
    } else if (type === ${FRAME.datetime}) {
      state.datetime = Buffer.from(data.subarray(p, p + length));
    }
    at = (at + ${FRAME_HEADER_BYTES} + length) >>> 0;
  }
  if (o > 0) emit(out.subarray(0, o));
  return at;
}

function newDecoderState() {
  return { names: [], datetime: Buffer.alloc(0), out: Buffer.allocUnsafe(1 << 20) };
}
`;

export interface DecoderState {
  /** Each defined name as its JSON text, in UTF-8. */
  names: Buffer[];
  /** The `created_at` of the METRIC frames that follow. */
  datetime: Buffer;
  /** Where lines are put together (grows for a line larger than it). */
  out: Buffer;
}

export type DecodeFrames = (data: Buffer, capacity: number, tail: number, head: number, state: DecoderState, emit: (bytes: Uint8Array) => void, most?: number) => number;

/** The decoder and a fresh state for it, compiled on this thread from the same source the writer thread runs. */
export function compileDecoder(): { decode: DecodeFrames; state: DecoderState } {
  const { decodeFrames, newDecoderState } = new Function('Buffer', `${FRAME_DECODER_SOURCE}\nreturn { decodeFrames, newDecoderState };`)(Buffer) as {
    decodeFrames: DecodeFrames;
    newDecoderState(): DecoderState;
  };
  return { decode: decodeFrames, state: newDecoderState() };
}
