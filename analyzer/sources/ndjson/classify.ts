/**
 * Classifies one line of text: malformed (neither JSON nor a line of a text format, or JSON that is not an object),
 * foreign (a JSON object no input format reads: other services, other logjam schema versions, a known format with a
 * required field missing or of the wrong type), or a line read by one of the input formats (../formats), with the
 * format's name for the input accounting. Never throws.
 */
import type { LogLine } from '../../aggregate/aggregator.js';
import { JSON_FORMATS, TEXT_FORMATS } from '../formats/index.js';

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
