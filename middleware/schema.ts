/**
 * The log schema: the one contract between the middleware (which writes lines) and the analyzer (which reads them).
 * Every field name and event name lives here and nowhere else; docs/log-schema.md documents the same contract for
 * people. Bump SCHEMA_VERSION when a field changes meaning or type (adding an optional field does not need a bump).
 *
 * Lines are flat JSON objects (no nesting except `err`) so Logs Insights queries stay short:
 *   filter run_id = "r1" and event = "request.finish"
 */

export const SCHEMA_VERSION = 1 as const;

/** Machine names of the events. The `event` field of every line holds one of these. */
export const EVENTS = {
  requestStart: 'request.start',
  requestFinish: 'request.finish',
  requestAbort: 'request.abort',
  requestError: 'request.error',
  dbQuery: 'db.query',
  /** A request gave up waiting for a pool connection (the app answers 503 "database busy"). */
  dbPoolTimeout: 'db.pool_timeout',
  runtimeStats: 'runtime.stats',
  logDropped: 'log.dropped',
  /** Process lifecycle: a server (or cluster worker) started listening / began shutting down. */
  serviceStart: 'service.start',
  serviceStop: 'service.stop',
  /** The cluster primary saw a worker exit (and replaced it when it was not a shutdown). */
  workerExit: 'worker.exit',
} as const;

export type EventName = (typeof EVENTS)[keyof typeof EVENTS];

/** Field names. Use these constants in code that reads or writes lines; never spell a field name inline. */
export const FIELDS = {
  // every line
  time: 'time',
  level: 'level',
  msg: 'msg',
  event: 'event',
  schema: 'schema',
  service: 'service',
  host: 'host',
  pid: 'pid',
  worker: 'worker',
  // request-scoped lines
  requestId: 'request_id',
  requestIdRejected: 'request_id_rejected',
  runId: 'run_id',
  runIdRejected: 'run_id_rejected',
  traceId: 'trace_id',
  spanId: 'span_id',
  traceparentRejected: 'traceparent_rejected',
  // request.*
  method: 'method',
  path: 'path',
  route: 'route',
  status: 'status',
  durationMs: 'duration_ms',
  bytesOut: 'bytes_out',
  dbMs: 'db_ms',
  dbQueries: 'db_queries',
  poolWaitMs: 'pool_wait_ms',
  err: 'err',
  // db.query
  sql: 'sql',
  rows: 'rows',
  // runtime.stats
  elu: 'elu',
  elDelayP50Ms: 'el_delay_p50_ms',
  elDelayP99Ms: 'el_delay_p99_ms',
  elDelayMaxMs: 'el_delay_max_ms',
  heapUsedMb: 'heap_used_mb',
  inFlight: 'in_flight',
  poolTotal: 'pool_total',
  poolIdle: 'pool_idle',
  poolWaiting: 'pool_waiting',
  // log.dropped
  dropped: 'dropped',
  reason: 'reason',
  sink: 'sink',
  // worker.exit
  exitCode: 'exit_code',
  signal: 'signal',
  replaced: 'replaced',
} as const;

export type FieldName = (typeof FIELDS)[keyof typeof FIELDS];

/** Level labels as written in `level` (pino's numeric levels are mapped to these). */
export const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type LevelLabel = (typeof LEVELS)[number];

/**
 * Inbound correlation and run IDs are accepted only when they match this: 1–128 characters of a safe alphabet.
 * Anything else (CRLF, quotes, JSON fragments, 10 KB blobs, non-ASCII) is replaced, and the line says so —
 * the rejected value itself is never written.
 */
export const ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
export const ID_MAX_LENGTH = 128;

export function isValidId(value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value);
}

/** Default inbound header names (lower-case, as Node presents them). */
export const DEFAULT_HEADERS = {
  requestId: ['x-request-id', 'x-correlation-id'],
  runId: 'x-run-id',
  traceparent: 'traceparent',
} as const;

// ---------------------------------------------------------------------------------------------------------------
// Line shapes. Optional fields are absent (never null) when they do not apply.

export interface BaseLine {
  time: number;
  level: LevelLabel;
  msg: string;
  event?: EventName;
  schema: typeof SCHEMA_VERSION;
  service: string;
  host: string;
  pid: number;
  worker?: number;
}

export interface RequestScope {
  request_id: string;
  request_id_rejected?: true;
  run_id?: string;
  run_id_rejected?: true;
  trace_id?: string;
  span_id?: string;
  traceparent_rejected?: true;
}

export interface RequestStartLine extends BaseLine, RequestScope {
  event: 'request.start';
  method: string;
  path: string;
}

export interface RequestFinishLine extends BaseLine, RequestScope {
  event: 'request.finish';
  method: string;
  path: string;
  route?: string;
  status: number;
  duration_ms: number;
  bytes_out: number;
  db_ms: number;
  db_queries: number;
  pool_wait_ms: number;
  /** `request_timeout`: Node's request timeout cut the request and answered 408 itself (bytes_out 0). */
  reason?: string;
}

export interface RequestAbortLine extends BaseLine, RequestScope {
  event: 'request.abort';
  method: string;
  path: string;
  route?: string;
  duration_ms: number;
}

export interface SerializedError {
  type: string;
  message: string;
  stack?: string;
  code?: string;
}

export interface RequestErrorLine extends BaseLine, RequestScope {
  event: 'request.error';
  method: string;
  path: string;
  route?: string;
  status: number;
  err: SerializedError;
}

export interface DbQueryLine extends BaseLine, Partial<RequestScope> {
  event: 'db.query';
  sql: string;
  db_ms: number;
  pool_wait_ms: number;
  rows?: number;
  err?: SerializedError;
}

export interface DbPoolTimeoutLine extends BaseLine, Partial<RequestScope> {
  event: 'db.pool_timeout';
  pool_wait_ms: number;
  pool_total?: number;
  pool_idle?: number;
  pool_waiting?: number;
}

export interface RuntimeStatsLine extends BaseLine {
  event: 'runtime.stats';
  elu: number;
  el_delay_p50_ms: number;
  el_delay_p99_ms: number;
  el_delay_max_ms: number;
  heap_used_mb: number;
  in_flight: number;
  pool_total?: number;
  pool_idle?: number;
  pool_waiting?: number;
}

export interface LogDroppedLine extends BaseLine {
  event: 'log.dropped';
  dropped: number;
  reason: string;
  sink: string;
}

export interface WorkerExitLine extends BaseLine {
  event: 'worker.exit';
  exit_code?: number;
  signal?: string;
  replaced: boolean;
}

export type SchemaLine =
  | RequestStartLine
  | RequestFinishLine
  | RequestAbortLine
  | RequestErrorLine
  | DbQueryLine
  | DbPoolTimeoutLine
  | RuntimeStatsLine
  | LogDroppedLine
  | WorkerExitLine;
