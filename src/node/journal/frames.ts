/**
 * What the journal's ring (journal/ring.ts) carries: frames, each `[u32 payload length][u8 type]`
 * then the payload, little-endian, never split across the ring's end (a pad frame fills the end
 * instead; fewer than FRAME_HEADER_BYTES left there is an implicit pad).
 *
 * - TEXT: journal lines, UTF-8, as they go to the file.
 * - METRIC: one `logMetrics` record in binary (ids, numbers, indexes of names defined earlier).
 *   The writer thread turns it into its `add` line, so the caller's thread pays a few typed-array
 *   stores per call instead of serialising the record (F32 on the hot path).
 * - NEXT: a `logMetrics` record that follows the point of the METRIC or NEXT frame before it (same
 *   run, keys and size, the next `seq`): the steps of its time and id from that point, then its
 *   values. What a training loop logs call after call.
 * - DEFINE: a JSON-quoted string (a metric name, a run key) under an index METRIC frames refer to.
 * - DATETIME: the `created_at` string of the METRIC frames that follow (it changes once per ms).
 *
 * The decoder is JavaScript source, not a function: the writer thread runs it from a string
 * (writer-thread.ts), and the main thread compiles the same text when it has to write the ring
 * itself (no thread). One text, so both write the same lines.
 */

export const FRAME_HEADER_BYTES = 5;
export const FRAME = { pad: 0, text: 1, metric: 2, define: 3, datetime: 4, next: 5 } as const;
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
/** A METRIC frame's bytes per key: name index (u32), null flag (u8), value (f64). */
export const METRIC_KEY_BYTES = 13;
/** A NEXT frame's fixed part: `createdAt` step (i32), id key step (u32), key count (u16). */
export const NEXT_FIXED_BYTES = 10;
/** A NEXT frame's bytes per key: null flag (u8), value (f64); the names are the last point's. */
export const NEXT_KEY_BYTES = 9;

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
 * kept the writer thread's garbage collector busy for half its time and the ring full. What
 * repeats from line to line (the start up to an id's counter, the run and `createdAt`, each key
 * with its quotes and colon, the end after the values) is kept as bytes and copied whole, and the
 * values that are not integers are formatted a window of frames at a time: `String()` of each had
 * taken half the thread's time, and while the ring is full the caller goes at the thread's pace.
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
/** Metric frames whose values are formatted together (formatWindow). */
const WINDOW_FRAMES = 1024;

