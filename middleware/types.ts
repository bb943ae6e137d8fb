/**
 * Option and context types of the public middleware API (see docs/middleware.md). Kept apart from the code so the
 * CloudWatch transport (which runs in a worker thread) can import its options type without loading the middleware.
 */
import type { Request, Response } from 'express';
import type { DestinationStream, Logger } from 'pino';
import type { LevelLabel } from './schema.js';

declare module 'express-serve-static-core' {
  interface Request {
    /**
     * The request's child logger (request_id, run_id, trace ids, customProps fields): the one getLogger() returns
     * inside the request, made on first use. Outside requestLogging() (an ignored request, a request it never
     * saw) it is the process default logger. Assigning to it replaces it for this request only.
     */
    log: Logger;
  }
}

/** Options of the CloudWatch Logs sink. The transport worker receives exactly this object plus `service`. */
export interface CloudWatchSinkOptions {
  /** env LOGJAM_CLOUDWATCH_LOG_GROUP */
  logGroupName: string;
  /** env LOGJAM_CLOUDWATCH_LOG_STREAM; default `${service}/${hostname}/${pid}-${startTime}` */
  logStreamName?: string;
  /** Else the SDK's chain (AWS_REGION, profile…); endpoint from AWS_ENDPOINT_URL_CLOUDWATCH_LOGS. */
  region?: string;
  /** Default true (env LOGJAM_CLOUDWATCH_CREATE_GROUP): create the group when missing; the stream is always created when missing. */
  createLogGroup?: boolean;
  /** Default 100_000. Beyond it the NEWEST events are dropped, counted, and reported in a `log.dropped` line. */
  maxBufferedEvents?: number;
  /** Default 64 MiB. */
  maxBufferedBytes?: number;
  /**
   * Default 16 MiB. Bound on the bytes queued in the APP thread for the transport's worker (beyond thread-stream's
   * 4 MB ring) when the worker falls behind a burst. Beyond it lines are dropped (never blocks), counted, and
   * reported in one `log.dropped` line (reason `backpressure`). Host side only: not passed to the worker.
   */
  maxPendingBytes?: number;
  /** Default 1000 (and whenever a batch is full). */
  flushIntervalMs?: number;
  /** Default 262_144 (256 KB): longer events are truncated with a marker, counted. */
  maxEventBytes?: number;
  /**
   * Default: no limit — a retryable failure is retried (exponential backoff with full jitter, base 200 ms, cap
   * 20 s) while the buffer's bounds hold. A number gives a batch up after that many retries (`retries_exhausted`).
   */
  maxRetries?: number;
  /** Default 5000: bound on the final flush at exit/SIGTERM. */
  shutdownTimeoutMs?: number;
  /**
   * Default env LOGJAM_CLOUDWATCH_SPOOL_DIR, else off. A folder where what is still unsent when the shutdown bound
   * runs out is written (instead of dropped), and shipped first by the next process started on it.
   */
  spoolDir?: string;
  /** Default 64 MiB: bound on the spool folder's files; what does not fit is dropped (`shutdown_timeout`). */
  maxSpoolBytes?: number;
}

/** What the transport worker is started with: the sink options plus the service name. */
export interface CloudWatchTransportOptions extends CloudWatchSinkOptions {
  service: string;
}

export interface LoggerOptions {
  /** Default env SERVICE_NAME, else 'app'. */
  service?: string;
  /** Default env LOG_LEVEL, else 'info'. */
  level?: string;
  /** Default true. */
  stdout?: boolean;
  /**
   * Bytes of lines stdout gathers before one write (default 4096, written at least every 100 ms; a terminal always
   * gets each line at once). What a SIGKILL or a machine crash can cost stdout: at most this much. 0 writes each
   * line as it comes (slower). Above 4096, processes sharing one stdout pipe may interleave mid-line.
   */
  stdoutBufferBytes?: number;
  /** Default env LOG_FILE (NDJSON appended; folders created). */
  file?: string;
  /**
   * Bytes of lines the file sink gathers before one write (default 8192; written at least every 100 ms). What a
   * SIGKILL or a machine crash can cost the file: at most this much. 0 writes each line as it comes (slower).
   */
  fileBufferBytes?: number;
  /** Default: from env when LOGJAM_CLOUDWATCH_LOG_GROUP is set. `false` turns it off whatever the environment. */
  cloudwatch?: CloudWatchSinkOptions | false;
  /** Extra pino redact paths (Authorization/Cookie/Set-Cookie are always redacted). */
  redact?: string[];
  /** Default: the cluster worker id when running in a cluster worker. */
  worker?: number;
  /** One more destination (any pino DestinationStream, e.g. a Writable): custom sinks, tests capturing lines. */
  destination?: DestinationStream;
}

