/**
 * requestLogging(): one request context per request (AsyncLocalStorage) and the request.start / request.finish /
 * request.abort lines. Everything that can be settled once is settled here in the factory; the per-request path
 * resolves four headers, writes at most two lines (request-lines.ts: each built as one string, the part they share
 * made once per request) and registers two listeners (two closures sharing one context). The
 * pino-http-style hooks (ignore, customProps, genReqId, customLogLevel) are wrapped here once (hooks.ts) and cost one
 * `if` each when not given.
 */
import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { bytesOut, countBytesOut, setCounterLookup } from './bytes-out.js';
import { RequestState, markIgnored, requestEnded, requestStarted, runInContext } from './context.js';
import { offerDefaultLogger } from './default-logger.js';
import { HookFailures, REQUEST_ABORTED, customPropsReader, ignoreMatcher, levelChooser } from './hooks.js';
import {
  normalizeHeaderName,
  resolveAmznTraceId,
  resolveGeneratedRequestId,
  resolveRequestId,
  resolveRunId,
} from './ids.js';
import { MESSAGES, elapsedMs, finishFields, pathOf, routeOf } from './lines.js';
import { RequestLineWriter } from './request-lines.js';
import { createLogger } from './logger.js';
import { writeLine } from './line-writer.js';
import { nameMisorderedMiddlewareOnce } from './order-check.js';
import { attachState, ensureReqLog, stateOf } from './req-log.js';
import { activeSpanContext, inboundTraceContext, resolveTraceparent, runInTraceContext, traceparentOf } from './otel.js';
import { DEFAULT_HEADERS, FIELDS } from './schema.js';
import type { LoggerOptions, RequestLoggingOptions } from './types.js';

// A response's bytes are counted into its request's state, found through res.req (Express and Node set it)
setCounterLookup((res) => stateOf(res.req));