function decodeFrames(data, capacity, tail, head, state, emit, most = Infinity) {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const names = state.names;
  const keyParts = state.keyParts;
  let out = state.out;
  let o = 0;
  const put = (bytes) => {
    out.set(bytes, o);
    o += bytes.length;
  };
  // A number as JSON.stringify writes it: integers digit by digit (those below 2^31 in integer
  // arithmetic, from the last digit back), others through String().
  const putNumber = (n) => {
    if (n >= 0 && n <= 0x7fffffff && (n | 0) === n) {
      let digits = 1;
      for (let rest = n; rest >= 10; rest = (rest / 10) | 0) digits++;
      for (let i = o + digits - 1; i >= o; i--) {
        const q = (n / 10) | 0;
        out[i] = 48 + n - q * 10;
        n = q;
      }
      o += digits;
      return;
    }
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
  // The line's bytes from its start to the id's counter: the same for every id of one millisecond.
  const idHead = (time) => {
    if (state.idTime === time) return state.idHead;
    const start = o;
    put(LINE_START);
    // 48 bits as two 24-bit halves, so every digit is an integer shift.
    const high = Math.floor(time / 16777216);
    const low = time - high * 16777216;
    putHex(high, 6);
    putHex(low >>> 16, 2);
    out[o++] = 45;
    putHex(low, 4);
    out[o++] = 45;
    out[o++] = 55;
    state.idHead = Buffer.from(out.subarray(start, o));
    state.idTime = time;
    o = start;
    return state.idHead;
  };
  // From the id's suffix to the seq: the process suffix (its name without the quotes), then AFTER_ID.
  const idTail = (index) => {
    if (state.idTailIndex === index) return state.idTail;
    const suffix = names[index];
    state.idTail = Buffer.concat([suffix.subarray(1, suffix.length - 1), AFTER_ID]);
    state.idTailIndex = index;
    return state.idTail;
  };
  // From after the seq to the bytes: run and createdAt, the same for every point of one run and millisecond.
  const runPart = (runIndex, createdAt) => {
    if (state.runIndex === runIndex && state.createdAt === createdAt) return state.runPart;
    const start = o;
    put(AFTER_SEQ);
    put(names[runIndex]);
    put(AFTER_RUN);
    putNumber(createdAt);
    put(AFTER_CREATED_AT);
    state.runPart = Buffer.from(out.subarray(start, o));
    state.runIndex = runIndex;
    state.createdAt = createdAt;
    o = start;
    return state.runPart;
  };
  // A METRIC frame's layout: the id's length (its number or its characters), then the key count,
  // then per key its name index, null flag and value. A NEXT frame's: two steps, the key count,
  // then per key its null flag and value. formatWindow and the loop read values alike, from the
  // first null flag (valuesAt) a stride apart.
  const idLengthAt = (p) => (data[p + 24] === ${ID_AS_KEY} ? ${ID_KEY_BYTES} : data[p + 24]);
  const keysAt = (p, idLength) => view.getUint16(p + 25 + idLength, true);
  const firstKeyAt = (p, idLength) => p + 27 + idLength;
  const isPoint = (type) => type === ${FRAME.metric} || type === ${FRAME.next};
  const valueKeysAt = (type, p) => (type === ${FRAME.next} ? view.getUint16(p + 8, true) : keysAt(p, idLengthAt(p)));
  const valuesAt = (type, p) => (type === ${FRAME.next} ? p + ${NEXT_FIXED_BYTES} : firstKeyAt(p, idLengthAt(p)) + 4);
  const strideOf = (type) => (type === ${FRAME.next} ? ${NEXT_KEY_BYTES} : ${METRIC_KEY_BYTES});
  // Which values formatWindow formats: both sides must agree, value for value.
  const inWindow = (value) => !Number.isSafeInteger(value);
  // Values that are not integers, formatted for a window of frames at once: JSON.stringify of an
  // array of them costs half what String() of each does (no string, no number-cache entry per value).
  const doubles = state.doubles;
  let numbers = state.numbers;
  let numberAt = 0;
  // Gathers the non-integer values of the frames from \`from\` on (at most WINDOW_FRAMES of them, and
  // no further than the loop below goes) and formats them into \`numbers\`; gives where the window ends.
  const formatWindow = (from) => {
    let count = 0;
    let frames = 0;
    let scan = from;
    while (scan !== end && ((scan - tail) >>> 0) < most && frames < WINDOW_FRAMES) {
      const start = scan % capacity;
      if (capacity - start < ${FRAME_HEADER_BYTES}) { scan = (scan + (capacity - start)) >>> 0; continue; }
      const type = data[start + 4];
      if (isPoint(type)) {
        const p = start + ${FRAME_HEADER_BYTES};
        const keys = valueKeysAt(type, p);
        const stride = strideOf(type);
        for (let k = 0, q = valuesAt(type, p); k < keys; k++, q += stride) {
          if (data[q] === 1) continue;
          const value = view.getFloat64(q + 1, true);
          if (inWindow(value)) doubles[count++] = value;
        }
        frames++;
      }
      scan = (scan + ${FRAME_HEADER_BYTES} + view.getUint32(start, true)) >>> 0;
    }
    doubles.length = count;
    if (count > 0) {
      const text = JSON.stringify(doubles);
      if (text.length > numbers.length) numbers = state.numbers = Buffer.allocUnsafe(text.length * 2);
      numbers.latin1Write(text, 0);
    }
    // Past the opening bracket.
    numberAt = 1;
    return scan;
  };
  // The next value formatWindow formatted, up to the comma (or bracket) after it.
  const putFormatted = () => {
    for (let c = numbers[numberAt]; c !== 44 && c !== 93; c = numbers[++numberAt]) out[o++] = c;
    numberAt++;
  };
  let at = tail >>> 0;
  const end = head >>> 0;
  let windowEnd = at;
  while (at !== end && ((at - tail) >>> 0) < most) {
    if (at === windowEnd) windowEnd = formatWindow(at);
    const start = at % capacity;
    if (capacity - start < ${FRAME_HEADER_BYTES}) { at = (at + (capacity - start)) >>> 0; continue; }
    const length = view.getUint32(start, true);
    const type = data[start + 4];
    const p = start + ${FRAME_HEADER_BYTES};
    if (isPoint(type)) {
      const point = state.point;
      if (type === ${FRAME.metric}) {
        const idLength = idLengthAt(p);
        point.createdAt = view.getFloat64(p, true);
        point.seq = view.getFloat64(p + 8, true);
        point.bytes = view.getUint32(p + 16, true);
        point.runIndex = view.getUint32(p + 20, true);
        point.idAsKey = data[p + 24] === ${ID_AS_KEY};
        if (point.idAsKey) {
          point.key = view.getFloat64(p + 25, true);
          point.suffixIndex = view.getUint32(p + 33, true);
        }
        point.keys = keysAt(p, idLength);
        if (point.names.length < point.keys) point.names = new Uint32Array(point.keys * 2);
        for (let k = 0, q = firstKeyAt(p, idLength); k < point.keys; k++, q += ${METRIC_KEY_BYTES}) point.names[k] = view.getUint32(q, true);
      } else {
        // The ring's writer pushes one only after a point of an id of this process with these keys.
        if (!point.idAsKey || view.getUint16(p + 8, true) !== point.keys) throw new Error('a NEXT frame follows no point it could step from');
        point.createdAt += view.getInt32(p, true);
        point.key += view.getUint32(p + 4, true);
        point.seq += 1;
      }
      const idAsKey = point.idAsKey;
      const keys = point.keys;
      const runIndex = point.runIndex;
      // An id, spelled from its number (36 bytes) or given as text, is at most MAX_ID_LENGTH bytes.
      const most = LINE_FIXED_MOST + ${MAX_ID_LENGTH} + state.datetime.length + (keys + 1) * (state.longestName + NUMBER_MOST);
      if (o + most > out.length) {
        if (o > 0) { emit(out.subarray(0, o)); o = 0; }
        if (most > out.length) out = state.out = Buffer.allocUnsafe(most * 2);
      }
      if (idAsKey) {
        // The id as newRecordId wrote it: 48-bit time in hex (8-4 digits), "-7", the counter in
        // three hex digits, then the process suffix.
        const key = point.key;
        const count = key % 4096;
        put(idHead((key - count) / 4096));
        putHex(count, 3);
        put(idTail(point.suffixIndex));
      } else {
        // Only a METRIC frame carries an id as text.
        put(LINE_START);
        for (let i = p + 25, idEnd = p + 25 + data[p + 24]; i < idEnd; i++) out[o++] = data[i];
        put(AFTER_ID);
      }
      putNumber(point.seq);
      put(runPart(runIndex, point.createdAt));
      putNumber(point.bytes);
      put(AFTER_BYTES);
      const stride = strideOf(type);
      let q = valuesAt(type, p);
      for (let k = 0; k < keys; k++, q += stride) {
        const name = point.names[k];
        // The key's name, quoted, and the colon (with the comma before it past the first key).
        let part = keyParts[name];
        if (part === undefined) part = keyParts[name] = Buffer.concat([Buffer.from(','), names[name], Buffer.from(':')]);
        if (k === 0) {
          for (let i = 1; i < part.length; i++) out[o++] = part[i];
        } else {
          put(part);
        }
        if (data[q] === 1) {
          put(NULL);
        } else {
          const value = view.getFloat64(q + 1, true);
          if (inWindow(value)) putFormatted();
          else putNumber(value);
        }
      }
      put(state.valuesEnd);
    } else if (type === ${FRAME.text}) {
      if (o > 0) { emit(out.subarray(0, o)); o = 0; }
      // A view, not a copy: these ring bytes stay as they are until the tail moves past them, after the write.
      emit(data.subarray(p, p + length));
    } else if (type === ${FRAME.define}) {
      // Copied: the ring's bytes are overwritten once the tail moves on.
      const index = view.getUint32(p, true);
      names[index] = Buffer.from(data.subarray(p + 4, p + length));
      state.longestName = Math.max(state.longestName, length - 4);
      keyParts[index] = undefined;
      if (state.runIndex === index) state.runIndex = -1;
      if (state.idTailIndex === index) state.idTailIndex = -1;
    } else if (type === ${FRAME.datetime}) {
      state.datetime = Buffer.from(data.subarray(p, p + length));
      state.valuesEnd = Buffer.concat([AFTER_VALUES, state.datetime, LINE_END]);
    }
    at = (at + ${FRAME_HEADER_BYTES} + length) >>> 0;
  }
  if (o > 0) emit(out.subarray(0, o));
  return at;
}

function newDecoderState() {
  return {
    names: [],
    longestName: 0,
    keyParts: [],
    datetime: Buffer.alloc(0),
    valuesEnd: Buffer.concat([AFTER_VALUES, LINE_END]),
    idTime: -1,
    idHead: undefined,
    idTailIndex: -1,
    idTail: undefined,
    runIndex: -1,
    createdAt: -1,
    runPart: undefined,
    // The last METRIC or NEXT frame's point: what the next NEXT frame steps from.
    point: { createdAt: 0, seq: -1, bytes: 0, runIndex: 0, idAsKey: false, key: 0, suffixIndex: 0, keys: 0, names: new Uint32Array(16) },
    doubles: [0.5],
    numbers: Buffer.allocUnsafe(1 << 16),
    out: Buffer.allocUnsafe(1 << 20),
  };
}
`;

export interface DecoderState {
  /** Each defined name as its JSON text, in UTF-8. */
  names: Buffer[];
  /** The longest of them, in bytes: bounds a line before it is put together. */
  longestName: number;
  /** By name index: the name as a key, `,"name":` (without the comma for a first key). */
  keyParts: (Buffer | undefined)[];
  /** The `created_at` of the METRIC frames that follow. */
  datetime: Buffer;
  /** What ends a METRIC line: the values' close, `created_at` and the line's close. */
  valuesEnd: Buffer;
  /** The line's start up to an id's counter, for the ids of millisecond `idTime`. */
  idTime: number;
  idHead: Buffer | undefined;
  /** An id's suffix (name `idTailIndex`) and what follows it up to the seq. */
  idTailIndex: number;
  idTail: Buffer | undefined;
  /** From after the seq to the bytes, for run `runIndex` and `createdAt`. */
  runIndex: number;
  createdAt: number;
  runPart: Buffer | undefined;
  /** The last METRIC or NEXT frame's point (its name indexes, in key order, in `names`). */
  point: { createdAt: number; seq: number; bytes: number; runIndex: number; idAsKey: boolean; key: number; suffixIndex: number; keys: number; names: Uint32Array };
  /** The non-integer values of a window of frames, and their JSON text. */
  doubles: number[];
  numbers: Buffer;
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
