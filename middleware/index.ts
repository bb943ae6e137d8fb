/**
 * logjam/middleware: the public API (docs/middleware.md). Every export is named here on purpose: what is not
 * listed is internal and may change.
 */
export { createLogger, closeLogger } from './logger.js';
export { setDefaultLogger } from './default-logger.js';
export { requestLogging } from './request-logging.js';
export { errorLogging } from './error-logging.js';
export { getLogger } from './get-logger.js';
export { getRequestContext, inFlightRequests } from './context.js';
export { instrumentPool } from './pg.js';
export { PoolTimeoutError } from './errors.js';
export { runtimeStats } from './runtime-stats.js';
export { serviceStartFields } from './runtime-facts.js';
export type { ServiceStartOptions } from './runtime-facts.js';
export { RequestAbortedError } from './hooks.js';
export { propagationHeaders } from './propagation.js';
export type {
  CloudWatchSinkOptions,
  CloudWatchTransportOptions,
  LoggerOptions,
  RequestContext,
  RequestLoggingOptions,
} from './types.js';

// The log schema contract (middleware/schema.ts), re-exported for applications and the analyzer.
export {
  SCHEMA_VERSION,
  EVENTS,
  FIELDS,
  LEVELS,
  ID_PATTERN,
  ID_MAX_LENGTH,
  DEFAULT_HEADERS,
  isValidId,
  AMZN_TRACE_ID_PATTERN,
  parseAmznTraceId,
  MEMORY_LIMIT_SOURCES,
} from './schema.js';
export type {
  EventName,
  FieldName,
  LevelLabel,
  BaseLine,
  RequestScope,
  RequestStartLine,
  RequestFinishLine,
  RequestAbortLine,
  SerializedError,
  RequestErrorLine,
  DbQueryLine,
  DbPoolTimeoutLine,
  RuntimeStatsLine,
  ServiceStartLine,
  MiddlewareHookErrorLine,
  AmznTraceFields,
  AmznTraceId,
  MemoryLimitSource,
  LogDroppedLine,
  WorkerExitLine,
  SchemaLine,
} from './schema.js';
