/**
 * The request context: one object per request, found through AsyncLocalStorage by everything that runs on the
 * request's behalf (application code via getLogger(), the pg instrumentation), across timers, promises and streams.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger } from 'pino';
import { scopeFields } from './lines.js';
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
}

export class RequestState implements RequestContext {
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
