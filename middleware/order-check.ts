/**
 * The middleware-order pitfall: requestLogging() must be mounted first. A body parser (express.json()) mounted
 * before it answers a malformed body with next(err), which skips requestLogging: the error is logged without a
 * request_id and the request has no request.start/finish line. Detected two ways (a body parser already ran when a
 * request reaches requestLogging; an error reaches errorLogging outside any request context) and named once per
 * process on stderr: messages for people go to stderr, the NDJSON lines stay machine-only.
 */

export type MisorderingSign = 'body-parsed-before' | 'error-outside-request';

const WHAT_WAS_SEEN: Record<MisorderingSign, string> = {
  'body-parsed-before': 'a request reached requestLogging() after a body parser had run (req.body was already set)',
  'error-outside-request': 'an error reached errorLogging() from a request requestLogging() never saw',
};

let named = false;

export function nameMisorderedMiddlewareOnce(sign: MisorderingSign): void {
  if (named) return;
  named = true;
  process.stderr.write(
    `logjam: middleware order: ${WHAT_WAS_SEEN[sign]}. Mount requestLogging() first, before express.json() and every ` +
      'other middleware: otherwise a malformed body is logged with no request_id and no request.start/finish line ' +
      '(docs/middleware.md, "Mount order").\n',
  );
}

/** Tests only: forget that the pitfall was named. */
export function resetMisorderingNotice(): void {
  named = false;
}
