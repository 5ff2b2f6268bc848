import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashData, hashDataSync, POLYAXON_HASH_LENGTH } from '../../src/wire/datahash';
import { ValidationError } from '../../src/runtime/errors';
import { md5Hex } from '../../src/wire/md5';
import { pythonFloatRepr, pythonStr, pythonStringRepr } from '../../src/wire/python-str';

const nodeMd5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('hex');

describe('md5Hex', () => {
  it('matches the RFC 1321 test suite', () => {
    const vectors: Array<[string, string]> = [
      ['', 'd41d8cd98f00b204e9800998ecf8427e'],
      ['a', '0cc175b9c0f1b6a831c399e269772661'],
      ['abc', '900150983cd24fb0d6963f7d28e17f72'],
      ['message digest', 'f96b697d7cb7938d525a2f31aaf161d0'],
      ['abcdefghijklmnopqrstuvwxyz', 'c3fcd3d76192e4007dfb496cca67e13b'],
      ['12345678901234567890123456789012345678901234567890123456789012345678901234567890', '57edf4a22be3c955ac49da2e2107b67a'],
    ];
    for (const [text, digest] of vectors) expect(md5Hex(new TextEncoder().encode(text))).toBe(digest);
  });

  it('matches node:crypto on 200 random inputs, every padding boundary included', () => {
    for (let length = 0; length < 200; length++) {
      const bytes = randomBytes(length < 130 ? length : length * 37);
      expect(md5Hex(bytes)).toBe(nodeMd5(bytes));
    }
  });

  it('hashes only the bytes a view covers', () => {
    const backing = randomBytes(300);
    const view = new Uint8Array(backing.buffer, backing.byteOffset + 7, 100);
    expect(md5Hex(view)).toBe(nodeMd5(Buffer.from(view)));
  });
});

// Each row: JS value, Python's str() of the same data, first 12 hex of its MD5, all computed by CPython 3.11.
const SAME_AS_PYTHON: Array<[string, unknown, string, string]> = [
  ['a string is itself', 'dataset1', 'dataset1', '9de96ebd8d30'],
  ['a list', [1, 2, 3], '[1, 2, 3]', '49a5a960c571'],
  ['a dict', { a: 1 }, "{'a': 1}", '5268827fe25d'],
  ['the empty string', '', '', 'd41d8cd98f00'],
  ['unicode text', 'café ☕ 😀', 'café ☕ 😀', 'f02fa70764e2'],
  ['True', true, 'True', 'f827cf462f62'],
  ['False', false, 'False', 'f8320b26d30a'],
  ['None', null, 'None', '6adf97f83acf'],
  ['int 0', 0, '0', 'cfcd208495d5'],
  ['negative int', -42, '-42', '8dfcb89fd862'],
  ['float', 1.5, '1.5', '6008647277c4'],
  ['negative float', -0.25, '-0.25', '9de66d68e599'],
  ['small float uses an exponent', 1e-7, '1e-07', '463d2cea642f'],
  ['huge number uses an exponent', 1e21, '1e+21', '38a923a3cb27'],
  ['shortest round-trip digits', 0.1 + 0.2, '0.30000000000000004', 'f8b37f00bdc6'],
  ['nan', NaN, 'nan', 'a3d2de767555'],
  ['inf', Infinity, 'inf', 'ee7b630995e7'],
  ['-inf', -Infinity, '-inf', '9c41dab8e025'],
  ['nested lists', [1, [2, 3]], '[1, [2, 3]]', '9156cd14b69b'],
  ['quoting rules', ['a', "it's", 'say "hi"', 'both \' and "'], `['a', "it's", 'say "hi"', 'both \\' and "']`, 'a840add72d70'],
  ['escapes', ['tab\tnl\nret\rback\\slash'], "['tab\\tnl\\nret\\rback\\\\slash']", '3557a05b5537'],
  ['control and latin-1 non-printables', ['\u0000\u007f\u0080\u00a0\u00ad é'], "['\\x00\\x7f\\x80\\xa0\\xad é']", '3415a70e5990'],
  ['separators, format chars, astral, lone surrogate', ['\u2028\ufeff😀\ud800'], "['\\u2028\\ufeff😀\\ud800']", '6b9335ef8701'],
  [
    'nested params',
    { lr: 0.001, layers: [64, 32], name: 'mnist', opt: { beta: 0.9, nesterov: true }, seed: null },
    "{'lr': 0.001, 'layers': [64, 32], 'name': 'mnist', 'opt': {'beta': 0.9, 'nesterov': True}, 'seed': None}",
    'c311e5392c35',
  ],
  ['empty containers', [{}, [], ''], "[{}, [], '']", '36572b8583bc'],
  ['keys with spaces', { 'key with space': ['x'] }, "{'key with space': ['x']}", 'ffe207bc14a5'],
  ['an integral JS number is an int', [1.0, 2.5, 100], '[1, 2.5, 100]', '7f5d754412c9'],
  [
    'float repr switches to an exponent below 1e-4 and from 1e16',
    [123456789012345.6, 1e16, 1e15, 0.0001, 0.00001],
    '[123456789012345.6, 1e+16, 1000000000000000, 0.0001, 1e-05]',
    'ad9f9b8f0056',
  ],
  ['integers past 2**53 are floats', [2 ** 53 + 2, 2 ** 53 - 1, -(2 ** 53) + 1], '[9007199254740994.0, 9007199254740991, -9007199254740991]', 'c12e02f35cd9'],
  ['extreme floats', [5e-324, 1.7976931348623157e308], '[5e-324, 1.7976931348623157e+308]', '2d78830f5a28'],
  ['integer-like keys come first, as JS orders them', { b: 2, 1: 'a' }, "{'1': 'a', 'b': 2}", 'eed10a92ca94'],
  ['a Map is a dict with any keys', new Map<unknown, unknown>([[1, 'a'], ['b', [true]]]), "{1: 'a', 'b': [True]}", '8d66ed08ba45'],
  ['a BigInt is an int', 12345678901234567890n, '12345678901234567890', 'fd85e62d9beb'],
];

