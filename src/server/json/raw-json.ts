/**
 * JSON text kept as a client sent it (whitespace outside strings removed), so numbers keep their
 * type as Python would keep it: `1.0` stays `1.0`, `1` stays `1`, `true` stays `true`. Answers
 * write it as is (`stringifyJson`); code that needs the value parses it on demand (`value`).
 */
export class RawJson {
  #value: unknown;
  #parsed = false;

  constructor(readonly text: string) {}

  /** The parsed value (numbers as JavaScript reads them). */
  get value(): unknown {
    if (!this.#parsed) {
      this.#value = JSON.parse(this.text);
      this.#parsed = true;
    }
    return this.#value;
  }

  /** Plain `JSON.stringify` writes the parsed value: still valid JSON, number types as JavaScript has them. */
  toJSON(): unknown {
    return this.value;
  }
}

/** `value` (built in code, or parsed) as RawJson; null stays null. */
export function rawJsonOf(value: unknown): RawJson | null {
  if (value === null || value === undefined) return null;
  return value instanceof RawJson ? value : new RawJson(JSON.stringify(value));
}

/** A member's value text as RawJson, null when it is missing or `null`. */
export function rawMember(members: ReadonlyMap<string, string>, key: string): RawJson | null {
  const text = members.get(key);
  return text === undefined || text === 'null' ? null : new RawJson(text);
}

const SPACE = /[ \t\n\r]/;

/** `text.slice(start, end)` (valid JSON) without whitespace outside strings: never a line break. */
export function compactJson(text: string, start = 0, end = text.length): string {
  const slice = start === 0 && end === text.length ? text : text.slice(start, end);
  if (!SPACE.test(slice)) return slice;
  let result = '';
  let from = 0;
  let inString = false;
  for (let index = 0; index < slice.length; index += 1) {
    const code = slice.charCodeAt(index);
    if (inString) {
      if (code === 92) index += 1;
      else if (code === 34) inString = false;
    } else if (code === 34) {
      inString = true;
    } else if (code === 32 || code === 10 || code === 13 || code === 9) {
      result += slice.slice(from, index);
      from = index + 1;
    }
  }
  return result + slice.slice(from);
}

/**
 * The members of a compact JSON object text, in order, each value as its text. A repeated key
 * keeps its first place and its last value, as `JSON.parse` and Python's json do.
 */
export function jsonMembers(objectText: string): Map<string, string> {
  const members = new Map<string, string>();
  let index = 1;
  while (index < objectText.length - 1) {
    const keyEnd = stringEnd(objectText, index);
    const key = keyOf(objectText.slice(index, keyEnd));
    const valueStart = keyEnd + 1;
    const valueEnd = valueEndOf(objectText, valueStart);
    members.set(key, objectText.slice(valueStart, valueEnd));
    index = valueEnd + 1;
  }
  return members;
}

/** The elements of a compact JSON array text, each as its text. */
export function arrayElements(arrayText: string): string[] {
  const elements: string[] = [];
  let index = 1;
  while (index < arrayText.length - 1) {
    const end = valueEndOf(arrayText, index);
    elements.push(arrayText.slice(index, end));
    index = end + 1;
  }
  return elements;
}

/**
 * The text of member `key` of a compact JSON object text (its last one, as JSON.parse reads a
 * repeated key), without splitting the rest: the metrics ingest reads one member of each point.
 */
export function memberText(objectText: string, key: string): string | undefined {
  let found: string | undefined;
  let index = 1;
  while (index < objectText.length - 1) {
    const keyEnd = stringEnd(objectText, index);
    const valueEnd = valueEndOf(objectText, keyEnd + 1);
    if (keyEnd - index === key.length + 2 ? objectText.startsWith(key, index + 1) : keyOf(objectText.slice(index, keyEnd)) === key) {
      found = objectText.slice(keyEnd + 1, valueEnd);
    }
    index = valueEnd + 1;
  }
  return found;
}

/** A key token's string (escapes decoded). */
function keyOf(token: string): string {
  return token.includes('\\') ? (JSON.parse(token) as string) : token.slice(1, -1);
}

/** A compact JSON object text of `members` (values are JSON texts). */
export function objectText(members: ReadonlyMap<string, string>): string {
  const parts: string[] = [];
  for (const [key, value] of members) parts.push(`${JSON.stringify(key)}:${value}`);
  return `{${parts.join(',')}}`;
}

/** The index just past the string token starting at `start`. */
function stringEnd(text: string, start: number): number {
  let index = start + 1;
  for (;;) {
    const code = text.charCodeAt(index);
    if (code === 92) index += 2;
    else if (code === 34) return index + 1;
    else index += 1;
  }
}

/** The index of the `,` or closing bracket that ends the value starting at `start` (compact text). */
function valueEndOf(text: string, start: number): number {
  let depth = 0;
  let index = start;
  for (;;) {
    const code = text.charCodeAt(index);
    if (code === 34) {
      index = stringEnd(text, index);
      continue;
    }
    if (code === 123 || code === 91) depth += 1;
    else if (code === 125 || code === 93) {
      if (depth === 0) return index;
      depth -= 1;
    } else if (code === 44 && depth === 0) return index;
    index += 1;
  }
}

/**
 * `JSON.stringify(value)`, except that a RawJson is written as its text. Answers are built of
 * plain objects, arrays and primitives (and RawJson), as JSON.stringify takes them.
 */
export function stringifyJson(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (typeof value !== 'object' || value === null) return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    return `[${value.map((item) => (item === undefined || typeof item === 'function' || typeof item === 'symbol' ? 'null' : stringifyJson(item))).join(',')}]`;
  }
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return stringifyJson((value as { toJSON(): unknown }).toJSON());
  const parts: string[] = [];
  for (const key of Object.keys(value)) {
    const item = (value as Record<string, unknown>)[key];
    if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
    parts.push(`${JSON.stringify(key)}:${stringifyJson(item)}`);
  }
  return `{${parts.join(',')}}`;
}
