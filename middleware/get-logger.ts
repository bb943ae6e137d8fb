/**
 * getLogger(): the logger application code uses. Inside a request it carries the request-scoped fields; outside,
 * it is the base logger of the most recently configured requestLogging() (or a default createLogger()).
 */
import type { Logger } from 'pino';
import { currentState } from './context.js';
import { scopeFields } from './lines.js';
import { createLogger } from './logger.js';
import { activeSpanContext } from './otel.js';
import { FIELDS } from './schema.js';

let baseLogger: Logger | undefined;

export function setBaseLogger(logger: Logger): void {
  baseLogger = logger;
}

export function getBaseLogger(): Logger {
  baseLogger ??= createLogger();
  return baseLogger;
}

/** Inside a request: a child logger carrying request_id, run_id, trace_id/span_id. Outside: the base logger. */
export function getLogger(): Logger {
  const state = currentState();
  if (state === undefined) return getBaseLogger();
  // Application code may have started its own span inside the request: its lines belong to that span.
  const span = activeSpanContext();
  if (span !== undefined && span.spanId !== state.spanId) {
    return state.baseLogger.child({
      ...scopeFields(state),
      [FIELDS.traceId]: span.traceId,
      [FIELDS.spanId]: span.spanId,
    });
  }
  return state.logger;
}
