/**
 * Correlation and run IDs from inbound headers. An inbound value is kept only when it passes the schema's
 * isValidId; otherwise it is dropped (never written anywhere: log injection) and the line is flagged instead.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { isValidId } from './schema.js';

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
