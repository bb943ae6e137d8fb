/**
 * errorLogging(): mounted after the routes, it turns an unhandled error into exactly one request.error line and a
 * JSON answer: 500 {"error":"internal error","request_id":…}, or the error's own 4xx status (with its message when
 * the error says it may be exposed, as http-errors / body-parser errors do).
 */
import { STATUS_CODES } from 'node:http';
import type { ErrorRequestHandler } from 'express';
import { stateForError } from './context.js';
import { getBaseLogger } from './get-logger.js';
import { MESSAGES, pathOf, routeOf, scopeFields } from './lines.js';
import { serializeError, statusOf } from './errors.js';
import { EVENTS, FIELDS } from './schema.js';

const INTERNAL_ERROR = 'internal error';

export function errorLogging(): ErrorRequestHandler {
  return function logjamErrorLogging(err, req, res, next) {
    const state = stateForError(err, req);
    const status = statusOf(err);
    const clientError = status < 500;
    const fields: Record<string, unknown> = state ? scopeFields(state, EVENTS.requestError) : { [FIELDS.event]: EVENTS.requestError };
    fields[FIELDS.method] = req.method;
    fields[FIELDS.path] = pathOf(req.originalUrl);
    const route = routeOf(req);
    if (route !== undefined) fields[FIELDS.route] = route;
    fields[FIELDS.status] = status;
    // Client errors keep their message out of the log: parsers quote the request body in it.
    fields[FIELDS.err] = serializeError(err, { includeMessage: !clientError, status });
    const logger = state?.baseLogger ?? getBaseLogger();
    if (clientError) logger.warn(fields, MESSAGES.error);
    else logger.error(fields, MESSAGES.error);

    // Too late to answer: Express's final handler closes the connection (the line above is the record).
    if (res.headersSent) {
      next(err);
      return;
    }
    const exposed = clientError && (err as { expose?: unknown })?.expose === true && err instanceof Error;
    const body: Record<string, unknown> = { error: exposed ? err.message : clientError ? statusText(status) : INTERNAL_ERROR };
    if (state) body[FIELDS.requestId] = state.requestId;
    res.status(status).json(body);
  };
}

function statusText(status: number): string {
  return (STATUS_CODES[status] ?? 'request error').toLowerCase();
}
