/**
 * MD5 over bytes (RFC 1321). Polyaxon's data-ref hash is an MD5, and WebCrypto offers no MD5,
 * so the browser build needs its own. Not for security: only to match the Python client's hash.
 */

// K[i] = floor(|sin(i + 1)| * 2^32), written out so no engine's Math.sin can change them.
const K = new Int32Array([
  0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
  0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
  0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
  0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
  0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
  0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
  0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
  0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
]);

// Left-rotation amounts, four per round.
const SHIFTS = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];

const BLOCK_BYTES = 64;

/** Lowercase hex MD5 digest of `bytes`. */
export function md5Hex(bytes: Uint8Array): string {
  const state = new Int32Array([0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476]);
  const words = new Int32Array(16);
  const input = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fullBlocksEnd = bytes.length - (bytes.length % BLOCK_BYTES);
  for (let offset = 0; offset < fullBlocksEnd; offset += BLOCK_BYTES) {
    for (let i = 0; i < 16; i++) words[i] = input.getInt32(offset + i * 4, true);
    compress(state, words);
  }

  // Padding: 0x80, zeros, then the message length in bits as a 64-bit little-endian integer.
  const tailLength = bytes.length - fullBlocksEnd;
  const tail = new Uint8Array(tailLength < 56 ? BLOCK_BYTES : 2 * BLOCK_BYTES);
  tail.set(bytes.subarray(fullBlocksEnd));
  tail[tailLength] = 0x80;
  const tailView = new DataView(tail.buffer);
  const bitLength = bytes.length * 8;
  tailView.setUint32(tail.length - 8, bitLength % 2 ** 32, true);
  tailView.setUint32(tail.length - 4, Math.floor(bitLength / 2 ** 32), true);
  for (let offset = 0; offset < tail.length; offset += BLOCK_BYTES) {
    for (let i = 0; i < 16; i++) words[i] = tailView.getInt32(offset + i * 4, true);
    compress(state, words);
  }

  let hex = '';
  for (let i = 0; i < 4; i++) {
    for (let byte = 0; byte < 4; byte++) {
      hex += ((state[i] >>> (byte * 8)) & 0xff).toString(16).padStart(2, '0');
    }
  }
  return hex;
}

function compress(state: Int32Array, words: Int32Array): void {
  let a = state[0];
  let b = state[1];
  let c = state[2];
  let d = state[3];
  for (let i = 0; i < 64; i++) {
    let mixed: number;
    let wordIndex: number;
    if (i < 16) {
      mixed = (b & c) | (~b & d);
      wordIndex = i;
    } else if (i < 32) {
      mixed = (d & b) | (~d & c);
      wordIndex = (5 * i + 1) & 15;
    } else if (i < 48) {
      mixed = b ^ c ^ d;
      wordIndex = (3 * i + 5) & 15;
    } else {
      mixed = c ^ (b | ~d);
      wordIndex = (7 * i) & 15;
    }
    const sum = (a + mixed + K[i] + words[wordIndex]) | 0;
    const shift = SHIFTS[(i >> 4) * 4 + (i & 3)];
    a = d;
    d = c;
    c = b;
    b = (b + ((sum << shift) | (sum >>> (32 - shift)))) | 0;
  }
  state[0] = (state[0] + a) | 0;
  state[1] = (state[1] + b) | 0;
  state[2] = (state[2] + c) | 0;
  state[3] = (state[3] + d) | 0;
}
