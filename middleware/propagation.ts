/** propagationHeaders(): what an outbound call made on a request's behalf should carry to stay correlated. */
import { currentState } from './context.js';
import { activeSpanContext, traceparentOf } from './otel.js';
import { DEFAULT_HEADERS } from './schema.js';

const REQUEST_ID_HEADER = DEFAULT_HEADERS.requestId[0];

/**
 * x-request-id, x-run-id (when present), traceparent: the active span of this service when there is one, else the
 * request's valid inbound traceparent passed on (W3C: a receiver that does not take part in the trace forwards it;
 * normalized to version 00). Never an invalid inbound value. Empty outside a request.
 */
export function propagationHeaders(): Record<string, string> {
  const state = currentState();
  if (state === undefined) return {};
  const headers: Record<string, string> = { [REQUEST_ID_HEADER]: state.requestId };
  if (state.runId !== undefined) headers[DEFAULT_HEADERS.runId] = state.runId;
  const span = activeSpanContext();
  const traceparent = span !== undefined ? traceparentOf(span) : state.inboundTraceparent;
  if (traceparent !== undefined) headers[DEFAULT_HEADERS.traceparent] = traceparent;
  return headers;
}