export function requestLogging(options: RequestLoggingOptions = {}): RequestHandler {
  const logger = isLogger(options.logger) ? options.logger : createLogger(options.logger);
  // This app's requests log through `logger`; the process default (getLogger() outside requests) is only set here
  // when the service has made none (a plain pino logger given here): first one wins, never the latest app.
  offerDefaultLogger(logger);
  const genReqId = options.genReqId;
  const requestIdHeaders = (options.requestIdHeaders ?? DEFAULT_HEADERS.requestId).map(normalizeHeaderName);
  if (requestIdHeaders.length === 0 && genReqId === undefined) {
    throw new Error('logjam: requestIdHeaders must name at least one header (or give genReqId to make every id)');
  }
  const runIdHeader = normalizeHeaderName(options.runIdHeader ?? DEFAULT_HEADERS.runId);
  const responseHeader =
    options.responseHeader === false ? undefined : normalizeHeaderName(options.responseHeader ?? 'x-request-id');
  const startLine = options.startLine ?? true;
  const lines = new RequestLineWriter(logger);
  const failures = new HookFailures(logger);
  const isIgnored = ignoreMatcher(options.ignore, failures);
  const customProps = options.customProps && customPropsReader(options.customProps, failures);
  const levelFor = options.customLogLevel && levelChooser(options.customLogLevel, failures);
  const genReqIdFailed = (problem: unknown): void =>
    failures.report('genReqId', problem ?? 'returned an invalid id (not 1–128 characters of [A-Za-z0-9._:-])');

  return function logjamRequestLogging(req, res, next) {
    ensureReqLog(req);
    if (isIgnored !== undefined && isIgnored(req)) {
      markIgnored(req);
      next();
      return;
    }
    // body-parser marks every request it sees with a `body` property: one ran before us (see order-check.ts).
    if ('body' in req) nameMisorderedMiddlewareOnce('body-parsed-before');
    const startNs = process.hrtime.bigint();
    const requestId =
      genReqId === undefined
        ? resolveRequestId(req.headers, requestIdHeaders)
        : resolveGeneratedRequestId(req.headers, requestIdHeaders, genReqId, req, res, genReqIdFailed);
    const runId = resolveRunId(req.headers, runIdHeader);
    const inbound = resolveTraceparent(req.headers, DEFAULT_HEADERS.traceparent);
    // A span of this service active already (the SDK's HTTP instrumentation) is the source of truth. Without one, a
    // valid inbound traceparent still gives the caller's trace id (correlation), never its span id as ours; and when
    // a propagator is registered, the request runs in the extracted context so the app's spans join that trace.
    const span = activeSpanContext();
    const traceContext = span === undefined && inbound.parent !== undefined ? inboundTraceContext(req.headers) : undefined;
    const amzn = resolveAmznTraceId(req.headers, DEFAULT_HEADERS.amznTraceId);
    const state = new RequestState(logger, {
      requestId: requestId.id,
      requestIdRejected: requestId.rejected,
      runId: runId.id,
      runIdRejected: runId.rejected,
      traceId: span?.traceId ?? inbound.parent?.traceId,
      spanId: span?.spanId,
      traceparentRejected: inbound.rejected,
      inboundTraceparent: inbound.parent && traceparentOf({ ...inbound.parent, spanId: inbound.parent.parentId }),
      amznTraceId: amzn.trace?.root,
      amznTraceSelf: amzn.trace?.self,
      amznTraceIdRejected: amzn.rejected,
      customFields: customProps?.(req, res),
    });
    attachState(req, state);
    const method = req.method;
    const path = pathOf(req.originalUrl);

    if (responseHeader !== undefined) res.setHeader(responseHeader, requestId.id);
    countBytesOut(res, state);
    requestStarted();
    if (startLine) lines.start(state, method, path);

    // 'close' fires exactly once for every response: after 'finish' when it completed, alone when the client went
    // away first. (on, not once: once allocates a wrapper per request for nothing.) 'finish' is noted on this
    // request's own state, not on the response: a property added to a response costs a map copy per request
    // (req-log.ts says why).
    res.on('finish', () => {
      state.delivered = true;
    });
    res.on('close', () => {
      requestEnded();
      const durationMs = elapsedMs(startNs);
      const route = routeOf(req);
      // 'finish' seen, and finished: the response really went out. res.writableFinished alone is not proof: a
      // response ended on a socket Node already destroyed (request timeout) reads as finished although nothing was
      // written, which logged a 400/413 the client never received.
      if (state.delivered && res.writableFinished) {
        const status = res.statusCode;
        const outcome = { method, path, route, status, durationMs, bytesOut: bytesOut(res, method, state) };
        const extra = customProps?.(req, res);
        const fallback = status >= 500 ? 'warn' : 'info';
        const level = levelFor === undefined ? fallback : levelFor(req, res, state.error, fallback);
        if (level !== 'silent') lines.finish(state, level, outcome, extra);
      } else if (cutByRequestTimeout(req)) {
        // Node answered 408 itself and closed the connection: that is what the client got, whatever the app tried
        // to send afterwards on the dead socket.
        const fields = finishFields(state, { method, path, route, status: REQUEST_TIMEOUT_STATUS, durationMs, bytesOut: 0 });
        fields[FIELDS.reason] = REQUEST_TIMEOUT_REASON;
        writeLine(logger, 'warn', fields, MESSAGES.finish);
      } else {
        const outcome = { method, path, route, durationMs };
        const extra = customProps?.(req, res);
        const level = levelFor === undefined ? 'warn' : levelFor(req, res, state.error ?? REQUEST_ABORTED, 'warn');
        if (level !== 'silent') lines.abort(state, level, outcome, extra);
      }
    });

    // The closure only when a trace context was extracted: the common path allocates nothing more.
    if (traceContext === undefined) runInContext(state, next);
    else runInTraceContext(traceContext, () => runInContext(state, next));
  };
}

const REQUEST_TIMEOUT_STATUS = 408;
const REQUEST_TIMEOUT_REASON = 'request_timeout';

/** Node's requestTimeout cut this request (it writes a 408 and destroys the socket with this error). */
function cutByRequestTimeout(req: IncomingMessage): boolean {
  const errored = (req.socket as { errored?: { code?: unknown } | null } | null)?.errored;
  return errored?.code === 'ERR_HTTP_REQUEST_TIMEOUT';
}

function isLogger(value: Logger | LoggerOptions | undefined): value is Logger {
  const candidate = value as Partial<Logger> | undefined;
  return typeof candidate?.child === 'function' && typeof candidate.info === 'function';
}