describe('hashDataSync gives the Python client hash', () => {
  it.each(SAME_AS_PYTHON)('%s', (_label, value, text, hash) => {
    expect(pythonStr(value)).toBe(text);
    expect(hashDataSync(value)).toBe(hash);
    expect(hashDataSync(value)).toHaveLength(POLYAXON_HASH_LENGTH);
  });

  it('prints self-containing containers as Python does', () => {
    const list: unknown[] = [1];
    list.push(list);
    expect(pythonStr(list)).toBe('[1, [...]]');
    expect(hashDataSync(list)).toBe('81318ff41e01');
    const dict: Record<string, unknown> = { a: 1 };
    dict.self = dict;
    expect(pythonStr(dict)).toBe("{'a': 1, 'self': {...}}");
    expect(hashDataSync(dict)).toBe('ef8be7260898');
  });

  it('prints a shared (not circular) container in full each time', () => {
    const shared = [1];
    expect(pythonStr([shared, shared])).toBe('[[1], [1]]');
  });

  it('writes -0 as the int 0 and as the float -0.0 when asked for a float', () => {
    expect(pythonStr(-0)).toBe('0');
    expect(pythonFloatRepr(-0)).toBe('-0.0');
    expect(pythonFloatRepr(3)).toBe('3.0');
    expect(pythonFloatRepr(1e-5)).toBe('1e-05');
    expect(pythonFloatRepr(-1.5e300)).toBe('-1.5e+300');
  });

  it('uses double quotes only when the text has a single quote and no double quote', () => {
    expect(pythonStringRepr("it's")).toBe(`"it's"`);
    expect(pythonStringRepr(`it's "x"`)).toBe(`'it\\'s "x"'`);
    expect(pythonStringRepr('plain')).toBe("'plain'");
  });
});

