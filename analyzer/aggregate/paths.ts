/**
 * Path handling for unmatched routes and suspicious segments. Pure functions on the path as logged (the middleware
 * already strips the query string).
 */

export const ID_PLACEHOLDER = ':id';

const NUMBER = /^-?\d+(\.\d+)?$/;
const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
/** hex ids (object ids, hashes): 8+ hex characters with at least one digit (so "deadbeef"-like words stay) */
const HEX_ID = /^(?=[^\d]*\d)[0-9a-f]{8,}$/i;
/** long opaque tokens (base64url, ulids, slugs with ids): 16+ chars of an id alphabet with a digit */
const TOKEN = /^(?=[^\d]*\d)[A-Za-z0-9_\-.~%]{16,}$/;

function isIdLike(segment: string): boolean {
  return NUMBER.test(segment) || UUID.test(segment) || HEX_ID.test(segment) || TOKEN.test(segment);
}

/** The segments a correct client never sends, as they appear after URL-decoding. */
const SUSPICIOUS_WORDS = new Map<string, string>([
  ['undefined', 'undefined'],
  ['null', 'null'],
  ['nan', 'NaN'],
  ['[object object]', '[object Object]'],
]);

function decodeSegment(segment: string): string {
  if (!segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * The first suspicious segment of a path, or undefined. Empty segments are reported as "//" (a doubled slash or a
 * trailing slash after a real segment: `${base}/${id}` with an empty id).
 */
/** The words a suspicious segment holds (SUSPICIOUS_WORDS' keys, "[object object]" by its "object"), lower case. */
const WORDS = ['undefined', 'null', 'nan', 'object'];

/** `word` (lower case) at `at` in `text`, in any ASCII case */
function wordAt(text: string, at: number, word: string): boolean {
  if (at + word.length > text.length) return false;
  for (let k = 0; k < word.length; k++) if ((text.charCodeAt(at + k) | 0x20) !== word.charCodeAt(k)) return false;
  return true;
}

/**
 * Cheap pre-check, on every finished request: false = the path cannot have a suspicious segment (the common case). A
 * path has one only if it holds "//", ends with "/", holds a "%" (an encoded word) or one of WORDS in any case —
 * what /\/\/|\/$|undefined|null|nan|object|%/i tells, without running a regular expression per line (the test
 * compares the two).
 */
export function maybeSuspicious(path: string): boolean {
  const last = path.length - 1;
  for (let i = 0; i <= last; i++) {
    const c = path.charCodeAt(i);
    if (c === 0x2f) {
      if (i === last || path.charCodeAt(i + 1) === 0x2f) return true;
    } else if (c === 0x25) {
      return true;
    } else {
      // the first letters of WORDS, in either case (| 0x20 also turns "N" into "n")
      const lower = c | 0x20;
      if (lower === 0x75 || lower === 0x6e || lower === 0x6f) {
        for (const word of WORDS) if (word.charCodeAt(0) === lower && wordAt(path, i, word)) return true;
      }
    }
  }
  return false;
}

export function suspiciousSegment(path: string): string | undefined {
  if (path.length <= 1 || !maybeSuspicious(path)) return undefined;
  const segments = path.split('/');
  // segments[0] is '' (before the leading slash)
  for (let i = 1; i < segments.length; i++) {
    const raw = segments[i]!;
    if (raw === '') return '//';
    const word = SUSPICIOUS_WORDS.get(decodeSegment(raw).toLowerCase());
    if (word !== undefined) return word;
  }
  return undefined;
}

/**
 * An unmatched path's route template: numbers, UUIDs, hex ids and long tokens become :id, so that
 * /api/v1/todos/123 and /api/v1/todos/456 group together. Suspicious segments are kept as they are: they are the
 * finding.
 */
export function collapsePath(path: string): string {
  if (path.length <= 1) return path || '/';
  const segments = path.split('/');
  for (let i = 1; i < segments.length; i++) {
    const s = segments[i]!;
    if (s !== '' && isIdLike(s)) segments[i] = ID_PLACEHOLDER;
  }
  return segments.join('/');
}
