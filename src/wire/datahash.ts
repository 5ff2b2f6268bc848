/**
 * The data-ref hash of `logDataRef`: the first POLYAXON_HASH_LENGTH hex characters of an MD5.
 *
 * What is hashed:
 * - Binary data (ArrayBuffer, SharedArrayBuffer, typed arrays, DataView, Blob): its bytes, as
 *   they are. A view hashes only the bytes it covers. A Blob is read asynchronously, so it needs
 *   `hashData`; `hashDataSync` refuses it.
 * - Everything else: the UTF-8 bytes of the text Python's `str()` gives for the same data, so a
 *   JS run and a Python run over the same data record the same hash:
 *   - a string is itself: `'dataset1'` → `9de96ebd8d30`;
 *   - `true`/`false`/`null` are `True`/`False`/`None`;
 *   - a number that is a safe integer is a Python int (`1` → `1`, `-0` → `0`); any other number
 *     is a Python float repr (`1.5` → `1.5`, `1e-7` → `1e-07`, `1e21` → `1e+21`,
 *     `2 ** 53` → `9007199254740992.0`, `NaN` → `nan`, `Infinity` → `inf`); a BigInt is an int;
 *   - an array is a Python list: `[1, 2, 3]` → `[1, 2, 3]` → `49a5a960c571`;
 *   - a plain object (or a Map) is a Python dict, entries in JavaScript's own key order
 *     (integer-like keys first, then insertion order), keys being strings:
 *     `{a: 1}` → `{'a': 1}` → `5268827fe25d`;
 *   - strings inside arrays and objects are Python reprs: single quotes unless the string holds
 *     a single quote and no double quote, backslash escapes for `\\ \n \t \r` and the quote, and
 *     `\xHH`/`\uHHHH`/`\UHHHHHHHH` for characters Python does not print (controls, format
 *     characters, separators other than the space, unassigned code points);
 *   - a container that contains itself prints as `[...]` or `{...}`, as in Python.
 * - Refused with a ValidationError naming the path: undefined, functions, symbols, Dates, class
 *   instances, Sets, and binary data nested inside arrays or objects (none has a Python `str()`
 *   this library could reproduce).
 * Limits: a lone surrogate at the top level is hashed as U+FFFD (Python cannot encode it at all);
 * characters assigned in a newer Unicode version than the Python build's may be escaped
 * differently.
 */
import { ValidationError } from '../runtime/errors';
import { md5Hex } from './md5';
import { pythonStr } from './python-str';

/** Polyaxon's `HASH_LENGTH`: data-ref hashes keep the first 12 hex characters. */
export const POLYAXON_HASH_LENGTH = 12;

const encoder = new TextEncoder();

/** The data-ref hash of anything, Blobs included. */
export async function hashData(data: unknown, field = 'data'): Promise<string> {
  if (isBlob(data)) return shortHash(new Uint8Array(await data.arrayBuffer()));
  return hashDataSync(data, field);
}

/** The data-ref hash of anything but a Blob. */
export function hashDataSync(data: unknown, field = 'data'): string {
  if (isBlob(data)) throw new ValidationError(field, 'a Blob is read asynchronously: hash it with hashData');
  const bytes = binaryBytes(data);
  return shortHash(bytes ?? encoder.encode(pythonStr(data, field)));
}

function shortHash(bytes: Uint8Array): string {
  return md5Hex(bytes).slice(0, POLYAXON_HASH_LENGTH);
}

/** The bytes of binary data, or undefined when `data` is not binary. Works across realms. */
function binaryBytes(data: unknown): Uint8Array | undefined {
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const tag = Object.prototype.toString.call(data);
  if (tag === '[object ArrayBuffer]' || tag === '[object SharedArrayBuffer]') {
    return new Uint8Array(data as ArrayBufferLike);
  }
  return undefined;
}

function isBlob(data: unknown): data is Blob {
  return typeof Blob !== 'undefined' && data instanceof Blob;
}
