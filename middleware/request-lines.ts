/**
 * The request.start / request.finish / request.abort lines, each built as ONE string, for the loggers whose lines
 * line-writer.ts can write as text: no fields object per line, and the part every line of a request shares (the
 * request scope, the X-Amzn-Trace-Id fields, method and path) serialized once per request and kept on its state.
 * The text is, field for field and in the same order, what lines.ts's builders + writeLine give (and so what pino
 * writes); everything else (a logger it cannot write as text, a schema field pino treats specially, a custom field
 * that is not plain) goes through those builders and writeLine.
 */
import type { Logger } from 'pino';
import { jsonField, jsonKey, jsonNumber, quote } from './json-text.js';
import { enabledLevel, textLinePlan, writeLine, writeTextLine } from './line-writer.js';
import { MESSAGES, abortFields, finishFields, round3, startFields } from './lines.js';
import type { Outcome, RequestLineSource } from './lines.js';
import { EVENTS, FIELDS } from './schema.js';
import type { LevelLabel } from './schema.js';

/** What a request's state keeps for its lines: the shared text, made at its first line (null: it cannot be text). */
export interface RequestLineCache {
  lineHead: string | null | undefined;
}

export type RequestLineState = RequestLineSource & RequestLineCache & {
  readonly dbMs: number;
  readonly dbQueries: number;
  readonly poolWaitMs: number;
};

/** The schema fields a request line may hold besides `event`, by the name this module uses for each. */
const LINE_FIELDS = {
  requestId: FIELDS.requestId,
  requestIdRejected: FIELDS.requestIdRejected,
  runId: FIELDS.runId,
  runIdRejected: FIELDS.runIdRejected,
  traceId: FIELDS.traceId,
  spanId: FIELDS.spanId,
  traceparentRejected: FIELDS.traceparentRejected,
  amznTraceId: FIELDS.amznTraceId,
  amznTraceSelf: FIELDS.amznTraceSelf,
  amznTraceIdRejected: FIELDS.amznTraceIdRejected,
  method: FIELDS.method,
  path: FIELDS.path,
  route: FIELDS.route,
  status: FIELDS.status,
  durationMs: FIELDS.durationMs,
  bytesOut: FIELDS.bytesOut,
  dbMs: FIELDS.dbMs,
  dbQueries: FIELDS.dbQueries,
  poolWaitMs: FIELDS.poolWaitMs,
} as const;

/** Every schema field a request line may hold: one pino treats specially (a redaction path) sends all lines its way. */
const REQUEST_LINE_FIELDS: readonly string[] = [FIELDS.event, ...Object.values(LINE_FIELDS)];

/** `,"key":` of each field in LINE_FIELDS. */
const K = Object.fromEntries(Object.entries(LINE_FIELDS).map(([name, field]) => [name, jsonKey(field)])) as Record<
  keyof typeof LINE_FIELDS,
  string
>;

const START_EVENT = jsonKey(FIELDS.event) + quote(EVENTS.requestStart);
const FINISH_EVENT = jsonKey(FIELDS.event) + quote(EVENTS.requestFinish);
const ABORT_EVENT = jsonKey(FIELDS.event) + quote(EVENTS.requestAbort);
const START_MSG = jsonKey(FIELDS.msg) + quote(MESSAGES.start);
const FINISH_MSG = jsonKey(FIELDS.msg) + quote(MESSAGES.finish);
const ABORT_MSG = jsonKey(FIELDS.msg) + quote(MESSAGES.abort);

const NO_DB = `${K.dbMs}0${K.dbQueries}0${K.poolWaitMs}0`;

/** One per requestLogging(): writes its request lines through `logger`, as text when it can. */
export class RequestLineWriter {
  /** The keys pino treats specially, when this logger's request lines can be written as text. */
  private readonly special: ReadonlySet<string> | undefined;

  constructor(private readonly logger: Logger) {
    const plan = textLinePlan(logger);
    this.special = plan !== undefined && !REQUEST_LINE_FIELDS.some((key) => plan.special.has(key)) ? plan.special : undefined;
  }

  start(state: RequestLineState, method: string, path: string): void {
    const num = enabledLevel(this.logger, 'info');
    if (num === undefined) return;
    const head = this.headOf(state, method, path);
    if (head === null) writeLine(this.logger, 'info', startFields(state, method, path), MESSAGES.start);
    else writeTextLine(this.logger, num, START_EVENT + head, START_MSG);
  }

