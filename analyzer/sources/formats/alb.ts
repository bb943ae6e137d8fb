/**
 * AWS Application Load Balancer access logs ("Access log entries", Elastic Load Balancing user guide): one request a
 * line, space-separated fields in a documented order, some in double quotes. Newer fields are appended at the end,
 * so extra trailing fields are accepted. Pure; never throws.
 *
 * A line is an ALB line when it starts with a listener type and an ISO time (`https 2026-12-02T00:39:35.123456Z`);
 * anything else is left to the JSON classifier. An ALB line with fewer fields than the format has had since 2019
 * (through `error_reason`), or with an unclosed quote, is TRUNCATED (a cut file, a partial copy); one with all its
 * fields but a value no ALB writes (a time that does not parse, a status that is not 3 digits) is MALFORMED.
 */
import { parseAmznTraceId } from '../../../middleware/schema.js';
import { ALB_EVENT, traceJoinKey, type AlbLine, type AlbRecord } from '../../aggregate/alb-record.js';
import type { InputAccounting } from '../../model.js';

export const ALB_MALFORMED = Symbol('alb-malformed');
export const ALB_TRUNCATED = Symbol('alb-truncated');
export type AlbClassified = AlbLine | typeof ALB_MALFORMED | typeof ALB_TRUNCATED;

/** Listener types an ALB writes in the first field. */
const TYPES = new Set(['http', 'https', 'h2', 'grpcs', 'ws', 'wss']);
const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;
const STATUS = /^[1-5]\d\d$/;
const SECONDS = /^(-1|\d+(\.\d+)?)$/;
const METHOD = /^[A-Z]{1,16}$/;

/** Field positions (0-based) in the documented order. */
const FIELD = {
  type: 0,
  time: 1,
  target: 4,
  requestProcessing: 5,
  targetProcessing: 6,
  responseProcessing: 7,
  elbStatus: 8,
  targetStatus: 9,
  request: 12,
  traceId: 17,
  requestCreationTime: 21,
} as const;
/** type … error_reason: every ALB line since 2019 has at least these (classification and later are newer). */
export const ALB_MIN_FIELDS = 25;
/** a line with more fields than this is not an ALB line we understand (the format has 30 today) */
const MAX_FIELDS = 64;

/**
 * The fields of one line, quotes removed (a backslash escapes the next character inside quotes), or undefined when
 * a quote is not closed.
 */
export function splitAlbFields(text: string): string[] | undefined {
  const fields: string[] = [];
  let i = 0;
  const n = text.length;
  while (i < n && fields.length <= MAX_FIELDS) {
    if (text.charCodeAt(i) === 34 /* " */) {
      // the common case: no backslash before the closing quote, one slice
      const close = text.indexOf('"', i + 1);
      const whole = close === -1 ? '' : text.slice(i + 1, close);
      if (close !== -1 && !whole.includes('\\')) {
        fields.push(whole);
        i = close + 1;
        if (i < n && text.charCodeAt(i) === 32) i++;
        continue;
      }
      let value = '';
      let j = i + 1;
      let closed = false;
      while (j < n) {
        const ch = text.charCodeAt(j);
        if (ch === 92 /* \ */ && j + 1 < n) {
          value += text[j + 1];
          j += 2;
        } else if (ch === 34) {
          closed = true;
          break;
        } else {
          value += text[j];
          j++;
        }
      }
      if (!closed) return undefined;
      fields.push(value);
      i = j + 1;
    } else {
      let j = text.indexOf(' ', i);
      if (j === -1) j = n;
      fields.push(text.slice(i, j));
      i = j;
    }
    // one space between fields
    if (i < n && text.charCodeAt(i) === 32) i++;
  }
  return fields;
}

/** ms from a seconds field; -1 stays -1; NaN when it is not a number */
function ms(field: string): number {
  if (!SECONDS.test(field)) return Number.NaN;
  return field === '-1' ? -1 : Number(field) * 1000;
}

function status(field: string): number | undefined | null {
  if (field === '-') return undefined;
  return STATUS.test(field) ? Number(field) : null;
}

