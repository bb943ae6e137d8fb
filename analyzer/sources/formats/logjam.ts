/**
 * logjam's own schema (middleware/schema.ts), of the version this analyzer reads. A line of another schema
 * version, with a required field missing or of the wrong type, a `time` no clock writes, or nesting deeper than
 * any logjam line is not read (it counts as foreign unless another format reads it).
 *
 * A line with the right schema and no `event` is a plain application log line (getLogger().info(...)): it is
 * read — `trace` shows it — but feeds no statistics.
 */
import { EVENTS, FIELDS as F, SCHEMA_VERSION } from '../../../middleware/schema.js';
import type { LogLine } from '../../aggregate/aggregator.js';
import { isNum, isTime, type JsonLineFormat } from './types.js';

type Check = (line: Record<string, unknown>) => boolean;
const isStr = (v: unknown): boolean => typeof v === 'string';
const isOptStr = (v: unknown): boolean => v === undefined || typeof v === 'string';
const isOptNum = (v: unknown): boolean => v === undefined || isNum(v);

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

function readLogjam(line: Record<string, unknown>, flat: boolean): LogLine | undefined {
  if (line[F.schema] !== SCHEMA_VERSION || !isTime(line[F.time])) return undefined;
  // every line's process fields: the aggregator turns them into keys, so an object here (say one whose toString
  // is not a function) must never reach it
  if (!isOptStr(line[F.service]) || !isOptStr(line[F.host]) || !isOptNum(line[F.pid]) || !isOptNum(line[F.worker])) {
    return undefined;
  }
  const event = line[F.event];
  if (event !== undefined && typeof event !== 'string') return undefined;
  if (!isOptStr(line[F.runId]) || !isOptStr(line[F.requestId])) return undefined;
  if (event !== undefined) {
    const check = REQUIRED.get(event);
    if (check !== undefined && !check(line)) return undefined;
  }
  if (!flat && tooDeep(line)) return undefined;
  return line as LogLine;
}

export const logjamFormat: JsonLineFormat = { name: 'logjam', kind: 'json', read: readLogjam };
