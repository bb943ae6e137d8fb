/**
 * pino-http's request lines (its default options, and `customProps` adding a run id), mapped onto the logjam
 * finish line the aggregator consumes. pino-http writes one line per request when the response ends:
 *
 *   {"level":30,"time":1733100000000,"pid":7,"hostname":"web-1","req":{"id":1,"method":"GET","url":"/items/3?x=1",
 *    "query":{…},"params":{…},"headers":{…},"remoteAddress":…,"remotePort":…},"res":{"statusCode":200,"headers":{…}},
 *    "responseTime":4,"msg":"request completed"}
 *
 * with `err` (type, message, stack) and msg "request errored" for an error or a status >= 500, and msg
 * "request aborted" when the client went away first. It writes no start line, so a request that never ended is
 * invisible, and it knows nothing of the database (no db time, query count or pool wait). docs/analyzer.md
 * ("Input formats") lists what the analysis can and cannot tell from it.
 *
 * Only the fields below are copied: headers, query, params and addresses never reach the analysis (they hold
 * attacker-controlled text, and cookies).
 */
import { EVENTS, FIELDS as F, isValidId, LEVELS, SCHEMA_VERSION } from '../../../middleware/schema.js';
import type { LogLine } from '../../aggregate/aggregator.js';
import { isNum, isTime, type JsonLineFormat } from './types.js';

/** Top-level properties a `customProps` may use for the run id (first present wins). */
export const PINO_RUN_ID_PROPS = ['run_id', 'runId'] as const;

/** pino-http's default message for a request the client abandoned (res 'close' before the response ended). */
export const PINO_ABORTED_MSG = 'request aborted';

/** pino's numeric levels (10 trace … 60 fatal) as logjam's labels. */
const PINO_LEVELS = new Map<number, string>(LEVELS.map((label, i) => [(i + 1) * 10, label]));

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/** epoch ms (pino's default) or an ISO time (pino.stdTimeFunctions.isoTime) */
function readTime(v: unknown): number | undefined {
  if (isTime(v)) return v;
  // only an ISO date-time: Date.parse takes "5" or "May" too, which no pino timestamp function writes
  if (typeof v !== 'string' || !ISO_TIME.test(v)) return undefined;
  const t = Date.parse(v);
  return isTime(t) ? t : undefined;
}

/**
 * The request id. pino-http's default ids are a per-process counter (1, 2, 3 …), reused by every process and restart,
 * so a counter id is qualified with the host, the pid and the line's time: two processes' request 1 stay two
 * requests, and a line stored twice (same id, same time) still counts once. A text id (a genReqId returning a UUID
 * or an inbound header) is kept when it is a valid id (the middleware's rule, middleware/schema.ts) and the line is
 * not read otherwise: an id that is not one is never passed on.
 */
function readRequestId(id: unknown, host: string | undefined, pid: number | undefined, time: number): string | undefined {
  if (typeof id === 'string') return isValidId(id) ? id : undefined;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) return undefined;
  const local = `${pid ?? '-'}:${id}:${time}`;
  const qualified = host === undefined ? local : `${host}:${local}`;
  return isValidId(qualified) ? qualified : isValidId(local) ? local : undefined;
}

/** The path as logjam logs it: no query string or fragment. */
function pathOf(url: string): string {
  const end = url.search(/[?#]/);
  const path = end === -1 ? url : url.slice(0, end);
  return path === '' ? '/' : path;
}

/** `err` as pino's serializer writes it, reduced to its type and message (the stack stays in the service's log). */
function readErr(v: unknown): { type?: string; message: string } | undefined {
  if (!isObject(v) || typeof v.message !== 'string') return undefined;
  return typeof v.type === 'string' ? { type: v.type, message: v.message } : { message: v.message };
}

function readPinoHttp(line: Record<string, unknown>): LogLine | undefined {
  const req = line.req;
  const res = line.res;
  if (!isObject(req) || !isObject(res)) return undefined;
  const time = readTime(line.time);
  const method = req.method;
  const url = req.url;
  const status = res.statusCode;
  const duration = line.responseTime;
  const msg = typeof line.msg === 'string' ? line.msg : '';
  // an aborted request has no status yet (pino-http writes `"statusCode": null`); every other line needs one
  const aborted = msg === PINO_ABORTED_MSG;
  if (time === undefined || typeof method !== 'string' || typeof url !== 'string' || !isNum(duration)) return undefined;
  if (!isNum(status) && !(aborted && (status === null || status === undefined))) return undefined;
  const host = typeof line.hostname === 'string' ? line.hostname : undefined;
  const pid = isNum(line.pid) ? line.pid : undefined;
  const requestId = readRequestId(req.id, host, pid, time);
  if (requestId === undefined) return undefined;
  const out: LogLine = {
    [F.time]: time,
    [F.level]: (isNum(line.level) && PINO_LEVELS.get(line.level)) || LEVELS[2],
    [F.msg]: msg,
    [F.event]: aborted ? EVENTS.requestAbort : EVENTS.requestFinish,
    [F.schema]: SCHEMA_VERSION,
    [F.requestId]: requestId,
    [F.method]: method,
    [F.path]: pathOf(url),
    [F.durationMs]: duration,
  };
  if (isNum(status)) out[F.status] = status;
  if (typeof line.name === 'string') out[F.service] = line.name;
  if (host !== undefined) out[F.host] = host;
  if (pid !== undefined) out[F.pid] = pid;
  for (const prop of PINO_RUN_ID_PROPS) {
    const runId = line[prop];
    if (runId === undefined) continue;
    if (isValidId(runId)) out[F.runId] = runId;
    else out[F.runIdRejected] = true;
    break;
  }
  const err = readErr(line.err);
  if (err !== undefined) out[F.err] = err;
  return out;
}

export const pinoHttpFormat: JsonLineFormat = {
  name: 'pino-http',
  kind: 'json',
  read: readPinoHttp,
  cannotTell: 'no start lines (requests still in flight or never finished are invisible), no DB time, query count or pool wait (they read 0), URLs as route templates (ids collapsed)',
};