/** The path of a request URL: `https://host:443/a/b?x=1` -> `/a/b`; a bare `/a?x` -> `/a`; "-" stays "-". */
export function urlPath(url: string): string {
  let start = 0;
  const scheme = url.indexOf('://');
  if (scheme !== -1) {
    const slash = url.indexOf('/', scheme + 3);
    if (slash === -1) return '/';
    start = slash;
  }
  let end = url.length;
  const q = url.indexOf('?', start);
  if (q !== -1) end = q;
  const hash = url.indexOf('#', start);
  if (hash !== -1 && hash < end) end = hash;
  return url.slice(start, end) || '/';
}

/** undefined: not an ALB line (the caller tries JSON); else the record, or why it cannot be read. */
export function classifyAlbLine(text: string): AlbClassified | undefined {
  // cheap test first: every line of the input passes here, and JSON lines start with "{"
  const first = text.charCodeAt(0);
  if (first < 97 || first > 122) return undefined;
  const sp = text.indexOf(' ');
  if (sp < 2 || sp > 5 || !TYPES.has(text.slice(0, sp))) return undefined;
  const sp2 = text.indexOf(' ', sp + 1);
  const timeText = text.slice(sp + 1, sp2 === -1 ? text.length : sp2);
  if (!/^\d{4}-\d\d-\d\dT/.test(timeText)) return undefined;

  const f = splitAlbFields(text);
  if (f === undefined || f.length < ALB_MIN_FIELDS) return ALB_TRUNCATED;
  if (f.length > MAX_FIELDS) return ALB_MALFORMED;
  const time = ISO_TIME.test(timeText) ? Date.parse(timeText) : Number.NaN;
  const creation = f[FIELD.requestCreationTime]!;
  const arrival = creation === '-' ? undefined : ISO_TIME.test(creation) ? Date.parse(creation) : Number.NaN;
  const requestProcessingMs = ms(f[FIELD.requestProcessing]!);
  const targetProcessingMs = ms(f[FIELD.targetProcessing]!);
  const responseProcessingMs = ms(f[FIELD.responseProcessing]!);
  const elbStatus = status(f[FIELD.elbStatus]!);
  const targetStatus = status(f[FIELD.targetStatus]!);
  // "GET https://host:443/path?q HTTP/1.1"; a request the ALB could not parse is logged as "- - -" parts
  const request = f[FIELD.request]!.split(' ');
  const method = request[0] ?? '';
  if (
    Number.isNaN(time) ||
    Number.isNaN(arrival) ||
    Number.isNaN(requestProcessingMs) ||
    Number.isNaN(targetProcessingMs) ||
    Number.isNaN(responseProcessingMs) ||
    elbStatus === null ||
    targetStatus === null ||
    request.length !== 3 ||
    (method !== '-' && !METHOD.test(method))
  ) {
    return ALB_MALFORMED;
  }
  const traceField = f[FIELD.traceId]!;
  let traceKey: string | undefined;
  let traceRoot: string | undefined;
  if (traceField !== '-' && traceField !== '') {
    // a header the client sent that is no valid trace id: the line is fine, it just cannot be joined
    const trace = parseAmznTraceId(traceField);
    if (trace !== undefined) {
      traceKey = traceJoinKey(trace.root, trace.self);
      traceRoot = trace.root;
    }
  }
  const record: AlbRecord = {
    type: f[FIELD.type]!,
    time,
    arrival,
    requestProcessingMs,
    targetProcessingMs,
    responseProcessingMs,
    elbStatus,
    targetStatus,
    hasTarget: f[FIELD.target] !== '-',
    method,
    path: urlPath(request[1]!),
    traceKey,
    traceRoot,
  };
  return { time, event: ALB_EVENT, alb: record };
}

/** Counts an ALB verdict in the input accounting; returns the line to pass on, or undefined. */
export function countAlbLine(input: InputAccounting, c: AlbClassified): AlbLine | undefined {
  const alb = (input.alb ??= { lines: 0, malformed: 0, truncated: 0 });
  if (c === ALB_MALFORMED || c === ALB_TRUNCATED) {
    input.malformed++;
    if (c === ALB_MALFORMED) alb.malformed++;
    else alb.truncated++;
    return undefined;
  }
  alb.lines++;
  return c;
}
