/**
 * getLogger(): the logger application code uses. Inside a request it carries the request-scoped fields (written
 * through the logger that request's requestLogging() was given); outside, it is the process default logger: the
 * first createLogger() of the process (default-logger.ts), whenever requestLogging() is mounted.
 */
import type { Logger } from 'pino';
import { currentState } from './context.js';
import { scopeFields } from './lines.js';
import { defaultLogger } from './default-logger.js';
import { buildLogger } from './logger.js';
import { activeSpanContext } from './otel.js';
import { FIELDS } from './schema.js';

/** The process default logger; a stand-in from the environment's settings until the service makes its own. */
export function getBaseLogger(): Logger {
  return defaultLogger(buildLogger);
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
