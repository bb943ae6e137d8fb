/** Error serialization for lines, and the middleware's own error classes (one per failure kind, stable `code`). */
import { STATUS_CODES } from 'node:http';
import { LogjamError } from '../common/errors.js';
import { maskPostgresValues } from './db-error-masking.js';
import type { SerializedError } from './schema.js';

/**
 * Serialize an error for a line. `includeMessage: false` keeps the message out (it is replaced by the HTTP status
 * text): client errors from body parsers quote the request body in their message, and bodies are never logged.
 */
export function serializeError(err: unknown, options: { includeMessage: boolean; status?: number }): SerializedError {
  const e = (typeof err === 'object' && err !== null ? err : {}) as Partial<Error> & { code?: unknown; type?: unknown };
  const type = err instanceof Error ? err.constructor.name || err.name : typeof err;
  const fallback = STATUS_CODES[options.status ?? 500] ?? 'error';
  const message = options.includeMessage
    ? err instanceof Error
      ? err.message
      : typeof err === 'string'
        ? err
        : fallback
    : fallback;
  // A database error quotes the client's values: masked here, so every service using errorLogging gets it.
  const out: SerializedError = { type, message: options.includeMessage ? maskPostgresValues(message, err) : message };
  if (options.includeMessage && typeof e.stack === 'string') out.stack = maskPostgresValues(e.stack, err);
  const code = typeof e.code === 'string' ? e.code : typeof e.type === 'string' ? e.type : undefined;
  if (code !== undefined) out.code = code;
  return out;
}

/** The HTTP status an error asks for: its status/statusCode when it is 4xx/5xx, else 500. */
export function statusOf(err: unknown): number {
  if (typeof err !== 'object' || err === null) return 500;
  const e = err as { status?: unknown; statusCode?: unknown };
  const status = typeof e.status === 'number' ? e.status : e.statusCode;
  return typeof status === 'number' && Number.isInteger(status) && status >= 400 && status <= 599 ? status : 500;
}

/** Thrown by instrumented pools when acquiring a connection timed out (pg's connectionTimeoutMillis). */
export class PoolTimeoutError extends LogjamError {
  declare readonly code: 'LJ_POOL_TIMEOUT';
  constructor(
    readonly waitedMs: number,
    options?: { cause?: unknown },
  ) {
    super('LJ_POOL_TIMEOUT', `timed out after ${Math.round(waitedMs)} ms waiting for a database connection`, options);
  }
}
