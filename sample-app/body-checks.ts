/**
 * Checks on request bodies that body-parser does not make: a declared size over the limit refused before a byte
 * is read, and JSON that is not valid UTF-8 refused instead of being decoded with U+FFFD in place of the bad bytes
 * (the stored title would silently differ from what the client sent).
 */
import { isUtf8 } from 'node:buffer';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';

/** Errors thrown here carry body-parser's shape (status + type), so knownErrors answers them like the parser's own. */
export class BodyCheckError extends Error {
  readonly expose = true;
  constructor(
    readonly status: number,
    readonly type: 'entity.too.large' | 'entity.encoding.invalid',
    message: string,
  ) {
    super(message);
  }
}

/**
 * Content-Length above the limit: 413 at once, and the connection closed after the answer. body-parser checks the
 * declared length too, but only once the route's parser runs; more to the point, Node keeps reading (and the client
 * keeps sending) the unread body after the answer, so the connection stayed busy until the request timeout.
 */
export function refuseDeclaredOversizedBody(limitBytes: number): RequestHandler {
  return (req, res, next) => {
    const declared = req.headers['content-length'];
    if (declared === undefined || !/^\d+$/.test(declared) || Number(declared) <= limitBytes) return next();
    // Closing is what makes it immediate: the unread body is never waited for.
    res.set('connection', 'close');
    next(new BodyCheckError(413, 'entity.too.large', 'request entity too large'));
  };
}

/** body-parser's verify hook: the raw bytes of a UTF-8 JSON body must be valid UTF-8. */
export function requireValidUtf8(_req: IncomingMessage, _res: ServerResponse, body: Buffer, encoding: string): void {
  if (encoding.toLowerCase() !== 'utf-8' && encoding.toLowerCase() !== 'utf8') return;
  if (!isUtf8(body)) throw new BodyCheckError(400, 'entity.encoding.invalid', 'body is not valid UTF-8');
}
