/**
 * The one comparison of what the client sent with what the server logged for a run. The client-no-server-line
 * finding and the capacity bottleneck verdict both read it, so the report never shows two numbers for one thing.
 */
import type { ClientView, RunAggregate } from '../model.js';

export interface ClientServerCounts {
  clientRequests: number;
  /** requests with any server line: finished, aborted (client gave up mid-way) or started and never finished */
  serverSeen: number;
  /** requests the runner cut off itself at a ramp-down or the end (absent from its request count, as in k6) */
  interrupted: number;
  /** an upper bound on client requests that left no server line at all (0 when the server saw more) */
  missing: number;
  /** requests the client got no response for, when its summary says (the Node runner's does; k6's does not) */
  noResponse?: number;
}

export function compareClientToServer(agg: RunAggregate, client: ClientView): ClientServerCounts {
  const serverSeen = agg.totals.requests + agg.totals.aborts + agg.totals.unfinished;
  const interrupted = client.interruptedRequests ?? 0;
  // Interrupted requests are left out of the client's count but the server may have logged them (an abort or start
  // line): add them back before comparing. What remains may include interrupted requests that never left the runner.
  const missing = Math.max(0, client.requests + interrupted - serverSeen);
  const counts: ClientServerCounts = { clientRequests: client.requests, serverSeen, interrupted, missing };
  if (client.noResponse !== undefined) counts.noResponse = client.noResponse;
  return counts;
}
