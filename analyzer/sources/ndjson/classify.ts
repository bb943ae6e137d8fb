/**
 * Classifies one line of text: malformed (neither JSON nor a line of a text format, or JSON that is not an object),
 * foreign (a JSON object no input format reads: other services, other logjam schema versions, a known format with a
 * required field missing or of the wrong type), or a line read by one of the input formats (../formats), with the
 * format's name for the input accounting. Never throws.
 */
import type { LogLine } from '../../aggregate/aggregator.js';
import { JSON_FORMATS, TEXT_FORMATS } from '../formats/index.js';
import { logjamFormat } from '../formats/logjam.js';
import type { FlatJsonReader } from './flat-json.js';

export const MALFORMED = Symbol('malformed');
export const FOREIGN = Symbol('foreign');

export interface ReadLine {
  /** the input format that read it (InputAccounting.formats) */
  format: string;
  line: LogLine;
}

export type Classified = ReadLine | typeof MALFORMED | typeof FOREIGN;

function readText(text: string): Classified {
  for (const format of TEXT_FORMATS) {
    const line = format.read(text);
    if (line !== undefined) return { format: format.name, line };
  }
  return MALFORMED;
}

export function classifyLine(text: string): Classified {
  // a UTF-8 BOM at the start of a file (or of a concatenated part)
  const json = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return readText(json);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return MALFORMED;
  const flat = json.indexOf('{', 1) === -1 && json.indexOf('[') === -1;
  for (const format of JSON_FORMATS) {
    const line = format.read(value as Record<string, unknown>, flat);
    if (line !== undefined) return { format: format.name, line };
  }
  return FOREIGN;
}

/**
 * The fast path for logjam's own lines: the line's bytes read by `reader` (flat-json.ts) and checked by the logjam
 * format, without decoding or JSON.parse. undefined: not a flat object the reader handles, or not a line the logjam
 * format reads — classifyLine() on the decoded text then decides, as it does for every other line, so what a line
 * counts as never depends on the path. (The object is the one JSON.parse gives, and it has no nested value.)
 */
export function readLogjamBytes(reader: FlatJsonReader, buf: Buffer, start: number, end: number): LogLine | undefined {
  const value = reader.read(buf, start, end);
  return value === undefined ? undefined : logjamFormat.read(value, true);
}
