/**
 * JSON.parse that also remembers the source text of every object and array it builds.
 *
 * Polyaxon keeps JSON fields (params, run_env, metric values…) as Python read them, so `1.0`
 * stays a float and comes back `1.0`, `1` stays `1` (db/models/experiments.py, JSONField).
 * `JSON.parse` makes one number of both; Node 20 has neither `JSON.rawJSON` nor the reviver's
 * source text. This parser builds the same values as `JSON.parse` and records where each object
 * and array came from, so the server can store and answer the text as it was sent.
 */

interface Span {
  text: string;
  start: number;
  end: number;
}

const SPANS = new WeakMap<object, Span>();

/** The source text of an object or array built by `parseJsonKeepingSource`, undefined otherwise. */
export function sourceSpanOf(node: unknown): Span | undefined {
  return typeof node === 'object' && node !== null ? SPANS.get(node) : undefined;
}

/** Parses like `JSON.parse` (same values, same errors) and records the span of every object and array. */
export function parseJsonKeepingSource(text: string): unknown {
  const parser = new Parser(text);
  let value: unknown;
  try {
    value = parser.document();
  } catch (error) {
    if (!(error instanceof ParseFailure)) throw error;
    // JSON.parse's own message for the same text, so a refusal reads as it always did.
    JSON.parse(text);
    throw new SyntaxError(`Unexpected token at position ${parser.pos}`);
  }
  return value;
}

class ParseFailure extends Error {}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

const TAB = 9;
const NEWLINE = 10;
const RETURN = 13;
const SPACE = 32;
const QUOTE = 34;
const COMMA = 44;
const MINUS = 45;
const ZERO = 48;
const NINE = 57;
const COLON = 58;
const OPEN_BRACKET = 91;
const BACKSLASH = 92;
const CLOSE_BRACKET = 93;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;

class Parser {
  pos = 0;

  constructor(private readonly text: string) {}

  document(): unknown {
    const value = this.value();
    this.skipSpace();
    if (this.pos !== this.text.length) this.fail();
    return value;
  }

  private fail(): never {
    throw new ParseFailure();
  }

  private skipSpace(): void {
    const text = this.text;
    let pos = this.pos;
    for (;;) {
      const code = text.charCodeAt(pos);
      if (code !== SPACE && code !== NEWLINE && code !== RETURN && code !== TAB) break;
      pos += 1;
    }
    this.pos = pos;
  }

  private value(): unknown {
    this.skipSpace();
    const code = this.text.charCodeAt(this.pos);
    if (code === OPEN_BRACE) return this.object();
    if (code === OPEN_BRACKET) return this.array();
    if (code === QUOTE) return this.string();
    if (code === MINUS || (code >= ZERO && code <= NINE)) return this.number();
    if (this.text.startsWith('true', this.pos)) return this.literal(4, true);
    if (this.text.startsWith('false', this.pos)) return this.literal(5, false);
    if (this.text.startsWith('null', this.pos)) return this.literal(4, null);
    return this.fail();
  }

  private literal<T>(length: number, value: T): T {
    this.pos += length;
    return value;
  }

  private number(): number {
    NUMBER.lastIndex = this.pos;
    const match = NUMBER.exec(this.text);
    if (!match) return this.fail();
    this.pos = NUMBER.lastIndex;
    return Number(match[0]);
  }

  private string(): string {
    const text = this.text;
    const start = this.pos + 1;
    let pos = start;
    let escaped = false;
    for (;;) {
      const code = text.charCodeAt(pos);
      if (code === QUOTE) break;
      if (Number.isNaN(code) || code < 0x20) this.fail();
      if (code === BACKSLASH) {
        escaped = true;
        pos += 1;
      }
      pos += 1;
    }
    this.pos = pos + 1;
    if (!escaped) return text.slice(start, pos);
    // Escapes are rare in keys and values: JSON.parse decodes (and checks) them.
    try {
      return JSON.parse(text.slice(start - 1, pos + 1)) as string;
    } catch {
      return this.fail();
    }
  }

  private object(): Record<string, unknown> {
    const start = this.pos;
    const result: Record<string, unknown> = {};
    this.pos += 1;
    this.skipSpace();
    if (this.text.charCodeAt(this.pos) === CLOSE_BRACE) {
      this.pos += 1;
    } else {
      for (;;) {
        this.skipSpace();
        if (this.text.charCodeAt(this.pos) !== QUOTE) this.fail();
        const key = this.string();
        this.skipSpace();
        if (this.text.charCodeAt(this.pos) !== COLON) this.fail();
        this.pos += 1;
        const value = this.value();
        // As JSON.parse: `__proto__` is an own key like any other, never the prototype.
        if (key === '__proto__') Object.defineProperty(result, key, { value, enumerable: true, writable: true, configurable: true });
        else result[key] = value;
        this.skipSpace();
        const code = this.text.charCodeAt(this.pos);
        this.pos += 1;
        if (code === CLOSE_BRACE) break;
        if (code !== COMMA) this.fail();
      }
    }
    SPANS.set(result, { text: this.text, start, end: this.pos });
    return result;
  }

  private array(): unknown[] {
    const start = this.pos;
    const result: unknown[] = [];
    this.pos += 1;
    this.skipSpace();
    if (this.text.charCodeAt(this.pos) === CLOSE_BRACKET) {
      this.pos += 1;
    } else {
      for (;;) {
        result.push(this.value());
        this.skipSpace();
        const code = this.text.charCodeAt(this.pos);
        this.pos += 1;
        if (code === CLOSE_BRACKET) break;
        if (code !== COMMA) this.fail();
      }
    }
    SPANS.set(result, { text: this.text, start, end: this.pos });
    return result;
  }
}
