/**
 * OpenTelemetry correlation through @opentelemetry/api only: with no SDK registered the API is a no-op, so
 * nothing is added and nothing breaks. Plus the W3C Trace Context check of an inbound `traceparent` header, which
 * works with or without an SDK (the header is attacker-controlled: it is validated, never logged raw).
 */
import { context, isSpanContextValid, propagation, trace } from '@opentelemetry/api';
import type { Context, SpanContext } from '@opentelemetry/api';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * The active span's context when it is a real (valid) span of THIS service. A remote span context (what a
 * propagator extracted from an inbound header) is the caller's span: its trace id is shared, its span id is not ours.
 */
export function activeSpanContext(): SpanContext | undefined {
  const span = trace.getSpan(context.active());
  if (span === undefined) return undefined;
  const spanContext = span.spanContext();
  return isSpanContextValid(spanContext) && spanContext.isRemote !== true ? spanContext : undefined;
}

/** W3C traceparent for a span context: version 00, trace id, parent (span) id, flags. */
export function traceparentOf(spanContext: Pick<SpanContext, 'traceId' | 'spanId' | 'traceFlags'>): string {
  const flags = (spanContext.traceFlags & 0xff).toString(16).padStart(2, '0');
  return `00-${spanContext.traceId}-${spanContext.spanId}-${flags}`;
}

/** The parts of a valid traceparent (https://www.w3.org/TR/trace-context/#traceparent-header). */
export interface Traceparent {
  traceId: string;
  /** The caller's span id (W3C "parent-id"): the parent of whatever this service does, not a span of its own. */
  parentId: string;
  traceFlags: number;
}

// Version 00 is exactly four fields. A later version may append fields after the flags (`-…`); its first four
// fields keep the version-00 layout, so they are read and the rest is ignored (W3C: forward compatibility).
const VERSION_00 = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const LATER_VERSION = /^(?!00|ff)[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(?:-.*)?$/s;
const ALL_ZERO = /^0+$/;

/**
 * Parse a traceparent value strictly per W3C Trace Context: lowercase hex only, version not `ff`, trace id and
 * parent id not all zero, version 00 with exactly four fields. Undefined when invalid. Pure.
 */
export function parseTraceparent(value: string): Traceparent | undefined {
  const match = VERSION_00.exec(value) ?? LATER_VERSION.exec(value);
  if (match === null) return undefined;
  const [, traceId = '', parentId = '', flags = ''] = match;
  if (ALL_ZERO.test(traceId) || ALL_ZERO.test(parentId)) return undefined;
  return { traceId, parentId, traceFlags: Number.parseInt(flags, 16) };
}

export interface ResolvedTraceparent {
  /** The inbound header's parts when it was present and valid. */
  parent: Traceparent | undefined;
  /** The header was present but invalid (its value is dropped, never written). */
  rejected: boolean;
}

const NO_TRACEPARENT: ResolvedTraceparent = Object.freeze({ parent: undefined, rejected: false });
const REJECTED_TRACEPARENT: ResolvedTraceparent = Object.freeze({ parent: undefined, rejected: true });

/**
 * The inbound traceparent. A repeated header reaches us joined with ", " by Node, which the check refuses: W3C
 * says several traceparent headers make the request's trace context invalid.
 */
export function resolveTraceparent(headers: IncomingHttpHeaders, name: string): ResolvedTraceparent {
  const value = headers[name];
  if (value === undefined) return NO_TRACEPARENT;
  const parent = typeof value === 'string' ? parseTraceparent(value) : undefined;
  return parent === undefined ? REJECTED_TRACEPARENT : { parent, rejected: false };
}

/**
 * The context to run a request in so that spans the application starts continue the caller's trace: what the
 * registered propagator extracts from the headers. Undefined when that adds nothing (no SDK / no propagator: the
 * API's no-op propagator extracts nothing), so the request runs in the current context as before.
 */
export function inboundTraceContext(headers: IncomingHttpHeaders): Context | undefined {
  const active = context.active();
  const extracted = propagation.extract(active, headers);
  return trace.getSpan(extracted) === undefined ? undefined : extracted;
}

/** Run fn inside ctx when there is one (see inboundTraceContext), else in the current context. */
export function runInTraceContext<T>(ctx: Context | undefined, fn: () => T): T {
  return ctx === undefined ? fn() : context.with(ctx, fn);
}
