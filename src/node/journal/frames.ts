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
/** Longest id a METRIC frame carries (newRecordId gives 36 characters). */
export const MAX_ID_LENGTH = 64;

/**
 * Defines `decodeFrames(data, capacity, tail, head, state)`: the journal text of the frames
 * between `tail` and `head` (ring positions), as one Buffer. `state` ({ names: [], datetime: '' })
 * carries DEFINE and DATETIME frames from one call to the next. `data` is a Buffer over the ring. A METRIC frame's line is exactly
 * what journal/format.ts `addLine` writes for the record, body serialised as `JSON.stringify` would.
 */
export const FRAME_DECODER_SOURCE = `
function decodeFrames(data, capacity, tail, head, state) {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const parts = [];
  let text = '';
  let at = tail >>> 0;
  const end = head >>> 0;
  while (at !== end) {
    const start = at % capacity;
    if (capacity - start < ${FRAME_HEADER_BYTES}) { at = (at + (capacity - start)) >>> 0; continue; }
    const length = view.getUint32(start, true);
    const type = data[start + 4];
    const p = start + ${FRAME_HEADER_BYTES};
    if (type === ${FRAME.text}) {
      if (text) { parts.push(Buffer.from(text)); text = ''; }
      // A view, not a copy: these ring bytes stay as they are until the tail moves past them, after the write.
      parts.push(data.subarray(p, p + length));
    } else if (type === ${FRAME.metric}) {
      const createdAt = view.getFloat64(p, true);
      const seq = view.getFloat64(p + 8, true);
      const bytes = view.getUint32(p + 16, true);
      const run = state.names[view.getUint32(p + 20, true)];
      const idLength = data[p + 24];
      const id = data.toString('latin1', p + 25, p + 25 + idLength);
      let q = p + 25 + idLength;
      const keys = view.getUint16(q, true);
      q += 2;
      let values = '';
      for (let k = 0; k < keys; k++) {
        const name = state.names[view.getUint32(q, true)];
        const value = data[q + 4] === 1 ? 'null' : String(view.getFloat64(q + 5, true));
        values += (k === 0 ? '' : ',') + name + ':' + value;
        q += 13;
      }
      text += '{"op":"add","r":{"v":1,"id":"' + id + '","seq":' + seq + ',"run":' + run + ',"kind":"metrics","createdAt":' + createdAt + ',"bytes":' + bytes + ',"body":{"values":{' + values + '},"created_at":"' + state.datetime + '"}}}\\n';
    } else if (type === ${FRAME.define}) {
      state.names[view.getUint32(p, true)] = data.toString('utf8', p + 4, p + length);
    } else if (type === ${FRAME.datetime}) {
      state.datetime = data.toString('latin1', p, p + length);
    }
    at = (at + ${FRAME_HEADER_BYTES} + length) >>> 0;
  }
  if (text) parts.push(Buffer.from(text));
  return parts.length === 1 ? parts[0] : Buffer.concat(parts);
}
`;

export interface DecoderState {
  names: string[];
  datetime: string;
}

export type DecodeFrames = (data: Buffer, capacity: number, tail: number, head: number, state: DecoderState) => Buffer;

/** The decoder, compiled on this thread from the same source the writer thread runs. */
export function compileDecoder(): DecodeFrames {
  return new Function('Buffer', `${FRAME_DECODER_SOURCE}\nreturn decodeFrames;`)(Buffer) as DecodeFrames;
}
