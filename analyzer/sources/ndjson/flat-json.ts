/**
 * A byte-level reader of the one shape most input lines have: the flat JSON object logjam's middleware writes
 * (string, number, true/false/null values, printable ASCII, no escapes, no nesting). It reads the line's bytes in
 * place — no UTF-8 decode of the whole line, no JSON.parse — and returns the object JSON.parse would have returned
 * (same keys in the same order, same values), or undefined for anything else: escapes, non-ASCII or control bytes,
 * nested values, malformed numbers, duplicate keys, "__proto__", trailing bytes, anything unusual. The caller then takes the general path (decode + JSON.parse), so the outcome never depends on
 * which path read a line; it only decides how fast.
 *
 * Lines of one log come in few shapes (key lists), usually the previous line's again: the reader expects the last
 * shape's keys, recognising each by its bytes (no key string made), builds the object with the shape's compiled
 * object literal, and reuses a value's string from the previous line of that shape when the bytes are the same
 * (method, event, level, service, host, run id, route repeat line after line), so no new string is made for them.
 * Keys off the expected shape are interned through a small hash table instead.
 */

/** Interned keys by (hash of their bytes) & MASK; a slot holds the last key that hashed there. */
const SLOTS = 4096;
const MASK = SLOTS - 1;
/** Longer keys are made afresh (no logjam key is that long). */
const MAX_INTERNED = 64;
/** 10^k for the decimals: m / 10^k is exactly JSON.parse's value (both exact, IEEE division correctly rounded). */
const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];
/** At most this many digits: any such integer is below 2^53, so the mantissa is exact. */
const MAX_DIGITS = 15;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN = 0x7b;
const CLOSE = 0x7d;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

/** More keys than this: not a logjam line (the general path reads it). */
const MAX_KEYS = 128;
/** Shapes kept at once, and made in all: input with ever new key sets goes the general path instead of compiling. */
const RECENT_SHAPES = 16;
const MAX_SHAPES_MADE = 256;

/**
 * One key list and a function that builds its object from the values in one object literal. Why not `out[key] =
 * value`: V8 turns an object that gains more than a dozen properties by keyed stores into a slow dictionary object,
 * which makes this reader slower than JSON.parse and every later `line.field` read slower too; a literal is one
 * allocation of a fast object (the same kind JSON.parse makes).
 */
interface Shape {
  keys: readonly string[];
  /** each key's bytes and its closing quote: how the next line's key is recognised without making a string */
  tokens: readonly Uint8Array[];
  /**
   * The line's bytes between the values when it is written without blanks, as logjam writes it: `{"time":` before the
   * first value, `,"level":` before each next one. readKnown() matches these whole, in one comparison per key.
   */
  separators: readonly Uint8Array[];
  /** the string each key had as its value in the last line of this shape (undefined: not a string) */
  last: (string | undefined)[];
  make(values: readonly unknown[]): Record<string, unknown>;
}

/**
 * The maker of a shape's objects, compiled once per shape. The keys are input, so they go into the source only as
 * JSON.stringify'd string literals (they cannot end the literal or inject code; the reader only lets through
 * printable ASCII without quotes or backslashes anyway), and "__proto__" — which in a literal sets the prototype
 * instead of a property — never gets here.
 */
function objectMaker(keys: readonly string[]): Shape['make'] {
  const fields = keys.map((k, i) => `${JSON.stringify(k)}: v[${i}]`).join(', ');
  return new Function('v', `return { ${fields} };`) as Shape['make'];
}

/** What a byte is inside a JSON string for this reader: plain printable ASCII, the closing quote, or anything else. */
const PLAIN = 0;
const STRING_END = 1;
const NOT_PLAIN = 2;
const STRING_BYTES = new Uint8Array(256).fill(NOT_PLAIN);
for (let b = 0x20; b < 0x7f; b++) STRING_BYTES[b] = PLAIN;
STRING_BYTES[QUOTE] = STRING_END;
STRING_BYTES[BACKSLASH] = NOT_PLAIN;

const isSpace = (b: number): boolean => b === 0x20 || b === 0x09;

export class FlatJsonReader {
  private readonly interned: (string | undefined)[] = new Array<string | undefined>(SLOTS).fill(undefined);
  /** where the last value or key ended (the byte after it) */
  private at = 0;
  /** readKnown()'s answer when it returns no object: see read() */
  private known = 0;
  /** the line being read: its keys and values, in order (reused from line to line) */
  private readonly keys: string[] = [];
  private readonly values: unknown[] = [];
  /** the shapes (key lists) seen lately, the most recent first */
  private readonly shapes: Shape[] = [];
  private shapesMade = 0;

