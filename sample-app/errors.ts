/**
 * Mapping failures to JSON answers. Every error body is JSON and none carries a stack trace or an internal
 * message: known failures get a fixed message; anything else goes on to the middleware's errorLogging (one
 * request.error line, 500 {"error":"internal error","request_id":…}).
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { hasErrorCode } from '../common/errors.js';
import { FIELDS, getLogger } from '../middleware/index.js';

/** pg's SQLSTATE for a statement cancelled by statement_timeout. */
const QUERY_CANCELED = '57014';

function hasCode(err: unknown): err is { code: unknown } {
  return typeof err === 'object' && err !== null && 'code' in err;
}

/** body-parser errors carry `type` (entity.parse.failed, entity.too.large, …) and a 4xx `status`. */
function bodyParserError(err: unknown): { status: number; type: string } | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { status, type } = err as { status?: unknown; type?: unknown };
  if (typeof type !== 'string' || typeof status !== 'number' || status < 400 || status > 499) return undefined;
  return { status, type };
}

const BODY_ERRORS: Record<string, string> = {
  'entity.parse.failed': 'malformed JSON body',
  'entity.too.large': 'body too large',
  'encoding.unsupported': 'unsupported body encoding',
  'charset.unsupported': 'unsupported body charset',
  'request.aborted': 'request aborted',
  'entity.encoding.invalid': 'body is not valid UTF-8',
};

/**
 * zlib's failure on a body whose Content-Encoding lies (gzip that is not gzip, a truncated stream): body-parser
 * passes zlib's error on as a 400 with zlib's own message and no type. Recognised by zlib's error codes.
 */
function isBodyDecompressionError(err: unknown): boolean {
  return hasCode(err) && typeof err.code === 'string' && err.code.startsWith('Z_');
}

/** Known failures -> their status and fixed JSON body; the rest -> next(err). */
/** Network errors of a database that is down or unreachable (node's codes), and PostgreSQL's own "cannot connect now". */
const DB_UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', '57P01', '57P02', '57P03']);

function isDatabaseUnreachable(err: unknown): boolean {
  const code = hasCode(err) && typeof err.code === 'string' ? err.code : undefined;
  // SQLSTATE class 08: connection exception
  if (code !== undefined && (DB_UNREACHABLE_CODES.has(code) || code.startsWith('08'))) return true;
  return err instanceof Error && err.message.startsWith('Connection terminated');
}

export const knownErrors: ErrorRequestHandler = (err, _req, res, next) => {
  if (res.headersSent) return next(err);
  if (hasErrorCode(err, 'LJ_POOL_TIMEOUT')) {
    // the middleware already logged db.pool_timeout with the wait and the pool's state
    res.status(503).set('retry-after', '1').json({ error: 'database busy' });
    return;
  }
  if (hasCode(err) && err.code === QUERY_CANCELED) {
    // the db.query line carries the error; the answer stays generic
    res.status(503).json({ error: 'database timeout' });
    return;
  }
  if (isDatabaseUnreachable(err)) {
    // the database is down or restarting: a retryable 503, not the app's fault (the process stays up; the pool
    // reconnects when the database returns). errorLogging does not see it, so say why in the log here.
    const e = err as Error & { code?: string };
    getLogger().warn({ [FIELDS.err]: { type: e.name, message: e.message, code: e.code } }, 'database unavailable');
    res.status(503).set('retry-after', '1').json({ error: 'database unavailable' });
    return;
  }
  if (isBodyDecompressionError(err)) {
    res.status(400).json({ error: 'malformed body encoding' });
    return;
  }
  const body = bodyParserError(err);
  if (body) {
    res.status(body.status).json({ error: BODY_ERRORS[body.type] ?? 'bad request' });
    return;
  }
  next(err);
};

export const notFound: RequestHandler = (_req, res) => {
  res.status(404).json({ error: 'not found' });
};

/** Last resort after errorLogging: should anything still fall through, answer JSON, never Express's HTML page. */
export const lastResort: ErrorRequestHandler = (_err, _req, res, _next) => {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.status(500).json({ error: 'internal error' });
};
