/**
 * The request context: one object per request, found through AsyncLocalStorage by everything that runs on the
 * request's behalf (application code via getLogger(), the pg instrumentation), across timers, promises and streams.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger } from 'pino';
import { scopeFields } from './lines.js';
import { nameMisorderedMiddlewareOnce } from './order-check.js';
import type { RequestLineCache } from './request-lines.js';
import type { RequestContext } from './types.js';

const storage = new AsyncLocalStorage<RequestState>();

/** What requestLogging settles about a request before anything else runs (see RequestContext for each field). */
export interface RequestStateInit {
  requestId: string;
  requestIdRejected: boolean;
  runId: string | undefined;
  runIdRejected: boolean;
  traceId: string | undefined;
  spanId: string | undefined;
  traceparentRejected: boolean;
  /** The valid inbound traceparent, normalized to version 00: forwarded by propagationHeaders() when no span of ours is active. */
  inboundTraceparent: string | undefined;
  amznTraceId: string | undefined;
  /** The Self field an ALB added to X-Amzn-Trace-Id (tells two requests with one client-sent Root apart). */
  amznTraceSelf: string | undefined;
  amznTraceIdRejected: boolean;
  /** customProps' fields at entry (checked: flat, no schema names), on every line of the request; undefined: none. */
  customFields: Record<string, unknown> | undefined;
}

export class RequestState implements RequestContext, RequestLineCache {
  /** Body bytes the response sent so far (bytes-out.ts counts them here). */
  bytesOut = 0;
  dbMs = 0;
  dbQueries = 0;
  poolWaitMs = 0;
  readonly requestId: string;
  readonly requestIdRejected: boolean;
  readonly runId: string | undefined;
  readonly runIdRejected: boolean;
  readonly traceId: string | undefined;
  readonly spanId: string | undefined;
  /** An inbound traceparent header was present but invalid (its value is never kept). */
  readonly traceparentRejected: boolean;
  readonly inboundTraceparent: string | undefined;
  readonly amznTraceId: string | undefined;
  readonly amznTraceSelf: string | undefined;
  readonly amznTraceIdRejected: boolean;
  readonly customFields: Record<string, unknown> | undefined;
  /** The error errorLogging() handled for this request (customLogLevel's `err`). */
  error: unknown = undefined;
  /** The text its request lines share, made at the first one (request-lines.ts); null: they go the fields' way. */
  lineHead: string | null | undefined = undefined;
  /** The response's 'finish' fired: its last byte was handed to the OS (request-logging.ts). */
  delivered = false;
  private child: Logger | undefined;

  constructor(
    /** The logger the middleware was configured with (request lines are written through it). */
    readonly baseLogger: Logger,
    init: RequestStateInit,
  ) {
    this.requestId = init.requestId;
    this.requestIdRejected = init.requestIdRejected;
    this.runId = init.runId;
    this.runIdRejected = init.runIdRejected;
    this.traceId = init.traceId;
    this.spanId = init.spanId;
    this.traceparentRejected = init.traceparentRejected;
    this.inboundTraceparent = init.inboundTraceparent;
    this.amznTraceId = init.amznTraceId;
    this.amznTraceSelf = init.amznTraceSelf;
    this.amznTraceIdRejected = init.amznTraceIdRejected;
    this.customFields = init.customFields;
  }

  /** Made on first use only: most requests never ask for it, and a pino child costs a serialization. */
  get logger(): Logger {
    if (this.child === undefined) this.child = this.baseLogger.child(scopeFields(this));
    return this.child;
  }
}

export function runInContext<T>(state: RequestState, fn: () => T): T {
  return storage.run(state, fn);
}

export function currentState(): RequestState | undefined {
  return storage.getStore();
}

/**
 * For errorLogging(): the current request's state with the error recorded on it (customLogLevel receives it), or
 * undefined when requestLogging() did not see this request. Unless the request was one requestLogging() was told to
 * ignore, that is the middleware-order pitfall (express.json() mounted first: its parse error skips
 * requestLogging), named once on stderr.
 */
export function stateForError(err: unknown, req: object): RequestState | undefined {
  const state = storage.getStore();
  if (state !== undefined) state.error = err;
  else if (!isIgnoredRequest(req)) nameMisorderedMiddlewareOnce('error-outside-request');
  return state;
}

const IGNORED = Symbol('logjam.ignored');
/** requestLogging() marks the requests it was told to ignore, so an error in one is not taken for misordering. */
export function markIgnored(req: object): void {
  (req as { [IGNORED]?: true })[IGNORED] = true;
}
function isIgnoredRequest(req: object): boolean {
  return (req as { [IGNORED]?: true })[IGNORED] === true;
}

/** The current request's context (id, run id, counters), or undefined outside a request. */
export function getRequestContext(): RequestContext | undefined {
  return storage.getStore();
}

// Requests in flight in this process: maintained by requestLogging, read by runtimeStats and shutdown code.
let inFlight = 0;
export function requestStarted(): void {
  inFlight++;
}
export function requestEnded(): void {
  inFlight--;
}
export function inFlightRequests(): number {
  return inFlight;
}
