/**
 * A pino destination for hostile-input tests: it keeps every chunk exactly as written and checks each line on its
 * own (one JSON object per line, no keys outside the schema) instead of trusting the logger. Valid lines are also
 * fed to the middleware suites' LineCapture so tests can wait for a line.
 */
import type { Logger } from 'pino';
import { createLogger } from '../../../middleware/index.js';
import type { LoggerOptions } from '../../../middleware/index.js';
import { FIELDS } from '../../../middleware/schema.js';
import { LineCapture } from '../../integration/middleware/helpers.js';

export type Line = Record<string, unknown>;

/** Keys a line may carry: the schema's fields, plus the few the test apps log themselves. */
export function allowedKeys(appFields: readonly string[] = []): Set<string> {
  return new Set<string>([...Object.values(FIELDS), ...appFields]);
}

export class StrictCapture extends LineCapture {
  /** Every chunk pino wrote, untouched. */
  readonly chunks: string[] = [];
  /** Lines (text between newlines) that were not exactly one JSON object. */
  readonly malformed: string[] = [];

  override write(chunk: string): void {
    this.chunks.push(chunk);
    for (const text of chunk.split('\n')) {
      if (text === '') continue;
      if (parseObjectLine(text) === undefined) this.malformed.push(text);
      else super.write(`${text}\n`);
    }
  }

  /** All text written, for "this value appears nowhere" checks. */
  text(): string {
    return this.chunks.join('');
  }

  /** Newline-separated lines in everything written (a line with an embedded newline would count twice). */
  physicalLineCount(): number {
    return this.text().split('\n').filter((t) => t !== '').length;
  }
}

/** The line parsed, when it is exactly one JSON object (not an array, number, or two objects). */
export function parseObjectLine(text: string): Line | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Line) : undefined;
  } catch {
    return undefined;
  }
}

/** Keys of `line` that are not allowed. */
export function foreignKeys(line: Line, allowed: Set<string>): string[] {
  return Object.keys(line).filter((k) => !allowed.has(k));
}

export function strictLogger(options: LoggerOptions = {}): { logger: Logger; capture: StrictCapture } {
  const capture = new StrictCapture();
  const logger = createLogger({ stdout: false, cloudwatch: false, file: undefined, ...options, destination: capture });
  return { logger, capture };
}

/** The forms a value takes in a JSON line: as is, and JSON-escaped (tabs, quotes, control characters). */
export function encodedForms(value: string): string[] {
  return [...new Set([value, JSON.stringify(value).slice(1, -1)])];
}
