/**
 * Small HTTP clients for the overload tests: a timed request that never throws (a network error is an outcome,
 * status 0, like k6), and a bounded closed-loop of normal traffic that runs until told to stop.
 */
import { request } from 'node:http';

export interface TimedResponse {
  /** 0 = no response (connection refused, reset, timeout) */
  status: number;
  durationMs: number;
  body: unknown;
  headers: Headers;
  /** the network error, when status is 0 */
  error?: string;
}

/** One request with a total timeout; the body is parsed as JSON when it is JSON. */
export async function timedFetch(url: string, init: RequestInit & { timeoutMs?: number } = {}): Promise<TimedResponse> {
  const started = performance.now();
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(init.timeoutMs ?? 30_000) });
    const text = await res.text();
    let body: unknown = text;
    if ((res.headers.get('content-type') ?? '').includes('application/json')) body = JSON.parse(text) as unknown;
    return { status: res.status, durationMs: performance.now() - started, body, headers: res.headers };
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause;
    return {
      status: 0,
      durationMs: performance.now() - started,
      body: undefined,
      headers: new Headers(),
      error: cause?.code ?? (err as Error).message,
    };
  }
}

/**
 * A GET through node:http on a fresh connection (no pooled agent), for header blocks fetch would not send as is.
 * Resolves the status; rejects on a network error.
 */
export function rawGet(port: number, path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
    });
    req.once('error', reject);
    req.end();
  });
}

export interface NormalTrafficOptions {
  url: string;
  /** requests in flight at once */
  concurrency: number;
  /** hard cap on requests, so the loop is bounded even if `until` never settles */
  maxRequests: number;
  /** stop starting new requests once this settles */
  until: Promise<unknown>;
  /** at least this many requests are sent even if `until` settles earlier */
  minRequests?: number;
}

/** Closed-loop normal traffic: each of `concurrency` loops sends one request after the other. */
export async function runNormalTraffic(options: NormalTrafficOptions): Promise<TimedResponse[]> {
  let stop = false;
  void options.until.then(
    () => (stop = true),
    () => (stop = true),
  );
  const results: TimedResponse[] = [];
  let started = 0;
  const more = (): boolean => started < options.maxRequests && (!stop || started < (options.minRequests ?? 0));
  const loop = async (): Promise<void> => {
    while (more()) {
      started++;
      results.push(await timedFetch(options.url));
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, loop));
  return results;
}
