/**
 * The client request log's contract: one line per request the load generator sent, in `runs/<run-id>/client.ndjson`.
 * The Node runner (loadtests/runner/client-log.ts) writes it, the k6 module (loadtests/k6/logjam.js) sends the same
 * header and tags, and the analyzer (analyzer/sources/client-log/) reads both and joins them to the server's lines
 * by `id`, the X-Request-Id the request carried. docs/loadtests.md documents the line.
 *
 * A leaf module: field names and the id shape only, so loadtests/ and analyzer/ can both import it.
 */

/** Marks a client-log line (every line carries it), so a wrong file is recognised and not half-read. */
export const CLIENT_LINE_KIND = 'logjam.client_request' as const;
export const CLIENT_LOG_SCHEMA = 1 as const;

/** The header that carries the client's id; the middleware takes it as the request's correlation id. */
export const CLIENT_REQUEST_ID_HEADER = 'x-request-id';

/**
 * Keys the logjam k6 module (loadtests/k6/logjam.js) puts in every sample's metadata (`--out json` writes them on each
 * point; metadata, unlike tags, makes no time series per value). The analyzer also accepts them as tags.
 */
export const K6_TAGS = { requestId: 'logjam_request_id', vu: 'logjam_vu', iteration: 'logjam_iter' } as const;

/** Why a request got no response; 'interrupted' = the runner itself cut it off (graceful stop, Ctrl-C). */
export type ClientErrorKind = 'timeout' | 'refused' | 'reset' | 'other' | 'interrupted';
export const CLIENT_ERROR_KINDS: readonly ClientErrorKind[] = ['timeout', 'refused', 'reset', 'other', 'interrupted'];

/**
 * One line of client.ndjson. `path` has no query string: query values often carry tokens, e-mails or signed
 * parameters, so the log keeps only the path (as the server's `path` field does) and `origin` without userinfo.
 */
export interface ClientRequestLine {
  kind: typeof CLIENT_LINE_KIND;
  schema: typeof CLIENT_LOG_SCHEMA;
  id: string;
  run_id: string;
  scenario: string;
  /** k6's __VU (unique across scenarios) */
  vu: number;
  /** k6's __ITER within the scenario */
  iter: number;
  /** the request's name tag (default: the URL without its query string, as in k6) */
  name: string;
  method: string;
  origin: string;
  path: string;
  /** epoch ms on the wall clock (Date.now(), as the server stamps its lines) when the request was handed to the HTTP client */
  start: number;
  /** client-measured duration, ms: until the body was read, or until the failure */
  duration_ms: number;
  /** 0 when there was no response */
  status: number;
  /** present when there was no response */
  error?: ClientErrorKind;
  checks_passed?: string[];
  checks_failed?: string[];
}

/** A per-run prefix + a counter: valid under the middleware's id rule (A–Z a–z 0–9 . _ : -, ≤ 128), unique per run. */
export function clientRequestId(prefix: string, sequence: number): string {
  return `${prefix}-${sequence.toString(36)}`;
}

/** Only the scheme, host and port of a URL (never user:password@), and its path without the query or fragment. */
export function splitUrlForLog(url: string): { origin: string; path: string } {
  try {
    const u = new URL(url);
    return { origin: u.origin, path: u.pathname };
  } catch {
    // a relative or broken URL: keep what is before any query/fragment, never the rest
    const cut = url.search(/[?#]/);
    return { origin: '', path: (cut === -1 ? url : url.slice(0, cut)).slice(0, 2048) };
  }
}
