/**
 * Python's `str()` / `repr()` text of JSON-like JavaScript values, so that a data-ref hash made
 * here equals the Python client's `md5(str(data))`. The rules are listed on `hashData`
 * (src/wire/datahash.ts).
 */
import { ValidationError } from '../runtime/errors';
import { describeValue, fieldPath, isPlainObject } from './validation';

/** Python `str(value)`: a top-level string is itself; everything else is its repr. */
export function pythonStr(value: unknown, field = 'data'): string {
  return typeof value === 'string' ? value : pythonRepr(value, field);
}

/** Python `repr(value)`. Throws a ValidationError naming the path of a value with no Python form. */
export function pythonRepr(value: unknown, field = 'data'): string {
  return repr(value, field, new Set());
}

// `open` holds the containers on the current path: Python prints a container that contains
// itself as `[...]` or `{...}` (Py_ReprEnter), and so do we.
function repr(value: unknown, path: string, open: Set<object>): string {
  switch (typeof value) {
    case 'string':
      return pythonStringRepr(value);
    case 'number':
      return pythonNumberRepr(value);
    case 'boolean':
      return value ? 'True' : 'False';
    case 'bigint':
      return value.toString();
    case 'object': {
      if (value === null) return 'None';
      if (Array.isArray(value)) {
        if (open.has(value)) return '[...]';
        open.add(value);
        const items: string[] = [];
        for (let i = 0; i < value.length; i++) items.push(repr(value[i], `${path}[${i}]`, open));
        open.delete(value);
        return `[${items.join(', ')}]`;
      }
      if (value instanceof Map || isPlainObject(value)) {
        if (open.has(value)) return '{...}';
        open.add(value);
        const entries: string[] = [];
        if (value instanceof Map) {
          for (const [key, item] of value) {
            const keyText = repr(key, `${path} key`, open);
            entries.push(`${keyText}: ${repr(item, `${path}[${keyText}]`, open)}`);
          }
        } else {
          for (const key of Object.keys(value)) {
            entries.push(`${pythonStringRepr(key)}: ${repr(value[key], fieldPath(path, key), open)}`);
          }
        }
        open.delete(value);
        return `{${entries.join(', ')}}`;
      }
      break;
    }
  }
  throw new ValidationError(
    path,
    `has no Python text form to hash, got ${describeValue(value)} (use strings, numbers, booleans, null, ` +
      'arrays, plain objects or Maps; binary data only at the top level)',
  );
}

/**
 * A JS number as Python would print it: a safe integer is a Python int (`1` → `1`, `-0` → `0`);
 * anything else is a Python float (`1.5`, `1e-07`, `1e+21`, `9007199254740992.0`, `nan`, `inf`).
 */
export function pythonNumberRepr(value: number): string {
  return Number.isSafeInteger(value) ? String(value === 0 ? 0 : value) : pythonFloatRepr(value);
}

/**
 * Python `repr(float)`: the shortest digits that round-trip (the same digits JavaScript's
 * `String(number)` picks), in positional form with at least one fractional digit when the decimal
 * exponent is in [-4, 16), else as `d.ddde±XX` with at least two exponent digits.
 */
export function pythonFloatRepr(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const sign = value < 0 ? '-' : '';
  const [mantissa, exponentText = '0'] = String(Math.abs(value)).split('e');
  const [whole, fraction = ''] = mantissa.split('.');
  const allDigits = whole + fraction;
  const leadingZeros = allDigits.length - allDigits.replace(/^0+/, '').length;
  const digits = allDigits.slice(leadingZeros).replace(/0+$/, '');
  const exponent = whole.length + Number(exponentText) - leadingZeros - 1;

  if (exponent < -4 || exponent >= 16) {
    const rest = digits.slice(1);
    const magnitude = String(Math.abs(exponent)).padStart(2, '0');
    return `${sign}${digits[0]}${rest ? `.${rest}` : ''}e${exponent < 0 ? '-' : '+'}${magnitude}`;
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  const integerDigits = exponent + 1;
  if (digits.length <= integerDigits) return `${sign}${digits.padEnd(integerDigits, '0')}.0`;
  return `${sign}${digits.slice(0, integerDigits)}.${digits.slice(integerDigits)}`;
}

// Python's str.isprintable() is false for these general categories (space excepted, handled first).
const NON_PRINTABLE = /^[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]$/u;
const PLAIN_ASCII = /^[\x20-\x26\x28-\x5b\x5d-\x7e]*$/;

/**
 * Python `repr(str)` (CPython unicode_repr): single quotes unless the text has a single quote
 * and no double quote; `\\`, `\t`, `\n`, `\r` and the chosen quote escaped; other control and
 * non-printable characters as `\xHH`, `\uHHHH` or `\UHHHHHHHH`; printable non-ASCII kept as is.
 */
export function pythonStringRepr(text: string): string {
  if (PLAIN_ASCII.test(text)) return `'${text}'`;
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const char of text) {
    const code = char.codePointAt(0) as number;
    if (char === quote || char === '\\') out += `\\${char}`;
    else if (char === '\t') out += '\\t';
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (code < 0x20 || code === 0x7f) out += `\\x${hex(code, 2)}`;
    else if (code < 0x7f || !NON_PRINTABLE.test(char)) out += char;
    else if (code <= 0xff) out += `\\x${hex(code, 2)}`;
    else if (code <= 0xffff) out += `\\u${hex(code, 4)}`;
    else out += `\\U${hex(code, 8)}`;
  }
  return out + quote;
}

function hex(code: number, width: number): string {
  return code.toString(16).padStart(width, '0');
}
