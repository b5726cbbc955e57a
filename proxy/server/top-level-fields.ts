/** Where one top-level value of a JSON object lies in its bytes: [start, end). */
export interface FieldSpan {
  start: number;
  end: number;
  /** How often the key occurs (JSON.parse keeps the last occurrence, as `start`/`end` do). */
  occurrences: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const LOWER_E = 0x65;
const UPPER_E = 0x45;
const LITERALS = [Buffer.from('true'), Buffer.from('false'), Buffer.from('null')];

/** Thrown inside the scan only: the body is not one this scan can vouch for. */
class NotVouched extends Error {}
const notVouched = new NotVouched();

/** Walks a JSON text without building it: the grammar is checked everywhere (structure, numbers,
 * literals, nesting depth), but the inside of a string is only searched for its closing quote, so a
 * long string costs one memchr. What this does not check (control characters or bad escapes inside
 * a string) the upstream judges. */
class Scanner {
  at = 0;

  constructor(
    private readonly bytes: Buffer,
    private readonly maxDepth: number,
  ) {}

  whitespace(): void {
    const bytes = this.bytes;
    let at = this.at;
    while (at < bytes.length) {
      const byte = bytes[at];
      if (byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09) break;
      at += 1;
    }
    this.at = at;
  }

  expect(byte: number): void {
    if (this.bytes[this.at] !== byte) throw notVouched;
    this.at += 1;
  }

  /** A string, from its opening quote: only its closing quote is looked for. */
  string(): void {
    this.expect(QUOTE);
    let from = this.at;
    for (;;) {
      const quote = this.bytes.indexOf(QUOTE, from);
      if (quote === -1) throw notVouched;
      let backslashes = 0;
      while (this.bytes[quote - 1 - backslashes] === BACKSLASH) backslashes += 1;
      from = quote + 1;
      if (backslashes % 2 === 0) break;
    }
    this.at = from;
  }

  digits(): number {
    const start = this.at;
    while (this.bytes[this.at]! >= ZERO && this.bytes[this.at]! <= NINE) this.at += 1;
    return this.at - start;
  }

  number(): void {
    if (this.bytes[this.at] === MINUS) this.at += 1;
    if (this.bytes[this.at] === ZERO) this.at += 1;
    else if (this.digits() === 0) throw notVouched;
    if (this.bytes[this.at] === DOT) {
      this.at += 1;
      if (this.digits() === 0) throw notVouched;
    }
    if (this.bytes[this.at] === LOWER_E || this.bytes[this.at] === UPPER_E) {
      this.at += 1;
      if (this.bytes[this.at] === PLUS || this.bytes[this.at] === MINUS) this.at += 1;
      if (this.digits() === 0) throw notVouched;
    }
  }

  literal(): void {
    for (const literal of LITERALS) {
      const end = this.at + literal.length;
      if (end <= this.bytes.length && this.bytes.compare(literal, 0, literal.length, this.at, end) === 0) {
        this.at += literal.length;
        return;
      }
    }
    throw notVouched;
  }

  value(depth: number): void {
    const byte = this.bytes[this.at];
    if (byte === QUOTE) this.string();
    else if (byte === OPEN_BRACE) this.object(depth + 1);
    else if (byte === OPEN_BRACKET) this.array(depth + 1);
    else if (byte === MINUS || (byte !== undefined && byte >= ZERO && byte <= NINE)) this.number();
    else this.literal();
  }

  array(depth: number): void {
    if (depth >= this.maxDepth) throw notVouched;
    this.expect(OPEN_BRACKET);
    this.whitespace();
    if (this.bytes[this.at] === CLOSE_BRACKET) {
      this.at += 1;
      return;
    }
    for (;;) {
      this.whitespace();
      this.value(depth);
      this.whitespace();
      if (this.bytes[this.at] === COMMA) this.at += 1;
      else return this.expect(CLOSE_BRACKET);
    }
  }

  /** An object; `onMember` sees each key (its span, quotes included) and its value's span. */
  object(depth: number, onMember?: (keyStart: number, keyEnd: number, valueStart: number, valueEnd: number) => void): void {
    if (depth >= this.maxDepth) throw notVouched;
    this.expect(OPEN_BRACE);
    this.whitespace();
    if (this.bytes[this.at] === CLOSE_BRACE) {
      this.at += 1;
      return;
    }
    for (;;) {
      this.whitespace();
      const keyStart = this.at;
      this.string();
      const keyEnd = this.at;
      this.whitespace();
      this.expect(COLON);
      this.whitespace();
      const valueStart = this.at;
      this.value(depth);
      onMember?.(keyStart, keyEnd, valueStart, this.at);
      this.whitespace();
      if (this.bytes[this.at] === COMMA) this.at += 1;
      else return this.expect(CLOSE_BRACE);
    }
  }
}

/** The top-level keys of a JSON object and where each value lies, without parsing the values: a
 * 1 MB prompt is walked in a fraction of what JSON.parse takes, and nothing of it is built. A
 * container nested `maxDepth` levels deep or more is not vouched for (as the full parse refuses
 * it). Undefined for anything but one JSON object (nothing but whitespace around it): the caller
 * then parses in full, which accepts or words the error. */
export const topLevelFields = (bytes: Buffer, maxDepth: number): Map<string, FieldSpan> | undefined => {
  const fields = new Map<string, FieldSpan>();
  const scanner = new Scanner(bytes, maxDepth);
  try {
    scanner.whitespace();
    scanner.object(0, (keyStart, keyEnd, start, end) => {
      // Keys are short: each is decoded (and checked) by JSON.parse itself (`"mod\u0065l"` is `model`).
      const key = JSON.parse(bytes.toString('utf8', keyStart, keyEnd)) as string;
      const occurrences = (fields.get(key)?.occurrences ?? 0) + 1;
      fields.set(key, { start, end, occurrences });
    });
    scanner.whitespace();
  } catch (error) {
    if (error === notVouched || error instanceof SyntaxError) return undefined;
    throw error;
  }
  return scanner.at === bytes.length ? fields : undefined;
};

/** One top-level value, parsed. */
export const fieldValue = (bytes: Buffer, span: FieldSpan): unknown => JSON.parse(bytes.toString('utf8', span.start, span.end));
