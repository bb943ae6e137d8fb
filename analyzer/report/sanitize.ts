/**
 * The one sanitizer for every text renderer (terminal, Markdown, trace, capacity text, the runs listing, CLI
 * messages). Log fields are attacker-reachable: any service that puts a request parameter in an error message or
 * a path lets an HTTP client write ESC/CSI/OSC sequences (retitle the terminal, hide lines, forge a hyperlink),
 * newlines (forge a report line) or bidi overrides (reorder what the reader sees) into the report. Each is shown
 * as visible escape text instead (ESC -> `\x1b`, newline -> `\n`, U+202E -> `\u202e`), so the reader sees that the
 * log held it. JSON output keeps the exact values (JSON escapes them); the HTML report escapes for HTML.
 *
 * Two layers: `sanitizeDeep` escapes every string of the data before a renderer formats it (single-line: a newline
 * in a field cannot start a report line), and `sanitizeOutput` escapes whatever control character is left in the
 * finished text (keeping only its line breaks and, when colour is on, the renderer's own SGR colour codes).
 */

/**
 * C0 controls, DEL, C1 controls (U+0080–U+009F: 0x9B is a one-byte CSI), the bidi embeddings/overrides/isolates
 * (U+202A–U+202E, U+2066–U+2069), the invisible LRM/RLM/ALM marks and the Unicode line/paragraph separators.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
// eslint-disable-next-line no-control-regex
const UNSAFE_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
/** The colour codes picocolors writes: SGR only (ESC [ digits/; m). */
// eslint-disable-next-line no-control-regex
const SGR_OR_UNSAFE = /\u001b\[[0-9;]*m|[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** Report fields whose text is multi-line by design (Logs Insights queries): their command line breaks are kept. */
export const MULTILINE_FIELDS: ReadonlySet<string> = new Set(['query', 'queries']);

const SHORT: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeChar(ch: string): string {
  const short = SHORT[ch];
  if (short) return short;
  const code = ch.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** A single-line field (a path, a host, a message): every control character, newlines included, as escape text. */
export function sanitizeText(s: string): string {
  return s.replace(UNSAFE, escapeChar);
}

/**
 * A Logs Insights query: its own line breaks (each command starts a line with "| ") kept, so it pastes as written;
 * a newline inside a value it quotes (a route from the logs) is escaped like any other control character, so it
 * cannot forge a report line.
 */
export function sanitizeMultiline(s: string): string {
  return s.split('\n| ').map(sanitizeText).join('\n| ');
}

/**
 * A copy of `value` with every string sanitized (single-line), except under the keys in `multiline` (their strings
 * keep line breaks). Object keys are sanitized too: records keyed by status, route or message template come from
 * logs. Plain data only (the report object, trace lines): no cycles, no class instances.
 */
export function sanitizeDeep<T>(value: T, multiline: ReadonlySet<string> = new Set()): T {
  const walk = (v: unknown, keepLines: boolean): unknown => {
    if (typeof v === 'string') return keepLines ? sanitizeMultiline(v) : sanitizeText(v);
    if (Array.isArray(v)) return v.map((x) => walk(x, keepLines));
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[sanitizeText(k)] = walk(x, keepLines || multiline.has(k));
      return out;
    }
    return v;
  };
  return walk(value, false) as T;
}

/**
 * The finished text of a renderer: line breaks kept; with `color`, the renderer's SGR colour codes kept; every
 * other control character (one a renderer let through from the data) as escape text. With colour off, no control
 * character but the line break leaves.
 */
export function sanitizeOutput(text: string, options: { color: boolean }): string {
  if (!options.color) return text.replace(UNSAFE_BUT_NEWLINE, escapeChar);
  return text.replace(SGR_OR_UNSAFE, (m) => (m.length > 1 ? m : escapeChar(m)));
}
