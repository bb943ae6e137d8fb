/**
 * What one input format is to the local source: a reader that turns one line into a LogLine in logjam's field
 * names (middleware/schema.ts), the shape the aggregator consumes, or says the line is not one of its own.
 * Formats are tried in the order of LINE_FORMATS (./index.ts); the first that reads a line wins.
 */
import type { LogLine } from '../../aggregate/aggregator.js';

export interface JsonLineFormat {
  /** the name the input accounting counts lines under (InputAccounting.formats) */
  readonly name: string;
  /** what the analysis cannot tell from this format's lines, said next to their count in the report */
  readonly cannotTell?: string;
  readonly kind: 'json';
  /**
   * a parsed JSON object -> the line it means, or undefined when it is not a readable line of this format. `flat`:
   * the text had no "{" or "[" after its opening brace, so no value of the object can be nested (a cheap fact the
   * parser's caller knows; walking every value to find out costs a tenth of a pass)
   */
  read(value: Record<string, unknown>, flat: boolean): LogLine | undefined;
}

export interface TextLineFormat {
  readonly name: string;
  readonly cannotTell?: string;
  /** for formats that are not JSON (access logs): tried on lines that do not parse as JSON */
  readonly kind: 'text';
  read(text: string): LogLine | undefined;
}

export type LineFormat = JsonLineFormat | TextLineFormat;

/**
 * The largest epoch-ms a Date can hold (±100,000,000 days). A `time` outside [0, MAX_TIME] is not a time a logger
 * wrote, and downstream math is not safe with it: at 1e20 adding a 1 s bin width no longer changes the number
 * (a time-bin loop would never end) and rendering it as an ISO date throws.
 */
export const MAX_TIME = 8.64e15;

export const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
export const isTime = (v: unknown): v is number => isNum(v) && v >= 0 && v <= MAX_TIME;
