/**
 * A bounded closed-loop load where every request carries its own X-Request-Id (and the run's X-Run-Id), so each
 * response the client received can be looked up in the server's logs afterwards. A loop stops at its first
 * request with no response (the server went away) or when the shared cap is reached.
 */
import { timedFetch } from './timed-http.js';

export interface IdLoadOptions {
  url: string;
  runId: string;
  concurrency: number;
  /** hard cap on requests started, across all loops */
  maxRequests: number;
  /** called after each response (not after failures), with the counts so far */
  onResponse?: (progress: { responses: number; started: number }) => void;
}

export interface IdResponse {
  requestId: string;
  status: number;
  /** the X-Request-Id the server echoed */
  echoed: string | null;
}

export interface IdLoadResult {
  responses: IdResponse[];
  /** requests that got no response (network error), with the error code */
  failures: { requestId: string; error: string }[];
  started: number;
}

/** Alternates a write (POST a todo: a database insert) and a read (the health probe: select 1). */
function requestFor(n: number, url: string): { url: string; init: RequestInit } {
  if (n % 2 === 0) {
    return {
      url: `${url}/api/v1/todos`,
      init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: `delivery ${n}` }) },
    };
  }
  return { url: `${url}/api/v1/health`, init: { method: 'GET' } };
}

export async function runIdLoad(options: IdLoadOptions): Promise<IdLoadResult> {
  const responses: IdResponse[] = [];
  const failures: IdLoadResult['failures'] = [];
  let started = 0;
  const loop = async (): Promise<void> => {
    while (started < options.maxRequests) {
      const n = started++;
      const requestId = `${options.runId}-${n}`;
      const { url, init } = requestFor(n, options.url);
      const res = await timedFetch(url, {
        ...init,
        headers: { ...(init.headers as Record<string, string> | undefined), 'x-request-id': requestId, 'x-run-id': options.runId },
        timeoutMs: 30_000,
      });
      if (res.status === 0) {
        failures.push({ requestId, error: res.error ?? 'no response' });
        return;
      }
      responses.push({ requestId, status: res.status, echoed: res.headers.get('x-request-id') });
      options.onResponse?.({ responses: responses.length, started });
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, loop));
  return { responses, failures, started };
}
