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
  /**
   * A requestLogging() hook (customProps, genReqId, customLogLevel, ignore) threw or returned something unusable.
   * Written on the 1st failure of each hook, then at the 10th, 100th, 1000th… with the running count.
   */
  middlewareHookError: 'middleware.hook_error',
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
  // request.start/finish/abort: the inbound X-Amzn-Trace-Id (an ALB's), to join ALB access-log lines
  amznTraceId: 'amzn_trace_id',
  amznTraceSelf: 'amzn_trace_self',
  amznTraceIdRejected: 'amzn_trace_id_rejected',
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
  /** pg's pool.options.max: the most connections the pool opens (runtime.stats, db.pool_timeout, service.start). */
  poolMax: 'pool_max',
  // service.start: the facts capacity math needs (middleware/runtime-facts.ts)
  cpus: 'cpus',
  cpuQuota: 'cpu_quota',
  memoryLimitMb: 'memory_limit_mb',
  memoryLimitSource: 'memory_limit_source',
  nodeVersion: 'node_version',
  workers: 'workers',
  /** where the process runs, when it can tell (ECS sets these variables): one of PLATFORMS */
  platform: 'platform',
  // middleware.hook_error
  hook: 'hook',
  failures: 'failures',
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

/**
 * X-Amzn-Trace-Id (AWS: "Request tracing for your Application Load Balancer"): `;`-separated `Field=value` pairs.
 * Root and Self are `1-<time: 8 hex, epoch seconds>-<id: 24 hex>`; an ALB adds Root when absent and adds (or
 * replaces) Self when Root was already there; other fields (Parent, Sampled, an app's own) are preserved by the ALB
 * and ignored here. Hex is accepted in either case and kept as received, so the value equals, byte for byte, the
 * `Root=` part of the access log's `trace_id` field that the analyzer joins on.
 */
export const AMZN_TRACE_ID_PATTERN = /^1-[0-9a-fA-F]{8}-[0-9a-fA-F]{24}$/;
/** Longest X-Amzn-Trace-Id value looked at (an ALB rewrites the header past 7 KB of headers; ours are ~100 bytes). */
export const AMZN_TRACE_HEADER_MAX_LENGTH = 1024;

export interface AmznTraceId {
  root: string;
  self?: string;
}

/**
 * Parse an X-Amzn-Trace-Id header value (or an ALB access log's `trace_id` field, which holds the same text).
 * Undefined unless there is exactly one Root, valid, and at most one Self, valid; empty fields (a trailing `;`) are
 * allowed, anything else malformed (no `=`, spaces, control bytes, a repeated header joined with `, `) is not. Pure.
 */
export function parseAmznTraceId(value: unknown): AmznTraceId | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > AMZN_TRACE_HEADER_MAX_LENGTH) return undefined;
  let root: string | undefined;
  let self: string | undefined;
  for (const part of value.split(';')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) return undefined;
    const name = part.slice(0, eq);
    const fieldValue = part.slice(eq + 1);
    if (!/^[A-Za-z0-9_-]+$/.test(name) || !/^[\x21-\x7e]*$/.test(fieldValue)) return undefined;
    if (name === 'Root') {
      if (root !== undefined || !AMZN_TRACE_ID_PATTERN.test(fieldValue)) return undefined;
      root = fieldValue;
    } else if (name === 'Self') {
      if (self !== undefined || !AMZN_TRACE_ID_PATTERN.test(fieldValue)) return undefined;
      self = fieldValue;
    }
  }
  if (root === undefined) return undefined;
  return self === undefined ? { root } : { root, self };
}

/** Default inbound header names (lower-case, as Node presents them). */
export const DEFAULT_HEADERS = {
  requestId: ['x-request-id', 'x-correlation-id'],
  runId: 'x-run-id',
  traceparent: 'traceparent',
  /** Added or extended by an AWS Application Load Balancer: `Root=1-<8 hex>-<24 hex>[;Self=…][;Parent=…][;…]`. */
  amznTraceId: 'x-amzn-trace-id',
} as const;

/** Where memory_limit_mb came from: the cgroup v2 or v1 limit of this process, else the host's total memory. */
export const MEMORY_LIMIT_SOURCES = ['cgroup_v2', 'cgroup_v1', 'host_total'] as const;
export type MemoryLimitSource = (typeof MEMORY_LIMIT_SOURCES)[number];

/**
 * service.start's `platform`: `ecs-fargate` / `ecs-ec2` from AWS_EXECUTION_ENV (which ECS sets to AWS_ECS_FARGATE or
 * AWS_ECS_EC2), `ecs` when only the task metadata endpoint variable (ECS_CONTAINER_METADATA_URI_V4 or _URI) is set.
 * Absent elsewhere. Only these names are written, never the variables' values.
 */
export const PLATFORMS = ['ecs-fargate', 'ecs-ec2', 'ecs'] as const;
export type Platform = (typeof PLATFORMS)[number];

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

/**
 * On request.start/finish/abort: the Root of a valid inbound X-Amzn-Trace-Id (`1-67891233-abcdef012345678912345678`,
 * the same text an ALB access log's `trace_id` field holds after `Root=`), the Self the ALB added when present, or
 * the flag when the header was present but invalid (its value is never written).
 */
export interface AmznTraceFields {
  amzn_trace_id?: string;
  amzn_trace_self?: string;
  amzn_trace_id_rejected?: true;
}

export interface RequestStartLine extends BaseLine, RequestScope, AmznTraceFields {
  event: 'request.start';
  method: string;
  path: string;
}

export interface RequestFinishLine extends BaseLine, RequestScope, AmznTraceFields {
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

export interface RequestAbortLine extends BaseLine, RequestScope, AmznTraceFields {
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
  pool_max?: number;
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
  pool_max?: number;
}

/** Written by the service when it starts listening (serviceStartFields()): what capacity math needs to know. */
export interface ServiceStartLine extends BaseLine {
  event: 'service.start';
  /** os.availableParallelism(): the CPUs this process may run on. */
  cpus: number;
  /** CPU time the cgroup allows, in cores (cpu.max / cfs quota ÷ period), when a quota is set (containers, ECS). */
  cpu_quota?: number;
  memory_limit_mb: number;
  memory_limit_source: MemoryLimitSource;
  /** process.version, e.g. `v20.19.0`. */
  node_version: string;
  /** Cluster workers the service runs (when clustered). */
  workers?: number;
  pool_max?: number;
  /** Where it runs, when the environment says (ECS): capacity math then describes an AWS deployment. */
  platform?: Platform;
}

export interface MiddlewareHookErrorLine extends BaseLine {
  event: 'middleware.hook_error';
  /** `customProps`, `genReqId`, `customLogLevel` or `ignore`. */
  hook: string;
  /** Failures of this hook so far in this requestLogging(). */
  failures: number;
  /** What was wrong with what it returned (absent when it threw: then `err`). */
  reason?: string;
  err?: SerializedError;
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
  | ServiceStartLine
  | MiddlewareHookErrorLine
  | LogDroppedLine
  | WorkerExitLine;