export interface RequestLoggingOptions {
  /** An existing logger (best made by createLogger, so lines follow the schema), or options to build one. */
  logger?: Logger | LoggerOptions;
  /** Default ['x-request-id', 'x-correlation-id'] (the first valid one wins). */
  requestIdHeaders?: string[];
  /** Default 'x-run-id'. */
  runIdHeader?: string;
  /** Default 'x-request-id' (echo the id); false: no echo. */
  responseHeader?: string | false;
  /** Default true (request.start lines). */
  startLine?: boolean;
  /**
   * Requests to leave alone (health checks): exact paths (the URL path without the query string, e.g.
   * `['/health', '/ready']`) or a predicate. An ignored request gets no request context, no lines, no ID echo and is
   * not counted in flight; `req.log` and getLogger() inside it are the process default logger. A throwing predicate
   * counts as "not ignored" (and is reported once, see `middleware.hook_error`).
   */
  ignore?: readonly string[] | ((req: Request) => boolean);
  /**
   * Extra flat fields for the request's lines (pino-http's customProps). Called when the request enters the
   * middleware: its fields go on EVERY line of the request (request.start/finish/abort/error, db.query, application
   * lines through getLogger()/req.log). Called again when the request ends: its fields then go on request.finish /
   * request.abort (so a value set later, e.g. the user after authentication, is on the finish line). Values must be
   * strings (cut at 1024 characters), finite numbers or booleans; `undefined` leaves a field out; schema field names
   * (`request_id`, `status`…) are refused. A throw or a refused field never breaks the request: the fields are left
   * out and the hook is reported once (`middleware.hook_error`).
   */
  customProps?: (req: Request, res: Response) => Record<string, unknown> | undefined;
  /**
   * The request ID when no valid inbound request-id header is present (instead of a fresh UUID); with
   * `requestIdHeaders: []` it decides every request's ID, as pino-http's genReqId does. Its output is checked like
   * an inbound ID (1–128 of `[A-Za-z0-9._:-]`, or a non-negative integer): anything else, or a throw, is replaced by
   * a fresh UUID, the request's lines get `request_id_rejected: true`, and the hook is reported once.
   */
  genReqId?: (req: Request, res: Response) => string | number;
  /**
   * The level of request.finish / request.abort (pino-http's customLogLevel): `err` is the error errorLogging()
   * handled for this request, or on an abort a `RequestAbortedError`. Return a level label or `'silent'` (no line).
   * Default: finish `warn` for 5xx else `info`, abort `warn`. An unknown label or a throw falls back to the default
   * (reported once). request.start stays `info`.
   */
  customLogLevel?: (req: Request, res: Response, err: unknown) => LevelLabel | 'silent';
}

/** The state of one request, shared by everything that runs on its behalf (AsyncLocalStorage). */
export interface RequestContext {
  readonly requestId: string;
  /** True when an inbound request-id header was present but invalid (its value is never kept). */
  readonly requestIdRejected: boolean;
  readonly runId: string | undefined;
  /** True when an inbound run-id header was present but invalid (no run_id is logged then). */
  readonly runIdRejected: boolean;
  /**
   * The trace: from the span of this service active when the request entered the middleware, else from a valid
   * inbound `traceparent` header (then spanId is absent: the header's parent id is the caller's span, not ours).
   */
  readonly traceId: string | undefined;
  readonly spanId: string | undefined;
  /** The Root of a valid inbound X-Amzn-Trace-Id (an ALB's), written on request.start/finish/abort. */
  readonly amznTraceId: string | undefined;
  /** True when an inbound X-Amzn-Trace-Id was present but invalid (its value is never kept). */
  readonly amznTraceIdRejected: boolean;
  /** Per-request database totals, written on request.finish. */
  dbMs: number;
  dbQueries: number;
  poolWaitMs: number;
  /** A child logger carrying the request-scoped fields (created on first use). */
  readonly logger: Logger;
}
