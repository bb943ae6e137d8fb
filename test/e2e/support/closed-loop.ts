/**
 * A minimal closed-loop load generator: `concurrency` workers, each sending one request, waiting for the answer,
 * and sending the next — no think time, so the number in flight is exactly `concurrency` and the app saturates at
 * its slowest resource. Bounded twice: a total request count and a wall-clock deadline, whichever comes first.
 * Every request carries the run id, so the analyzer can pick the run out of the log file.
 */
import { DEFAULT_HEADERS } from '../../../middleware/schema.js';

export interface ClosedLoopOptions {
  url: string;
  runId: string;
  concurrency: number;
  /** stop after this many requests in all */
  requests: number;
  /** and in any case after this long (ms) */
  maxDurationMs: number;
  /** per-request timeout (ms) */
  timeoutMs?: number;
  method?: string;
  body?: unknown;
  /** each worker's pause between an answer and its next request (ms): load below saturation; default 0 */
  pauseMs?: number;
}

export interface ClosedLoopResult {
  sent: number;
  /** status -> count; requests with no response are counted under `noResponse` */
  statuses: Record<string, number>;
  noResponse: number;
}

export async function closedLoop(options: ClosedLoopOptions): Promise<ClosedLoopResult> {
  const deadline = Date.now() + options.maxDurationMs;
  const statuses: Record<string, number> = {};
  let sent = 0;
  let noResponse = 0;
  const headers: Record<string, string> = { [DEFAULT_HEADERS.runId]: options.runId };
  if (options.body !== undefined) headers['content-type'] = 'application/json';

  const worker = async (): Promise<void> => {
    while (sent < options.requests && Date.now() < deadline) {
      sent++;
      try {
        const res = await fetch(options.url, {
          method: options.method ?? 'GET',
          headers,
          body: options.body === undefined ? undefined : JSON.stringify(options.body),
          signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
        });
        await res.arrayBuffer();
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      } catch {
        noResponse++;
      }
      if (options.pauseMs) await new Promise((resolve) => setTimeout(resolve, options.pauseMs));
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return { sent, statuses, noResponse };
}