describe('binary data hashes its bytes', () => {
  const bytes = new Uint8Array([0, 1, 2, 255]);
  const expected = '0416dab81988'; // hashlib.md5(bytes([0, 1, 2, 255])).hexdigest()[:12]

  it('ArrayBuffer, typed arrays, DataView and views over part of a buffer', () => {
    expect(hashDataSync(bytes.buffer)).toBe(expected);
    expect(hashDataSync(bytes)).toBe(expected);
    expect(hashDataSync(new DataView(bytes.buffer))).toBe(expected);
    expect(hashDataSync(Buffer.from(bytes))).toBe(expected);
    const padded = new Uint8Array([9, 9, 0, 1, 2, 255, 9]);
    expect(hashDataSync(padded.subarray(2, 6))).toBe(expected);
    const floats = new Float32Array([1.5, -2]);
    expect(hashDataSync(floats)).toBe(nodeMd5(new Uint8Array(floats.buffer)).slice(0, 12));
  });

  it('a Blob through hashData; hashDataSync refuses it', async () => {
    const blob = new Blob([bytes]);
    await expect(hashData(blob)).resolves.toBe(expected);
    await expect(hashData([1, 2, 3])).resolves.toBe('49a5a960c571');
    expect(() => hashDataSync(blob)).toThrow(/hashData/);
  });
});

describe('values with no Python text form are refused, naming the path', () => {
  it.each([
    ['undefined', undefined, 'data'],
    ['a function', () => 1, 'data'],
    ['a symbol inside a list', [1, Symbol('s')], 'data[1]'],
    ['a Date inside a dict', { when: new Date(0) }, 'data.when'],
    ['a class instance', new (class Point {})(), 'data'],
    ['a Set', new Set([1]), 'data'],
    ['binary data nested in a list', [new Uint8Array(2)], 'data[0]'],
    ['a hole in an array', [1, , 3], 'data[1]'],
  ])('%s', (_label, value, field) => {
    let error: unknown;
    try {
      hashDataSync(value);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe(field);
    expect((error as ValidationError).rule).toMatch(/no Python text form/);
  });
});

// Cross-check against a real CPython on random JSON data, when one is on the PATH.
const python = spawnSync('python3', ['--version'], { encoding: 'utf8' });
const hasPython = python.status === 0;

describe('random data against CPython', () => {
  const POOL = [
    ...Array.from({ length: 0x80 }, (_, code) => String.fromCharCode(code)),
    ...Array.from({ length: 0x80 }, (_, code) => String.fromCharCode(0x80 + code)),
    '\u200b', '\u2028', '\u2029', '\u3000', '\ufeff', '\ue000', '\uffff', '\u0301', '中', 'ж', '😀', '\u{10ffff}',
    '\ud800', '\udfff', "'", '"', '\\',
  ];
  let seed = 20200304;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)];
  const randomText = () => Array.from({ length: Math.floor(random() * 8) }, () => pick(POOL)).join('');
  // Never 2**53 <= |n| < 1e21: JSON writes those without an exponent, so Python would read an int.
  const randomNumber = () =>
    pick([
      () => Math.floor(random() * 2e6) - 1e6,
      () => (random() - 0.5) * 10 ** Math.floor(random() * 35 - 20),
      () => random() * 1e-300,
      () => (random() + 1) * 10 ** (21 + Math.floor(random() * 280)),
    ])();
  const randomValue = (depth: number): unknown => {
    const kind = Math.floor(random() * (depth > 2 ? 4 : 6));
    if (kind === 0) return randomText();
    if (kind === 1) return randomNumber();
    if (kind === 2) return pick([true, false, null]);
    if (kind === 3) return randomNumber();
    if (kind === 4) return Array.from({ length: Math.floor(random() * 4) }, () => randomValue(depth + 1));
    return Object.fromEntries(Array.from({ length: Math.floor(random() * 4) }, () => [randomText(), randomValue(depth + 1)]));
  };

  it.skipIf(!hasPython)('pythonStr equals str() of 300 random values', () => {
    const values = Array.from({ length: 300 }, () => randomValue(0));
    const script = 'import json,sys\nprint(json.dumps([str(v) for v in json.load(sys.stdin)]))';
    const result = spawnSync('python3', ['-c', script], { input: JSON.stringify(values), encoding: 'utf8', timeout: 20_000 });
    expect(result.status).toBe(0);
    const expected = JSON.parse(result.stdout) as string[];
    expect(values.map((value) => pythonStr(value))).toEqual(expected);
  });
});
