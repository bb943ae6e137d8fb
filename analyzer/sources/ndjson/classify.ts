/**
 * Classifies one line of text: malformed (not JSON, or JSON that is not an object), foreign (JSON but not a
 * logjam line of the schema version we read: other services, other versions, required fields missing or of the
 * wrong type, a `time` no clock writes, nesting deeper than any logjam line), or a parsed logjam line. Never throws.
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
const isOptStr = (v: unknown): boolean => v === undefined || typeof v === 'string';
const isOptNum = (v: unknown): boolean => v === undefined || isNum(v);

/**
 * The largest epoch-ms a Date can hold (±100,000,000 days). A `time` outside [0, MAX_TIME] is not a time a logger
 * wrote, and downstream math is not safe with it: at 1e20 adding a 1 s bin width no longer changes the number
 * (a time-bin loop would never end) and rendering it as an ISO date throws.
 */
const MAX_TIME = 8.64e15;
const isTime = (v: unknown): boolean => isNum(v) && (v as number) >= 0 && (v as number) <= MAX_TIME;

/**
 * Required fields per event (beyond time/schema): a line without them cannot be counted correctly.
 * A Map, not an object literal: `event` is input, and "__proto__" or "hasOwnProperty" must not find a prototype
 * member and call it.
 */
const REQUIRED = new Map<string, Check>([
  [EVENTS.requestStart, (l) => isStr(l[F.requestId]) && isStr(l[F.method]) && isStr(l[F.path])],
  [EVENTS.requestFinish, (l) =>
    isStr(l[F.requestId]) && isStr(l[F.method]) && isStr(l[F.path]) && isNum(l[F.status]) && isNum(l[F.durationMs])],
  [EVENTS.requestAbort, (l) => isStr(l[F.requestId]) && isStr(l[F.method]) && isStr(l[F.path])],
  [EVENTS.requestError, (l) => isStr(l[F.requestId])],
  [EVENTS.dbQuery, (l) => isNum(l[F.dbMs])],
  [EVENTS.runtimeStats, (l) => isNum(l[F.elDelayP99Ms]) && isNum(l[F.elu])],
  [EVENTS.logDropped, (l) => isNum(l[F.dropped])],
]);

/**
 * Logjam lines are flat (only `err` nests, a level or two with its `cause`). A value nested deeper than this is not
 * ours, and passing it on is a hazard: JSON.stringify of a 100,000-deep array (trace --json) overflows the stack.
 */
const MAX_NESTING = 32;

/** true when some value of the line is nested deeper than MAX_NESTING (iterative: the check cannot overflow). */
function tooDeep(line: Record<string, unknown>): boolean {
  const stack: [unknown, number][] = [];
  for (const v of Object.values(line)) if (typeof v === 'object' && v !== null) stack.push([v, 1]);
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (depth > MAX_NESTING) return true;
    for (const v of Object.values(value as object)) if (typeof v === 'object' && v !== null) stack.push([v, depth + 1]);
  }
  return false;
}

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
  if (line[F.schema] !== SCHEMA_VERSION || !isTime(line[F.time])) return FOREIGN;
  // every line's process fields: the aggregator turns them into keys, so an object here (say one whose toString
  // is not a function) must never reach it
  if (!isOptStr(line[F.service]) || !isOptStr(line[F.host]) || !isOptNum(line[F.pid]) || !isOptNum(line[F.worker])) {
    return FOREIGN;
  }
  const event = line[F.event];
  if (event !== undefined && typeof event !== 'string') return FOREIGN;
  const runId = line[F.runId];
  if (runId !== undefined && typeof runId !== 'string') return FOREIGN;
  const requestId = line[F.requestId];
  if (requestId !== undefined && typeof requestId !== 'string') return FOREIGN;
  if (event !== undefined) {
    const check = REQUIRED.get(event);
    if (check !== undefined && !check(line)) return FOREIGN;
  }
  // A flat line (no "{" or "[" after the opening brace: every logjam line but those with an `err`) cannot be nested;
  // walking its values would cost a tenth of the whole pass for nothing. A bracket inside a string only costs the walk.
  if ((json.indexOf('{', 1) !== -1 || json.indexOf('[') !== -1) && tooDeep(line)) return FOREIGN;
  return line as LogLine;
}
