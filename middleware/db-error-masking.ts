/**
 * PostgreSQL quotes offending VALUES in its messages (`invalid input syntax for type integer: "abc"`,
 * `date/time field value out of range: "0000-01-01"`): those values come from the client, so every line that carries
 * such a message (db.query, request.error: message and stack, and errors that wrap one as their cause) shows the
 * quoted parts masked. The SQLSTATE code still says what went wrong.
 */

/** How deep a cause chain is followed (a cycle or a pathological chain must not loop). */
const MAX_CAUSE_DEPTH = 8;
const QUOTED = /"[^"]*"/g;
const MASK = '"…"';

interface ErrorLike {
  message?: unknown;
  code?: unknown;
  cause?: unknown;
}

/** A PostgreSQL server error (pg's DatabaseError and look-alikes): a five-character SQLSTATE code. */
export function isPostgresError(err: unknown): boolean {
  const code = (err as ErrorLike | null | undefined)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
}

export function maskQuotedValues(message: string): string {
  return message.replace(QUOTED, MASK);
}

/** The raw messages of the PostgreSQL errors in err and its cause chain, longest first (replaced in that order). */
function postgresMessages(err: unknown): string[] {
  const found: string[] = [];
  const seen = new Set<unknown>();
  let current: unknown = err;
  for (let depth = 0; depth < MAX_CAUSE_DEPTH && typeof current === 'object' && current !== null && !seen.has(current); depth++) {
    seen.add(current);
    const e = current as ErrorLike;
    if (isPostgresError(e) && typeof e.message === 'string' && e.message.length > 0) found.push(e.message);
    current = e.cause;
  }
  return found.sort((a, b) => b.length - a.length);
}

/**
 * `text` (a message or a stack) with every PostgreSQL message of err's chain masked wherever it appears; when err
 * itself is a PostgreSQL error its whole message is masked too (`text` is then that message). Text from anything
 * else passes unchanged.
 */
export function maskPostgresValues(text: string, err: unknown): string {
  let out = text;
  for (const raw of postgresMessages(err)) {
    const masked = maskQuotedValues(raw);
    if (masked !== raw) out = out.split(raw).join(masked);
  }
  return out;
}