  /** The object JSON.parse(buf[start, end)) gives, when the line is a flat object this reader handles; else undefined. */
  read(buf: Buffer, start: number, end: number): Record<string, unknown> | undefined {
    const expected = this.shapes[0];
    if (expected === undefined) return this.readKeys(buf, start, end, 0);
    const made = this.readKnown(buf, start, end, expected);
    if (made !== undefined) return made;
    // -1: a value the reader does not take (the general path's); else how many of the shape's keys and values the
    // line has, in place, before it differs: the key-by-key reading below goes on from there
    const known = this.known;
    if (known < 0) return undefined;
    for (let k = 0; k < known; k++) this.keys[k] = expected.keys[k]!;
    return this.readKeys(buf, known === 0 ? start : this.at, end, known);
  }

  /**
   * The line read as the last line's shape written without blanks (separators): the common case, one comparison of
   * the bytes between two values per key. undefined when the line is not exactly that; then `known` says why (see
   * read()) and `at` is where the bytes differ (the start of separator `known`).
   */
  private readKnown(buf: Buffer, start: number, end: number, shape: Shape): Record<string, unknown> | undefined {
    const separators = shape.separators;
    const last = shape.last;
    const values = this.values;
    const n = separators.length;
    let i = start;
    for (let k = 0; k < n; k++) {
      const separator = separators[k]!;
      const m = separator.length;
      let j = 0;
      if (i + m < end) while (j < m && buf[i + j] === separator[j]) j++;
      // a blank before the value differs from the separators too: it is read key by key
      if (j !== m || isSpace(buf[i + m]!)) {
        this.known = k;
        this.at = i;
        return undefined;
      }
      i += m;
      const b = buf[i]!;
      let value: unknown;
      // the same bytes as the key-by-key path would read the value from: the same value, or the same refusal
      if (b === QUOTE) value = this.string(buf, i + 1, end, last[k]);
      else if (b === MINUS || (b >= ZERO && b <= NINE)) value = this.number(buf, i, end);
      else value = this.literal(buf, i, end);
      if (value === undefined) {
        this.known = -1;
        return undefined;
      }
      values[k] = value;
      last[k] = typeof value === 'string' ? value : undefined;
      i = this.at;
    }
    if (i < end && buf[i] === CLOSE && this.trailer(buf, i + 1, end)) return shape.make(values);
    // more keys, or blanks: the key-by-key path goes on after the last value
    this.known = n;
    this.at = i;
    return undefined;
  }

  /**
   * The key-by-key reading of a line, from `i`: the line's start when `count` is 0, else right after the value of
   * keys[count - 1] (keys and values before it in place).
   */
  private readKeys(buf: Buffer, i: number, end: number, count: number): Record<string, unknown> | undefined {
    const expected = this.shapes[0];
    const following = expected !== undefined;
    if (count > 0) {
      // after a value: a comma and the next key, or the closing brace
      while (i < end && isSpace(buf[i]!)) i++;
      if (i >= end) return undefined;
      if (buf[i] === CLOSE) return this.ended(buf, i, end, count, following, expected);
      if (buf[i] !== COMMA) return undefined;
      i++;
      while (i < end && isSpace(buf[i]!)) i++;
      return this.readPairs(buf, i, end, count, following, expected);
    }
    while (i < end && isSpace(buf[i]!)) i++;
    if (i >= end || buf[i] !== OPEN) return undefined;
    i++;
    while (i < end && isSpace(buf[i]!)) i++;
    if (i < end && buf[i] === CLOSE) return this.trailer(buf, i + 1, end) ? {} : undefined;
    return this.readPairs(buf, i, end, count, following, expected);
  }

  /**
   * Key-value pairs from `i` (a key's opening quote) to the closing brace, `count` of them already in place.
   * `following` while every key so far is the expected shape's (the last line's), in its order.
   */
  private readPairs(buf: Buffer, i: number, end: number, count: number, following: boolean, expected: Shape | undefined): Record<string, unknown> | undefined {
    const keys = this.keys;
    const values = this.values;
    for (;;) {
      if (i >= end || buf[i] !== QUOTE) return undefined;
      i++;
      let key: string | undefined;
      if (following && count < expected!.keys.length) {
        const token = expected!.tokens[count]!;
        const n = token.length;
        let j = 0;
        if (i + n <= end) while (j < n && buf[i + j] === token[j]) j++;
        if (j === n) {
          key = expected!.keys[count]!;
          i += n;
        } else {
          following = false;
        }
      } else {
        following = false;
      }
      if (key === undefined) {
        key = this.internedKey(buf, i, end);
        if (key === undefined) return undefined;
        i = this.at;
      }
      while (i < end && isSpace(buf[i]!)) i++;
      if (i >= end || buf[i] !== COLON) return undefined;
      i++;
      while (i < end && isSpace(buf[i]!)) i++;
      if (i >= end) return undefined;
      const b = buf[i]!;
      let value: unknown;
      if (b === QUOTE) value = this.string(buf, i + 1, end, following ? expected!.last[count] : undefined);
      else if (b === MINUS || (b >= ZERO && b <= NINE)) value = this.number(buf, i, end);
      else value = this.literal(buf, i, end);
      if (value === undefined || count === MAX_KEYS) return undefined;
      keys[count] = key;
      values[count] = value;
      count++;
      i = this.at;
      while (i < end && isSpace(buf[i]!)) i++;
      if (i >= end) return undefined;
      if (buf[i] === COMMA) {
        i++;
        while (i < end && isSpace(buf[i]!)) i++;
        continue;
      }
      if (buf[i] === CLOSE) return this.ended(buf, i, end, count, following, expected);
      return undefined;
    }
  }

