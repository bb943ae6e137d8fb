/**
 * Classifies one line of text: malformed (not JSON, or JSON that is not an object), foreign (JSON but not a
 * logjam line of the schema version we read: other services, other versions, required fields missing or of the
 * wrong type), or a parsed logjam line. Never throws.
 *
 * A line with the right schema and no `event` is a plain application log line (getLogger().info(...)): it is
 * parsed — `trace` shows it — but feeds no statistics.
 */
import { EVENTS, FIELDS as F, SCHEMA_VERSION } from '../../../middleware/schema.js';
import type { LogLine } from '../../aggregate/aggregator.js';

export const MALFORMED = Symbol('malformed');
export const FOREIGN = Symbol('foreign');
export type Classified = LogLine | typeof MALFORMED | typeof FOREIGN;

type Check = (line: Record<string, unknown>) => boolean;
const isStr = (v: unknown): boolean => typeof v === 'string';
const isNum = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);

/** Required fields per event (beyond time/schema): a line without them cannot be counted correctly. */
const REQUIRED: Record<string, Check> = {
  [EVENTS.requestStart]: (l) => isStr(l[F.requestId]) && isStr(l[F.method]) && isStr(l[F.path]),
  [EVENTS.requestFinish]: (l) =>
    isStr(l[F.requestId]) && isStr(l[F.method]) && isStr(l[F.path]) && isNum(l[F.status]) && isNum(l[F.durationMs]),
  [EVENTS.requestAbort]: (l) => isStr(l[F.requestId]) && isStr(l[F.method]) && isStr(l[F.path]),
  [EVENTS.requestError]: (l) => isStr(l[F.requestId]),
  [EVENTS.dbQuery]: (l) => isNum(l[F.dbMs]),
  [EVENTS.runtimeStats]: (l) => isNum(l[F.elDelayP99Ms]) && isNum(l[F.elu]),
  [EVENTS.logDropped]: (l) => isNum(l[F.dropped]),
};

export function classifyLine(text: string): Classified {
  // a UTF-8 BOM at the start of a file (or of a concatenated part)
  const json = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return MALFORMED;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return MALFORMED;
  const line = value as Record<string, unknown>;
  if (line[F.schema] !== SCHEMA_VERSION || !isNum(line[F.time])) return FOREIGN;
  const event = line[F.event];
  if (event !== undefined && typeof event !== 'string') return FOREIGN;
  const runId = line[F.runId];
  if (runId !== undefined && typeof runId !== 'string') return FOREIGN;
  const requestId = line[F.requestId];
  if (requestId !== undefined && typeof requestId !== 'string') return FOREIGN;
  if (event !== undefined) {
    const check = REQUIRED[event];
    if (check !== undefined && !check(line)) return FOREIGN;
  }
  return line as LogLine;
}
