/**
 * The event timestamp of a log line, without parsing the whole JSON: at thousands of lines per second a full
 * JSON.parse per line is the transport's main cost, and pino writes `time` near the start of every line.
 */
import { FIELDS } from '../../schema.js';

const EPOCH_TIME = new RegExp(`"${FIELDS.time}":(\\d{1,16})(?:[.,}\\s])`);
const STRING_TIME = new RegExp(`"${FIELDS.time}":"([^"]{1,64})"`);

/** Epoch ms from the line's `time` (number, or an ISO string); `fallback` when absent or unparseable. */
export function lineTime(line: string, fallback: number): number {
  const numeric = EPOCH_TIME.exec(line);
  if (numeric) return Number(numeric[1]);
  const text = STRING_TIME.exec(line);
  if (text) {
    const parsed = Date.parse(text[1]!);
    if (Number.isFinite(parsed)) return parsed;
  }
  return fallback;
}
