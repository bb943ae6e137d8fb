/**
 * Correlation and run IDs from inbound headers. An inbound value is kept only when it passes the schema's
 * isValidId; otherwise it is dropped (never written anywhere: log injection) and the line is flagged instead.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { isValidId, parseAmznTraceId } from './schema.js';
import type { AmznTraceId } from './schema.js';

export interface ResolvedId {
  id: string | undefined;
  /** An inbound header was present but invalid. */
  rejected: boolean;
}

/** The request ID: the first valid header among `names`, else a fresh UUID. */
export function resolveRequestId(headers: IncomingHttpHeaders, names: readonly string[]): ResolvedId & { id: string } {
  let rejected = false;
  for (let i = 0; i < names.length; i++) {
    const value = headers[names[i] as string];
    if (value === undefined) continue;
    if (isValidId(value)) return { id: value, rejected };
    rejected = true;
  }
  return { id: randomUUID(), rejected };
}

/**
 * The request ID when requestLogging has a genReqId: the first valid header among `names` (none when `names` is
 * empty), else what `generate` returns, when it is a valid ID (a non-negative safe integer is taken as its decimal
 * text, as pino-http's counters produce). An invalid generated ID is replaced by a fresh UUID and flagged like an
 * invalid inbound one; `onInvalid` is told (once per failure) so the hook's fault can be named.
 */
export function resolveGeneratedRequestId<Req, Res>(
  headers: IncomingHttpHeaders,
  names: readonly string[],
  generate: (req: Req, res: Res) => unknown,
  req: Req,
  res: Res,
  onInvalid: (problem: unknown) => void,
): ResolvedId & { id: string } {
  let rejected = false;
  for (let i = 0; i < names.length; i++) {
    const value = headers[names[i] as string];
    if (value === undefined) continue;
    if (isValidId(value)) return { id: value, rejected };
    rejected = true;
  }
  let generated: unknown;
  try {
    generated = generate(req, res);
  } catch (err) {
    onInvalid(err);
    return { id: randomUUID(), rejected: true };
  }
  if (typeof generated === 'number' && Number.isSafeInteger(generated) && generated >= 0) generated = String(generated);
  if (isValidId(generated)) return { id: generated, rejected };
  onInvalid(undefined);
  return { id: randomUUID(), rejected: true };
}

export interface ResolvedAmznTraceId {
  trace: AmznTraceId | undefined;
  /** The header was present but invalid (its value is never written). */
  rejected: boolean;
}

const NO_AMZN_TRACE: ResolvedAmznTraceId = Object.freeze({ trace: undefined, rejected: false });
const REJECTED_AMZN_TRACE: ResolvedAmznTraceId = Object.freeze({ trace: undefined, rejected: true });

/** The inbound X-Amzn-Trace-Id (see parseAmznTraceId): its Root (and Self) when valid, flagged when not. */
export function resolveAmznTraceId(headers: IncomingHttpHeaders, name: string): ResolvedAmznTraceId {
  const value = headers[name];
  if (value === undefined) return NO_AMZN_TRACE;
  const trace = parseAmznTraceId(value);
  return trace === undefined ? REJECTED_AMZN_TRACE : { trace, rejected: false };
}

/** The run ID: the header's value when valid; absent (and flagged) when invalid; absent when missing. */
export function resolveRunId(headers: IncomingHttpHeaders, name: string): ResolvedId {
  const value = headers[name];
  if (value === undefined) return NO_RUN_ID;
  return isValidId(value) ? { id: value, rejected: false } : REJECTED_RUN_ID;
}

const NO_RUN_ID: ResolvedId = Object.freeze({ id: undefined, rejected: false });
const REJECTED_RUN_ID: ResolvedId = Object.freeze({ id: undefined, rejected: true });

/** Header names are matched the way Node presents them: lower-case. */
export function normalizeHeaderName(name: string): string {
  const lower = name.trim().toLowerCase();
  if (!/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(lower)) throw new Error(`logjam: "${name}" is not a valid header name`);
  return lower;
}
