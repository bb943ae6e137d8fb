/**
 * JSON text of the values a request line holds, as pino writes them: shared by line-writer.ts (a fields object) and
 * request-lines.ts (a request line built as one string).
 */

/** Key names as JSON, each made once (the request lines use a handful). */
const keyCache = new Map<string, string>();
const KEY_CACHE_BOUND = 256;

/** `,"key":` — what precedes a field's value in a line. */
export function jsonKey(key: string): string {
  let cached = keyCache.get(key);
  if (cached === undefined) {
    cached = `,${JSON.stringify(key)}:`;
    if (keyCache.size < KEY_CACHE_BOUND) keyCache.set(key, cached);
  }
  return cached;
}

/** Longest string checked by hand; a longer one (rare in a request line) is left to JSON.stringify. */
const QUOTE_SCAN_LIMIT = 128;

/**
 * JSON.stringify(value) for a string, without its cost for the common case: the ids, methods, paths and routes of
 * request lines rarely hold anything to escape. Anything that might need it (a control character, a quote, a
 * backslash, any surrogate) goes to JSON.stringify, so the result is always JSON.stringify's.
 */
export function quote(value: string): string {
  if (value.length > QUOTE_SCAN_LIMIT) return JSON.stringify(value);
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return JSON.stringify(value);
  }
  return `"${value}"`;
}

/** A number as pino writes it: non-finite ones as null. */
export function jsonNumber(value: number): string {
  return Number.isFinite(value) ? String(value) : 'null';
}

/**
 * `,"key":value` for a flat field (string, number, boolean), '' for one pino leaves out (undefined, a function), or
 * undefined for anything else (objects, null, bigints, symbols: pino's path, its safe stringify).
 */
export function jsonField(key: string, value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return jsonKey(key) + quote(value);
    case 'number':
      return jsonKey(key) + jsonNumber(value);
    case 'boolean':
      return jsonKey(key) + (value ? 'true' : 'false');
    case 'undefined':
    case 'function':
      return '';
    default:
      return undefined;
  }
}