  /** The closing brace at `i` after `count` pairs: the line's object, when only blanks follow. */
  private ended(buf: Buffer, i: number, end: number, count: number, following: boolean, expected: Shape | undefined): Record<string, unknown> | undefined {
    const values = this.values;
    if (!this.trailer(buf, i + 1, end)) return undefined;
    const shape = following && count === expected!.keys.length ? expected : this.shapeOf(count);
    if (shape === undefined) return undefined;
    const last = shape.last;
    for (let k = 0; k < count; k++) {
      const v = values[k];
      last[k] = typeof v === 'string' ? v : undefined;
    }
    return shape.make(values);
  }

  /**
   * The shape of keys[0, count): the last one that matched, else one of the recent ones, else a new one. undefined:
   * a duplicate key or "__proto__" (JSON.parse's own rules for those: the general path), or too many new shapes.
   */
  private shapeOf(count: number): Shape | undefined {
    const keys = this.keys;
    for (let s = 0; s < this.shapes.length; s++) {
      const shape = this.shapes[s]!;
      const known = shape.keys;
      if (known.length !== count) continue;
      let k = 0;
      while (k < count && known[k] === keys[k]) k++;
      if (k !== count) continue;
      if (s > 0) {
        // the most recent first: a log's lines come in few shapes, and usually the same one again
        this.shapes.splice(s, 1);
        this.shapes.unshift(shape);
      }
      return shape;
    }
    if (this.shapesMade >= MAX_SHAPES_MADE) return undefined;
    const own = keys.slice(0, count);
    if (own.includes('__proto__') || new Set(own).size !== count) return undefined;
    let make: Shape['make'];
    try {
      make = objectMaker(own);
    } catch {
      // code generation disallowed (node --disallow-code-generation-from-strings): every line the general path
      this.shapesMade = MAX_SHAPES_MADE;
      return undefined;
    }
    const bytes = (text: string) => Uint8Array.from(Buffer.from(text, 'latin1'));
    const tokens = own.map((k) => bytes(`${k}"`));
    const separators = own.map((k, n) => bytes(`${n === 0 ? '{' : ','}"${k}":`));
    const shape: Shape = { keys: own, tokens, separators, last: own.map(() => undefined), make };
    this.shapesMade++;
    this.shapes.unshift(shape);
    if (this.shapes.length > RECENT_SHAPES) this.shapes.pop();
    return shape;
  }

  /** only blanks after the closing brace (JSON.parse allows whitespace; anything else is not one object) */
  private trailer(buf: Buffer, i: number, end: number): boolean {
    while (i < end && isSpace(buf[i]!)) i++;
    return i === end;
  }

  /**
   * The string value whose bytes start at `i` (after the opening quote), or undefined if not plain printable ASCII.
   * `previous`: this key's value in the last line of the shape, returned itself when the bytes are the same.
   */
  private string(buf: Buffer, i: number, end: number, previous: string | undefined): string | undefined {
    const from = i;
    if (previous !== undefined) {
      // compared first, in one pass: the bytes are the previous value's and a quote follows, so they are plain too
      const length = previous.length;
      if (from + length < end && buf[from + length] === QUOTE) {
        let k = 0;
        while (k < length && previous.charCodeAt(k) === buf[from + k]) k++;
        if (k === length) {
          this.at = from + length + 1;
          return previous;
        }
      }
    }
    while (i < end && STRING_BYTES[buf[i]!] === PLAIN) i++;
    // escapes, control bytes (JSON.parse rejects them raw), DEL, every non-ASCII byte, no closing quote: general path
    if (i >= end || buf[i] !== QUOTE) return undefined;
    this.at = i + 1;
    return latin1(buf, from, i);
  }

