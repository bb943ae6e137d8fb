/**
 * A byte-level reader of the one shape most input lines have: the flat JSON object logjam's middleware writes
 * (string, number, true/false/null values, printable ASCII, no escapes, no nesting). It reads the line's bytes in
 * place — no UTF-8 decode of the whole line, no JSON.parse — and returns the object JSON.parse would have returned
 * (same keys in the same order, same values), or undefined for anything else: escapes, non-ASCII or control bytes,
 * nested values, exponents, numbers too long to convert exactly, duplicate keys, "__proto__", trailing bytes,
 * anything unusual. The caller then takes the general path (decode + JSON.parse), so the outcome never depends on
 * which path read a line; it only decides how fast.
 *
 * Strings that repeat line after line (keys, method, event, level, service, host, run id, route) are interned: a
 * small table maps the bytes' hash to the string made last time, checked byte by byte, so no new string is made.
 */

/** Interned strings by (hash of their bytes) & MASK; a slot holds the last string that hashed there. */
const SLOTS = 4096;
const MASK = SLOTS - 1;
/** Longer strings are made afresh: long values (paths, messages) rarely repeat, and comparing them costs more. */
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

const isSpace = (b: number): boolean => b === 0x20 || b === 0x09;

export class FlatJsonReader {
  private readonly interned: (string | undefined)[] = new Array<string | undefined>(SLOTS).fill(undefined);
  /** where the last value or key ended (the byte after it) */
  private at = 0;
  /** the line being read: its keys and values, in order (reused from line to line) */
  private readonly keys: string[] = [];
  private readonly values: unknown[] = [];
  /** the shapes (key lists) seen lately, the most recent first */
  private readonly shapes: Shape[] = [];
  private shapesMade = 0;

  /** The object JSON.parse(buf[start, end)) gives, when the line is a flat object this reader handles; else undefined. */
  read(buf: Buffer, start: number, end: number): Record<string, unknown> | undefined {
    const keys = this.keys;
    const values = this.values;
    let count = 0;
    let i = start;
    while (i < end && isSpace(buf[i]!)) i++;
    if (i >= end || buf[i] !== OPEN) return undefined;
    i++;
    while (i < end && isSpace(buf[i]!)) i++;
    if (i < end && buf[i] === CLOSE) return this.trailer(buf, i + 1, end) ? {} : undefined;
    for (;;) {
      if (i >= end || buf[i] !== QUOTE) return undefined;
      const key = this.string(buf, i + 1, end);
      if (key === undefined) return undefined;
      i = this.at;
      while (i < end && isSpace(buf[i]!)) i++;
      if (i >= end || buf[i] !== COLON) return undefined;
      i++;
      while (i < end && isSpace(buf[i]!)) i++;
      if (i >= end) return undefined;
      const b = buf[i]!;
      let value: unknown;
      if (b === QUOTE) value = this.string(buf, i + 1, end);
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
      if (buf[i] === CLOSE) break;
      return undefined;
    }
    if (!this.trailer(buf, i + 1, end)) return undefined;
    const shape = this.shapeOf(count);
    return shape === undefined ? undefined : shape.make(values);
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
    const shape = { keys: own, make: objectMaker(own) };
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

  /** The string whose bytes start at `i` (after the opening quote), or undefined if not plain printable ASCII. */
  private string(buf: Buffer, i: number, end: number): string | undefined {
    const from = i;
    let hash = 0;
    for (;;) {
      if (i >= end) return undefined;
      const b = buf[i]!;
      if (b === QUOTE) break;
      // escapes, control bytes (JSON.parse rejects them raw), DEL and every non-ASCII byte: the general path
      if (b < 0x20 || b >= 0x7f || b === BACKSLASH) return undefined;
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

  /** A JSON number without exponent and with at most MAX_DIGITS digits, converted exactly; else undefined. */
  private number(buf: Buffer, i: number, end: number): number | undefined {
    const negative = buf[i] === MINUS;
    if (negative) i++;
    if (i >= end) return undefined;
    let digits = 0;
    let mantissa = 0;
    const first = buf[i]!;
    if (first === ZERO) {
      i++;
      digits = 1;
    } else if (first > ZERO && first <= NINE) {
      while (i < end && buf[i]! >= ZERO && buf[i]! <= NINE) {
        mantissa = mantissa * 10 + (buf[i]! - ZERO);
        digits++;
        i++;
      }
    } else {
      return undefined;
    }
    let decimals = 0;
    if (i < end && buf[i] === DOT) {
      i++;
      while (i < end && buf[i]! >= ZERO && buf[i]! <= NINE) {
        mantissa = mantissa * 10 + (buf[i]! - ZERO);
        digits++;
        decimals++;
        i++;
      }
      if (decimals === 0) return undefined;
    }
    if (digits > MAX_DIGITS) return undefined;
    // an exponent, or a digit right after a leading zero ("01"), or any other byte glued on: the general path
    if (i < end) {
      const b = buf[i]!;
      if (b !== COMMA && b !== CLOSE && !isSpace(b)) return undefined;
    }
    this.at = i;
    const value = decimals === 0 ? mantissa : mantissa / POW10[decimals]!;
    return negative ? -value : value;
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

/** ASCII bytes as a string (latin1 = one char per byte; the reader only lets through bytes below 0x7f). */
function latin1(buf: Buffer, from: number, to: number): string {
  // Buffer's own latin1Slice (what buf.toString('latin1', …) calls after checking its arguments): not in @types/node
  return (buf as unknown as { latin1Slice(from: number, to: number): string }).latin1Slice(from, to);
}
