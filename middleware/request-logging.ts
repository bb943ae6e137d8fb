/**
 * requestLogging(): one request context per request (AsyncLocalStorage) and the request.start / request.finish /
 * request.abort lines. Everything that can be settled once is settled here in the factory; the per-request path
 * resolves three headers, writes at most two lines and registers two listeners (no closure but one).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { bytesOut, countBytesOut } from './bytes-out.js';
import { RequestState, requestEnded, requestStarted, runInContext } from './context.js';
import { setBaseLogger } from './get-logger.js';
import { normalizeHeaderName, resolveRequestId, resolveRunId } from './ids.js';
import { MESSAGES, abortFields, elapsedMs, finishFields, pathOf, routeOf, startFields } from './lines.js';
import { createLogger } from './logger.js';
import { activeSpanContext, inboundTraceContext, resolveTraceparent, runInTraceContext, traceparentOf } from './otel.js';
import { DEFAULT_HEADERS, FIELDS } from './schema.js';
import type { LoggerOptions, RequestLoggingOptions } from './types.js';

export function requestLogging(options: RequestLoggingOptions = {}): RequestHandler {
  const logger = isLogger(options.logger) ? options.logger : createLogger(options.logger);
  setBaseLogger(logger);
  const requestIdHeaders = (options.requestIdHeaders ?? DEFAULT_HEADERS.requestId).map(normalizeHeaderName);
  if (requestIdHeaders.length === 0) throw new Error('logjam: requestIdHeaders must name at least one header');
  const runIdHeader = normalizeHeaderName(options.runIdHeader ?? DEFAULT_HEADERS.runId);
  const responseHeader =
    options.responseHeader === false ? undefined : normalizeHeaderName(options.responseHeader ?? 'x-request-id');
  const startLine = options.startLine ?? true;

  return function logjamRequestLogging(req, res, next) {
    const startNs = process.hrtime.bigint();
    const requestId = resolveRequestId(req.headers, requestIdHeaders);
    const runId = resolveRunId(req.headers, runIdHeader);
    const inbound = resolveTraceparent(req.headers, DEFAULT_HEADERS.traceparent);
    // A span of this service active already (the SDK's HTTP instrumentation) is the source of truth. Without one, a
    // valid inbound traceparent still gives the caller's trace id (correlation), never its span id as ours; and when
    // a propagator is registered, the request runs in the extracted context so the app's spans join that trace.
    const span = activeSpanContext();
    const traceContext = span === undefined && inbound.parent !== undefined ? inboundTraceContext(req.headers) : undefined;
    const state = new RequestState(logger, {
      requestId: requestId.id,
      requestIdRejected: requestId.rejected,
      runId: runId.id,
      runIdRejected: runId.rejected,
      traceId: span?.traceId ?? inbound.parent?.traceId,
      spanId: span?.spanId,
      traceparentRejected: inbound.rejected,
      inboundTraceparent: inbound.parent && traceparentOf({ ...inbound.parent, spanId: inbound.parent.parentId }),
    });
    const method = req.method;
    const path = pathOf(req.originalUrl);

    if (responseHeader !== undefined) res.setHeader(responseHeader, requestId.id);
    countBytesOut(res);
    requestStarted();
    if (startLine) logger.info(startFields(state, method, path), MESSAGES.start);

    // 'close' fires exactly once for every response: after 'finish' when it completed, alone when the client went
    // away first. (on, not once: once allocates a wrapper per request for nothing; markDelivered is shared.)
    res.on('finish', markDelivered);
    res.on('close', () => {
      requestEnded();
      const durationMs = elapsedMs(startNs);
      const route = routeOf(req);
      if (responseDelivered(res)) {
        const status = res.statusCode;
        const fields = finishFields(state, { method, path, route, status, durationMs, bytesOut: bytesOut(res, method) });
        if (status >= 500) logger.warn(fields, MESSAGES.finish);
        else logger.info(fields, MESSAGES.finish);
      } else if (cutByRequestTimeout(req)) {
        // Node answered 408 itself and closed the connection: that is what the client got, whatever the app tried
        // to send afterwards on the dead socket.
        const fields = finishFields(state, { method, path, route, status: REQUEST_TIMEOUT_STATUS, durationMs, bytesOut: 0 });
        fields[FIELDS.reason] = REQUEST_TIMEOUT_REASON;
        logger.warn(fields, MESSAGES.finish);
      } else {
        logger.warn(abortFields(state, { method, path, route, durationMs }), MESSAGES.abort);
      }
    });

    // The closure only when a trace context was extracted: the common path allocates nothing more.
    if (traceContext === undefined) runInContext(state, next);
    else runInTraceContext(traceContext, () => runInContext(state, next));
  };
}

const DELIVERED = Symbol('logjam.delivered');
const REQUEST_TIMEOUT_STATUS = 408;
const REQUEST_TIMEOUT_REASON = 'request_timeout';

function markDelivered(this: ServerResponse): void {
  (this as ServerResponse & { [DELIVERED]?: true })[DELIVERED] = true;
}

/**
 * The response really went out: 'finish' fired (the last byte was handed to the OS). res.writableFinished alone is
 * not proof: a response ended on a socket Node already destroyed (request timeout) reads as finished although
 * nothing was written, which logged a 400/413 the client never received.
 */
function responseDelivered(res: ServerResponse): boolean {
  return (res as ServerResponse & { [DELIVERED]?: true })[DELIVERED] === true && res.writableFinished;
}

/** Node's requestTimeout cut this request (it writes a 408 and destroys the socket with this error). */
function cutByRequestTimeout(req: IncomingMessage): boolean {
  const errored = (req.socket as { errored?: { code?: unknown } | null } | null)?.errored;
  return errored?.code === 'ERR_HTTP_REQUEST_TIMEOUT';
}

function isLogger(value: Logger | LoggerOptions | undefined): value is Logger {
  const candidate = value as Partial<Logger> | undefined;
  return typeof candidate?.child === 'function' && typeof candidate.info === 'function';
}