  /**
   * `extra`: customProps' fields at the end of the request. They may override fields of the shared part in place
   * (the key order of an object's assign), so such a line takes the fields object's way.
   */
  finish(state: RequestLineState, level: LevelLabel, o: Outcome, extra?: Record<string, unknown>): void {
    const num = enabledLevel(this.logger, level);
    if (num === undefined) return;
    const head = extra === undefined ? this.headOf(state, o.method, o.path) : null;
    if (head === null) {
      writeLine(this.logger, level, Object.assign(finishFields(state, o), extra), MESSAGES.finish);
      return;
    }
    const route = o.route === undefined ? '' : K.route + quote(o.route);
    const props =
      `${FINISH_EVENT}${head}${route}${K.status}${jsonNumber(o.status)}${K.durationMs}${jsonNumber(o.durationMs)}` +
      `${K.bytesOut}${jsonNumber(o.bytesOut)}${dbText(state)}`;
    writeTextLine(this.logger, num, props, FINISH_MSG);
  }

  /** `extra`: as for finish(). */
  abort(
    state: RequestLineState,
    level: LevelLabel,
    o: Pick<Outcome, 'method' | 'path' | 'route' | 'durationMs'>,
    extra?: Record<string, unknown>,
  ): void {
    const num = enabledLevel(this.logger, level);
    if (num === undefined) return;
    const head = extra === undefined ? this.headOf(state, o.method, o.path) : null;
    if (head === null) {
      writeLine(this.logger, level, Object.assign(abortFields(state, o), extra), MESSAGES.abort);
      return;
    }
    const route = o.route === undefined ? '' : K.route + quote(o.route);
    writeTextLine(this.logger, num, `${ABORT_EVENT}${head}${route}${K.durationMs}${jsonNumber(o.durationMs)}`, ABORT_MSG);
  }

  /** The text every line of the request shares after its event (made once; method and path are the request's). */
  private headOf(state: RequestLineState, method: string, path: string): string | null {
    if (state.lineHead === undefined) {
      state.lineHead = this.special === undefined ? null : lineHead(state, method, path, this.special);
    }
    return state.lineHead;
  }
}

/**
 * scopeFields + the X-Amzn-Trace-Id fields + method and path, as text (the order of lines.ts's builders), or null
 * when a custom field is not one to write as text.
 */
function lineHead(state: RequestLineSource, method: string, path: string, special: ReadonlySet<string>): string | null {
  let text = K.requestId + quote(state.requestId);
  if (state.requestIdRejected) text += `${K.requestIdRejected}true`;
  if (state.runId !== undefined) text += K.runId + quote(state.runId);
  if (state.runIdRejected) text += `${K.runIdRejected}true`;
  if (state.traceId !== undefined) text += K.traceId + quote(state.traceId);
  if (state.spanId !== undefined) text += K.spanId + quote(state.spanId);
  if (state.traceparentRejected === true) text += `${K.traceparentRejected}true`;
  const custom = state.customFields;
  if (custom !== undefined) {
    for (const key in custom) {
      // an integer-like key goes first in an object's key order (so in pino's line): the fields object's way only
      if (special.has(key) || isDigit(key.charCodeAt(0))) return null;
      const field = jsonField(key, custom[key]);
      if (field === undefined) return null;
      text += field;
    }
  }
  if (state.amznTraceId !== undefined) {
    text += K.amznTraceId + quote(state.amznTraceId);
    if (state.amznTraceSelf !== undefined) text += K.amznTraceSelf + quote(state.amznTraceSelf);
  } else if (state.amznTraceIdRejected) {
    text += `${K.amznTraceIdRejected}true`;
  }
  return text + K.method + quote(method) + K.path + quote(path);
}

/** The database fields of request.finish: one constant for the common request that ran no query. */
function dbText(state: RequestLineState): string {
  if (state.dbMs === 0 && state.dbQueries === 0 && state.poolWaitMs === 0) return NO_DB;
  return `${K.dbMs}${jsonNumber(round3(state.dbMs))}${K.dbQueries}${jsonNumber(state.dbQueries)}${K.poolWaitMs}${jsonNumber(round3(state.poolWaitMs))}`;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}
