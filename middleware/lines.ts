/**
 * Builders for the fields of request.* lines. Pure: state and request facts in, a flat object out, with optional
 * fields left out (never null), field names from the schema.
 */
import type { Request } from 'express';
import type { RequestContext } from './types.js';
import { mountedRouteTemplate } from './route-template.js';
import { EVENTS, FIELDS } from './schema.js';

export const MESSAGES = {
  start: 'request start',
  finish: 'request finish',
  abort: 'request aborted by the client',
  error: 'unhandled error',
} as const;

/** Longest path kept in a line; a longer one is cut (it is attacker-controlled and would bloat every line). */
export const MAX_PATH_LENGTH = 2048;

/** The URL's path without the query string (query strings are never logged). */
export function pathOf(url: string): string {
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  return path.length > MAX_PATH_LENGTH ? `${path.slice(0, MAX_PATH_LENGTH)}…` : path;
}

/**
 * The route template when a route matched (Express 5), mount paths included as templates: `/api/v1` + `/todos/:id`,
 * `/t/:tenant` + `/boom` (see route-template.ts: the same on the success and the error path). Without the app's
 * router to walk (or when a route is mounted at several paths) the mount path comes from req.baseUrl. Undefined when
 * no route matched (404s, static files).
 */
export function routeOf(req: Pick<Request, 'route' | 'baseUrl'> & { app?: { router?: unknown } }): string | undefined {
  const matched = req.route as { path?: unknown } | undefined;
  const route = matched?.path;
  if (route === undefined) return undefined;
  const template = typeof route === 'string' ? route : String(route);
  const base = req.baseUrl;
  const mounted = req.app !== undefined && typeof matched === 'object' ? mountedRouteTemplate(req.app.router, matched) : undefined;
  if (mounted !== undefined) return mounted;
  if (!base) return template;
  return template === '/' ? base : base + template;
}

/** Milliseconds since `startNs` (process.hrtime.bigint()), kept to the microsecond. */
export function elapsedMs(startNs: bigint): number {
  return Math.round(Number(process.hrtime.bigint() - startNs) / 1e3) / 1e3;
}

/**
 * What scopeFields reads: the public RequestContext plus the traceparent flag, which the middleware's own state
 * carries (kept optional so any RequestContext still fits).
 */
export type ScopeSource = RequestContext & {
  readonly traceparentRejected?: boolean;
  readonly customFields?: Record<string, unknown> | undefined;
};

/** What the request.start/finish/abort builders read on top of the scope: the inbound X-Amzn-Trace-Id. */
export type RequestLineSource = ScopeSource & { readonly amznTraceSelf?: string | undefined };

/**
 * The request-scoped fields every line of a request carries (preceded by `event` when given). `span_id` only with a
 * span of this service: a trace id taken from an inbound traceparent comes without one (the caller's span is not ours).
 */
export function scopeFields(state: ScopeSource, event?: string): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  if (event !== undefined) fields[FIELDS.event] = event;
  fields[FIELDS.requestId] = state.requestId;
  if (state.requestIdRejected) fields[FIELDS.requestIdRejected] = true;
  if (state.runId !== undefined) fields[FIELDS.runId] = state.runId;
  if (state.runIdRejected) fields[FIELDS.runIdRejected] = true;
  if (state.traceId !== undefined) fields[FIELDS.traceId] = state.traceId;
  if (state.spanId !== undefined) fields[FIELDS.spanId] = state.spanId;
  if (state.traceparentRejected === true) fields[FIELDS.traceparentRejected] = true;
  // customProps' fields (requestLogging checked them: flat values, no schema names, so no key is written twice)
  const custom = state.customFields;
  if (custom !== undefined) for (const key in custom) fields[key] = custom[key];
  return fields;
}

/** The X-Amzn-Trace-Id fields: on request.start/finish/abort only (the lines an ALB access-log line joins to). */
function addAmznTrace(fields: Record<string, unknown>, state: RequestLineSource): void {
  if (state.amznTraceId !== undefined) {
    fields[FIELDS.amznTraceId] = state.amznTraceId;
    if (state.amznTraceSelf !== undefined) fields[FIELDS.amznTraceSelf] = state.amznTraceSelf;
  } else if (state.amznTraceIdRejected) {
    fields[FIELDS.amznTraceIdRejected] = true;
  }
}

export function startFields(state: RequestLineSource, method: string, path: string): Record<string, unknown> {
  const fields = scopeFields(state, EVENTS.requestStart);
  addAmznTrace(fields, state);
  fields[FIELDS.method] = method;
  fields[FIELDS.path] = path;
  return fields;
}

export interface Outcome {
  method: string;
  path: string;
  route: string | undefined;
  status: number;
  durationMs: number;
  bytesOut: number;
}

export function finishFields(state: RequestLineSource, o: Outcome): Record<string, unknown> {
  const fields = scopeFields(state, EVENTS.requestFinish);
  addAmznTrace(fields, state);
  fields[FIELDS.method] = o.method;
  fields[FIELDS.path] = o.path;
  if (o.route !== undefined) fields[FIELDS.route] = o.route;
  fields[FIELDS.status] = o.status;
  fields[FIELDS.durationMs] = o.durationMs;
  fields[FIELDS.bytesOut] = o.bytesOut;
  fields[FIELDS.dbMs] = round3(state.dbMs);
  fields[FIELDS.dbQueries] = state.dbQueries;
  fields[FIELDS.poolWaitMs] = round3(state.poolWaitMs);
  return fields;
}

export function abortFields(
  state: RequestLineSource,
  o: Pick<Outcome, 'method' | 'path' | 'route' | 'durationMs'>,
): Record<string, unknown> {
  const fields = scopeFields(state, EVENTS.requestAbort);
  addAmznTrace(fields, state);
  fields[FIELDS.method] = o.method;
  fields[FIELDS.path] = o.path;
  if (o.route !== undefined) fields[FIELDS.route] = o.route;
  fields[FIELDS.durationMs] = o.durationMs;
  return fields;
}

export function round3(ms: number): number {
  return Math.round(ms * 1e3) / 1e3;
}