  /** A key off the expected shape (bytes from `i`, after the quote), interned; undefined if not plain ASCII. */
  private internedKey(buf: Buffer, i: number, end: number): string | undefined {
    const from = i;
    let hash = 0;
    for (;;) {
      if (i >= end) return undefined;
      const b = buf[i]!;
      if (b === QUOTE) break;
      if (STRING_BYTES[b] !== PLAIN) return undefined;
      hash = (Math.imul(hash, 31) + b) | 0;
      i++;
    }
    this.at = i + 1;
    const length = i - from;
    if (length > MAX_INTERNED) return latin1(buf, from, i);
    const slot = (hash ^ (length << 7)) & MASK;
    const known = this.interned[slot];
    if (known !== undefined && known.length === length) {
      let k = 0;
      while (k < length && known.charCodeAt(k) === buf[from + k]) k++;
      if (k === length) return known;
    }
    const made = latin1(buf, from, i);
    this.interned[slot] = made;
    return made;
  }

  /** A JSON number, converted exactly (as JSON.parse converts it); undefined if the bytes are not one. */
  private number(buf: Buffer, i: number, end: number): number | undefined {
    const start = i;
    const negative = buf[i] === MINUS;
    if (negative) i++;
    if (i >= end) return undefined;
    let mantissa = 0;
    let digits = 0;
    let d = buf[i]! - ZERO;
    if (d === 0) {
      i++;
      digits = 1;
    } else {
      while (d >= 0 && d <= 9) {
        mantissa = mantissa * 10 + d;
        digits++;
        if (++i >= end) break;
        d = buf[i]! - ZERO;
      }
      if (digits === 0) return undefined;
    }
    let decimals = 0;
    if (i < end && buf[i] === DOT) {
      i++;
      while (i < end) {
        d = buf[i]! - ZERO;
        if (d < 0 || d > 9) break;
        mantissa = mantissa * 10 + d;
        decimals++;
        i++;
      }
      if (decimals === 0) return undefined;
    }
    if (i < end) {
      const b = buf[i]!;
      if (b === 0x65 || b === 0x45) return this.withExponent(buf, start, i + 1, end);
      // a digit right after a leading zero ("01") or any other byte glued on: not a JSON number, the general path
      if (b !== COMMA && b !== CLOSE && !isSpace(b)) return undefined;
    }
    this.at = i;
    // a long mantissa (a full-precision double): see withExponent()
    if (digits + decimals > MAX_DIGITS) return Number(latin1(buf, start, i));
    const value = decimals === 0 ? mantissa : mantissa / POW10[decimals]!;
    return negative ? -value : value;
  }

  /**
   * The rest of a number from its exponent's first byte after the "e" at `i`. The whole text then goes through
   * Number(), which for a JSON number's text gives exactly JSON.parse's double (both are the engine's one correctly
   * rounded string-to-double).
   */
  private withExponent(buf: Buffer, start: number, i: number, end: number): number | undefined {
    if (i < end && (buf[i] === 0x2b || buf[i] === MINUS)) i++;
    const from = i;
    while (i < end && buf[i]! >= ZERO && buf[i]! <= NINE) i++;
    if (i === from) return undefined;
    if (i < end) {
      const b = buf[i]!;
      if (b !== COMMA && b !== CLOSE && !isSpace(b)) return undefined;
    }
    this.at = i;
    return Number(latin1(buf, start, i));
  }

  /** true, false or null; else undefined. */
  private literal(buf: Buffer, i: number, end: number): boolean | null | undefined {
    const b = buf[i];
    if (b === 0x74 && i + 4 <= end && buf[i + 1] === 0x72 && buf[i + 2] === 0x75 && buf[i + 3] === 0x65) {
      this.at = i + 4;
      return true;
    }
    if (b === 0x66 && i + 5 <= end && buf[i + 1] === 0x61 && buf[i + 2] === 0x6c && buf[i + 3] === 0x73 && buf[i + 4] === 0x65) {
      this.at = i + 5;
      return false;
    }
    if (b === 0x6e && i + 4 <= end && buf[i + 1] === 0x75 && buf[i + 2] === 0x6c && buf[i + 3] === 0x6c) {
      this.at = i + 4;
      return null;
    }
    return undefined;
  }
}

/**
 * Buffer's own latin1Slice (what buf.toString('latin1', …) calls after checking its arguments): not in @types/node
 * and not documented, so toString's way when a Node no longer has it.
 */
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice?: (this: Buffer, from: number, to: number) => string }).latin1Slice;

/** ASCII bytes as a string (latin1 = one char per byte; the reader only lets through bytes below 0x7f). */
function latin1(buf: Buffer, from: number, to: number): string {
  return latin1Slice === undefined ? buf.toString('latin1', from, to) : latin1Slice.call(buf, from, to);
}
