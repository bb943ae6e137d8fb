/** propagationHeaders(): what an outbound call made on a request's behalf should carry to stay correlated. */
import { currentState } from './context.js';
import { activeSpanContext, traceparentOf } from './otel.js';
import { DEFAULT_HEADERS } from './schema.js';

const REQUEST_ID_HEADER = DEFAULT_HEADERS.requestId[0];

/** x-request-id, x-run-id (when present), traceparent (when an OTel span is active). Empty outside a request. */
export function propagationHeaders(): Record<string, string> {
  const state = currentState();
  if (state === undefined) return {};
  const headers: Record<string, string> = { [REQUEST_ID_HEADER]: state.requestId };
  if (state.runId !== undefined) headers[DEFAULT_HEADERS.runId] = state.runId;
  const span = activeSpanContext();
  if (span !== undefined) headers[DEFAULT_HEADERS.traceparent] = traceparentOf(span);
  return headers;
}
