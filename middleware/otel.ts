/**
 * OpenTelemetry correlation through @opentelemetry/api only: with no SDK registered the API is a no-op, so
 * nothing is added and nothing breaks.
 */
import { context, isSpanContextValid, trace } from '@opentelemetry/api';
import type { SpanContext } from '@opentelemetry/api';

/** The active span's context when it is a real (valid) one. */
export function activeSpanContext(): SpanContext | undefined {
  const span = trace.getSpan(context.active());
  if (span === undefined) return undefined;
  const spanContext = span.spanContext();
  return isSpanContextValid(spanContext) ? spanContext : undefined;
}

/** W3C traceparent for a span context: version 00, trace id, parent (span) id, flags. */
export function traceparentOf(spanContext: SpanContext): string {
  const flags = (spanContext.traceFlags & 0xff).toString(16).padStart(2, '0');
  return `00-${spanContext.traceId}-${spanContext.spanId}-${flags}`;
}
