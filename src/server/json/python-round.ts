/**
 * Python's `round(v, 7)` on a JSON value, written as Python's json writes the result: what
 * Polyaxon 0.6.1's experiment detail answers for each `last_metric` value
 * (api/experiments/serializers.py ExperimentDetailSerializer.get_last_metric).
 */

const INTEGER = /^-?\d+$/;

/**
 * The detail's text for one value text: an int stays the same int (`round(5, 7) == 5`), a bool
 * becomes an int (`round(True, 7) == 1`), a float is rounded half to even and written as
 * `repr(float)` (`1.0`, `2e-07`, `1e+16`). Null and other types have no rounding (Python raises).
 */
export function pythonRoundedText(valueText: string, digits = 7): string | undefined {
  if (valueText === 'true') return '1';
  if (valueText === 'false') return '0';
  if (INTEGER.test(valueText)) return valueText === '-0' ? '0' : valueText;
  const value = Number(valueText);
  if (!Number.isFinite(value)) return undefined;
  return pythonFloatRepr(pythonRound(value, digits));
}

/**
 * `round(x, digits)` for a float: the decimal with `digits` places nearest to the exact binary
 * value, ties to even. `toFixed` is exact too but breaks ties away from zero; a tie can only
 * happen when x·2^(digits+1) is an odd integer (x must be (2k+1)/(2·10^digits), a dyadic
 * rational), and then the even neighbour is taken.
 */
export function pythonRound(x: number, digits: number): number {
  // Beyond 2^52 every float is an integer: rounding to decimals leaves it unchanged.
  if (!Number.isFinite(x) || Math.abs(x) >= 2 ** 52) return x;
  let text = Math.abs(x).toFixed(digits);
  const scaled = Math.abs(x) * 2 ** (digits + 1);
  const tie = Number.isInteger(scaled) && scaled % 2 === 1;
  const last = text.charCodeAt(text.length - 1) - 48;
  // toFixed took the upper neighbour: its last digit is at least 1 when it is odd, so no borrow.
  if (tie && last % 2 === 1) text = `${text.slice(0, -1)}${last - 1}`;
  const magnitude = Number(text);
  return x < 0 || Object.is(x, -0) ? -magnitude : magnitude;
}

/**
 * `repr(float)`: the shortest digits that read back as x (as JavaScript's own), written in
 * positional form for exponents -4..15 with at least one decimal (`100.0`), otherwise as
 * `d.ddde±XX` with a two-digit exponent at least (`1e-05`, `1.5e+16`).
 */
export function pythonFloatRepr(x: number): string {
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  const { digits, exponent } = decimalDigits(Math.abs(x));
  if (exponent < -4 || exponent >= 16) {
    const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${mantissa}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
  return `${sign}${whole}.${digits.slice(exponent + 1) || '0'}`;
}

/** The shortest round-trip digits of a positive finite x (no trailing zeros) and its decimal exponent. */
function decimalDigits(x: number): { digits: string; exponent: number } {
  const text = String(x);
  const e = text.indexOf('e');
  if (e !== -1) return { digits: text.slice(0, e).replace('.', ''), exponent: Number(text.slice(e + 1)) };
  const [whole, fraction = ''] = text.split('.');
  if (whole !== '0') return { digits: (whole + fraction).replace(/0+$/, ''), exponent: whole.length - 1 };
  const zeros = /^0*/.exec(fraction)![0].length;
  return { digits: fraction.slice(zeros), exponent: -(zeros + 1) };
}
