/**
 * The CloudWatch Logs Insights query text behind every section of the analysis. They belong to the CloudWatch
 * source, which attaches them as the evidence of each section (RunAggregate.queries, language 'logs-insights'), so
 * every finding can show a query a person can paste into the console. It runs some of them as they are and gets
 * the other sections' tables from a few combined queries (combined-queries.ts: at most ten queries per analyze,
 * computed by Logs Insights itself). The local source attaches its own equivalents (analyzer/sources/ndjson/evidence.ts).
 *
 * Every builder is a pure function of the same parameters (QueryParams) so a caller can build them all at once
 * (see `buildQueries`). Field and event names come from middleware/schema.ts, never spelled inline.
 *
 * Notes on the language that shaped these texts:
 *  - lines are JSON messages, so Logs Insights discovers their fields (`err.message` for the nested error);
 *  - a field absent from a line groups as null in `stats … by` — matched routes and unmatched paths are therefore
 *    separate queries (`ispresent(route)` / `not ispresent(route)`);
 *  - there is no regex replace, so unmatched paths are fetched per (method, path) and ids are collapsed to `:id`
 *    by the source, count-weighted (percentiles merged that way are an approximation);
 *  - a second `stats` may aggregate the rows of the first (duplicates, unfinished requests);
 *  - `bin()` works on @timestamp (the CloudWatch event time, which the transport sets to the line's `time`);
 *  - `pct()` and `count_distinct()` are approximate on large inputs (documented by AWS).
 */
import { EVENTS, FIELDS, SCHEMA_VERSION } from '../../../middleware/schema.js';
import { BUCKETS, NO_ROUTE, type Bucketing } from '../../aggregate/dimensions.js';
import type { EvidenceQuery } from '../../model.js';

/** GetQueryResults returns at most this many rows; queries that may reach it are split by time range. */
export const MAX_ROWS = 10_000;

/** Placeholder used in a pasteable trace query when no request id is known. */
export const REQUEST_ID_PLACEHOLDER = 'REQUEST_ID';

export interface QueryParams {
  /**
   * the run; undefined for a time window (analyze without --run): every request line in since..until, whatever its
   * run id, so the queries filter by time instead of by run id
   */
  runId: string | undefined;
  /** for `trace` */
  requestId?: string;
  /** timeline bin width (ms); defaults to 60 s */
  binMs?: number;
  /**
   * Optional time window (epoch ms) on the line's own `time` field. The runtime queries need it: runtime.stats
   * lines carry no run id, so they are scoped to the run by time.
   */
  since?: number;
  until?: number;
  /** services of the run: scopes the runtime/log.dropped queries (which carry no run id) to them */
  services?: string[];
  /** `slow-request-dimensions`: a request is slow above this (the run's p95, from `summary`); absent: a placeholder */
  slowThresholdMs?: number;
  /** `slow-request-dimensions`: the time slice width (aggregate/dimension-stats.ts timeSliceMs) */
  sliceMs?: number;
}

/** Placeholder for the p95 in a pasteable dimensions query when it is not known yet. */
export const P95_PLACEHOLDER = 'P95_MS';

// ---------------------------------------------------------------------------------------------------------------
// Building blocks

const F = FIELDS;

/** A Logs Insights string literal. Run and request ids are normally from a safe alphabet; quote anyway. */
export function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function list(values: readonly string[]): string {
  return `[${values.map(quote).join(', ')}]`;
}

/** `bin()` literal for a width in ms: whole seconds/minutes when exact (what the console shows), else ms. */
export function binLiteral(binMs = 60_000): string {
  const ms = Math.max(1, Math.round(binMs));
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/** The result column name Logs Insights gives `bin(<width>)` when it is not aliased. */
export function binColumn(binMs?: number): string {
  return `bin(${binLiteral(binMs)})`;
}

export function windowClause(p: QueryParams): string {
  let clause = '';
  if (p.since !== undefined) clause += ` and ${F.time} >= ${Math.floor(p.since)}`;
  if (p.until !== undefined) clause += ` and ${F.time} <= ${Math.ceil(p.until)}`;
  return clause;
}

/** The selection's lines: `run_id = "<id>"`, or for a time window every request-scoped line (the window clause bounds it). */
function selectionClause(p: QueryParams): string {
  return p.runId === undefined ? `ispresent(${F.requestId})` : `${F.runId} = ${quote(p.runId)}`;
}

/**
 * `filter run_id = "<id>" and schema = <version> [and event = "<event>"] [and time window]`. Lines of another schema
 * version are left out of every section (as the local source does) and counted by `events`.
 */
export function runFilter(p: QueryParams, event?: string, anySchema = false): string {
  return `filter ${runClause(p, event, anySchema)}`;
}

/** runFilter's condition, for a filter that joins it with another (combined-queries.ts). */
export function runClause(p: QueryParams, event?: string, anySchema = false): string {
  const schemaClause = anySchema ? '' : ` and ${F.schema} = ${SCHEMA_VERSION}`;
  const eventClause = event === undefined ? '' : ` and ${F.event} = ${quote(event)}`;
  return `${selectionClause(p)}${schemaClause}${eventClause}${windowClause(p)}`;
}

/** The selection's lines and process-wide ones (no request id): a window takes every line, so no clause. */
export function selectionOrProcessClause(p: QueryParams): string {
  return p.runId === undefined ? '' : ` and (${F.runId} = ${quote(p.runId)} or not ispresent(${F.requestId}))`;
}

/** Lines with no run id (runtime.stats, log.dropped) are scoped to the run by time and service. */
function contextFilter(p: QueryParams, event: string): string {
  return `filter ${contextClause(p, event)}`;
}

/** contextFilter's condition, for a filter that joins it with another (combined-queries.ts). */
export function contextClause(p: QueryParams, event: string): string {
  const services = p.services && p.services.length > 0 ? ` and ${F.service} in ${list(p.services)}` : '';
  return `${F.event} = ${quote(event)}${services}${windowClause(p)}`;
}

export const LATENCY_STATS = [
  `count(*) as requests`,
  `avg(${F.durationMs}) as mean`,
  `pct(${F.durationMs}, 50) as p50`,
  `pct(${F.durationMs}, 90) as p90`,
  `pct(${F.durationMs}, 95) as p95`,
  `pct(${F.durationMs}, 99) as p99`,
  `max(${F.durationMs}) as max`,
].join(', ');

/** Means per request for "where the time goes", and two example request ids per group (no raw rows needed). */
export const TIME_SPLIT_STATS = [
  `avg(${F.dbMs}) as db_ms_mean`,
  `avg(${F.poolWaitMs}) as pool_wait_ms_mean`,
  `avg(${F.dbQueries}) as db_queries_mean`,
  `earliest(${F.requestId}) as first_request_id`,
  `latest(${F.requestId}) as last_request_id`,
].join(', ');

/**
 * Path segments a correct client never sends: `undefined`, `null`, `NaN`, `[object Object]` (any case, raw or
 * URL-encoded), an empty segment (`//`) or a trailing slash after a segment (an empty last segment). A prefilter:
 * the source names the segment of each returned path with the same rules as the local source
 * (analyzer/aggregate/paths.ts).
 */
export const SUSPICIOUS_PATH_REGEX =
  '(?i)\\/(undefined|null|nan|(\\[|%5B)object( |%20)object(\\]|%5D))(\\/|$)|\\/\\/|[^\\/]\\/$';

/** Error message field of request.error lines (nested `err` object, flattened by Logs Insights). */
export const ERR_MESSAGE_FIELD = `${F.err}.message`;

/** service.start's capacity facts, per process (processes query): numbers by max, text by the latest line's. */
export const SERVICE_FACT_STATS = [
  ...[F.cpus, F.cpuQuota, F.memoryLimitMb, F.workers, F.poolMax].map((f) => `max(${f}) as ${f}`),
  ...[F.memoryLimitSource, F.nodeVersion, F.platform].map((f) => `latest(${f}) as ${f}`),
].join(', ');

/**
 * `x > t` as 0 or 1 with arithmetic only (Logs Insights has no conditional expression): ceil(x - t) is ≥ 1 exactly
 * when x > t, and ≤ 0 otherwise, so clamping it to [0, 1] is exact for any real x.
 */
export function aboveExpr(expr: string, t: number | string): string {
  return `least(1, greatest(0, ceil(${expr} - ${t})))`;
}

/** A bucket index: how many thresholds the field is above (aggregate/dimensions.ts bucketIndex, same thresholds). */
export function bucketExpr(b: Bucketing): string {
  return b.thresholds.map((t) => aboveExpr(`coalesce(${b.field}, 0)`, t)).join(' + ');
}

/** Group-by columns of `slow-request-dimensions` (the source reads them back by these names). */
export const DIMENSION_COLUMNS = {
  route: 'route_key',
  dbQueries: 'db_queries_bucket',
  poolWait: 'pool_wait_bucket',
  bytesOut: 'bytes_out_bucket',
  slow: 'slow',
  isSlow: 'is_slow',
  /** the time slice's start (epoch ms), computed from `time` (a second stats stage has no @timestamp for bin()) */
  slice: 'time_slice',
} as const;

/** The lines that end a request: a request with only a start line among these never finished. */
const REQUEST_LIFECYCLE = [EVENTS.requestStart, EVENTS.requestFinish, EVENTS.requestAbort, EVENTS.requestError];

// ---------------------------------------------------------------------------------------------------------------
// The queries. Each takes QueryParams; keys are section/finding ids.

export const insightsQueries = {
  /**
   * Runs in the log group: lines, first and last time per run and event (the source folds events per run). Request
   * lines with no run id group under an absent run_id: the source reports them as untagged requests (`logjam runs`).
   */
  runs: (_p: QueryParams) =>
    [
      `filter (ispresent(${F.runId}) or ispresent(${F.requestId})) and ${F.schema} = ${SCHEMA_VERSION}`,
      // requests by id (a finish line stored twice by a retried batch counts once), as the local source counts them
      `stats count(*) as lines, count_distinct(${F.requestId}) as requests, min(${F.time}) as first_time, max(${F.time}) as last_time by ${F.runId}, ${F.event}`,
      `sort last_time desc`,
      `limit ${MAX_ROWS}`,
    ].join('\n| '),

  /** The run's time range, used as the query range of every other query when --since/--until are absent. */
  range: (p: QueryParams) =>
    [runFilter(p), `stats count(*) as lines, min(${F.time}) as first_time, max(${F.time}) as last_time`].join('\n| '),

  /** Totals over finished requests: count, latency percentiles, where the time goes, query count. */
  summary: (p: QueryParams) =>
    [
      runFilter(p, EVENTS.requestFinish),
      `stats ${LATENCY_STATS}, avg(${F.dbMs}) as db_ms_mean, avg(${F.poolWaitMs}) as pool_wait_ms_mean, ` +
        `sum(${F.dbQueries}) as db_queries, min(${F.time}) as first_time, max(${F.time}) as last_time`,
    ].join('\n| '),

  /** Lines of the run per event and schema version: aborts, errors, pool timeouts, other schema versions. */
  events: (p: QueryParams) =>
    [runFilter(p, undefined, true), `stats count(*) as lines by ${F.event}, ${F.schema}`, `limit ${MAX_ROWS}`].join('\n| '),

  /** Services, hosts, processes and cluster workers that logged the run. */
  services: (p: QueryParams) =>
    [runFilter(p), `stats count(*) as lines by ${F.service}, ${F.host}, ${F.pid}, ${F.worker}`, `limit ${MAX_ROWS}`].join(
      '\n| ',
    ),

  /** Finished requests per status code. */
  statuses: (p: QueryParams) =>
    [runFilter(p, EVENTS.requestFinish), `stats count(*) as requests by ${F.status}`, `sort ${F.status} asc`].join('\n| '),

  /**
   * Request-scoped lines (start, finish, abort, error) logged more than once for the same request id and event (two
   * copies of a log, a batch CloudWatch stored twice after a retry): one row per duplicated (request, event), with
   * what the source needs to take the extra lines out of every count, bin and sum (the copies are identical, so
   * each extra line carries sum / lines). Duplicates are rare, so the rows stay far below the cap; a run where they
   * do not is split by time like any other query.
   */
  duplicates: (p: QueryParams) =>
    [
      `${runFilter(p)} and ${F.event} in ${list(REQUEST_LIFECYCLE)}`,
      `fields coalesce(${F.route}, ${F.path}) as route_or_path, coalesce(${ERR_MESSAGE_FIELD}, ${F.msg}) as message`,
      `stats count(*) as lines, earliest(${F.method}) as method, earliest(${F.route}) as route, earliest(${F.path}) as path, ` +
        `earliest(route_or_path) as route_or_path, earliest(${F.status}) as status, earliest(message) as message, ` +
        `min(${F.time}) as time, sum(${F.durationMs}) as duration_ms_sum, sum(${F.dbMs}) as db_ms_sum, ` +
        `sum(${F.poolWaitMs}) as pool_wait_ms_sum, sum(${F.dbQueries}) as db_queries_sum by ${F.requestId}, ${F.event}`,
      `filter lines > 1`,
      `limit ${MAX_ROWS}`,
    ].join('\n| '),

  /** Requests with a start line and no finish, abort or error line (the process died, or logs were lost). */
  unfinished: (p: QueryParams) =>
    [
      `${runFilter(p)} and ${F.event} in ${list(REQUEST_LIFECYCLE)}`,
      `stats count_distinct(${F.event}) as kinds, earliest(${F.event}) as first_event, earliest(${F.method}) as method, ` +
        `earliest(${F.path}) as path, min(${F.time}) as start_time by ${F.requestId}`,
      `filter kinds = 1 and first_event = ${quote(EVENTS.requestStart)}`,
      `sort start_time asc`,
      `limit ${MAX_ROWS}`,
    ].join('\n| '),

  /** `unfinished` counted per method and raw path (the source runs this; the listing above is the one to paste). */
  'unfinished-routes': (p: QueryParams) =>
    [
      `${runFilter(p)} and ${F.event} in ${list(REQUEST_LIFECYCLE)}`,
      `stats count_distinct(${F.event}) as kinds, earliest(${F.event}) as first_event, earliest(${F.method}) as method, ` +
        `earliest(${F.path}) as path by ${F.requestId}`,
      `filter kinds = 1 and first_event = ${quote(EVENTS.requestStart)}`,
      `stats count(*) as unfinished by method, path`,
      `limit ${MAX_ROWS}`,
    ].join('\n| '),

  /** Latency and time split per matched route template (count, mean, p50/p90/p95/p99, max). */
  routes: (p: QueryParams) =>
    [
      `${runFilter(p, EVENTS.requestFinish)} and ispresent(${F.route})`,
      `stats ${LATENCY_STATS}, ${TIME_SPLIT_STATS} by ${F.method}, ${F.route}`,
      `sort requests desc`,
      `limit ${MAX_ROWS}`,
    ].join('\n| '),

  /** Status codes per matched route template. */
  'route-statuses': (p: QueryParams) =>
    [
      `${runFilter(p, EVENTS.requestFinish)} and ispresent(${F.route})`,
      `stats count(*) as requests by ${F.method}, ${F.route}, ${F.status}`,
      `limit ${MAX_ROWS}`,
    ].join('\n| '),

  /**
   * Requests no route matched, per raw path and status: the source collapses ids/numbers/uuids to `:id` and
   * merges the groups count-weighted (so their percentiles are approximate).
   */
  'unmatched-routes': (p: QueryParams) =>
    [
      `${runFilter(p, EVENTS.requestFinish)} and not ispresent(${F.route})`,
      `stats ${LATENCY_STATS}, ${TIME_SPLIT_STATS} by ${F.method}, ${F.path}, ${F.status}`,
      `sort requests desc`,
      `limit ${MAX_ROWS}`,
    ].join('\n| '),

  /** Requests per time bin: throughput, latency, and the sums behind concurrency (sum(duration_ms) / bin width). */
  timeline: (p: QueryParams) =>
    [
      runFilter(p, EVENTS.requestFinish),
      `stats count(*) as requests, avg(${F.durationMs}) as mean, pct(${F.durationMs}, 50) as p50, ` +
        `pct(${F.durationMs}, 95) as p95, pct(${F.durationMs}, 99) as p99, max(${F.durationMs}) as max, ` +
        `sum(${F.durationMs}) as duration_ms_sum, sum(${F.dbMs}) as db_ms_sum, sum(${F.poolWaitMs}) as pool_wait_ms_sum ` +
        `by bin(${binLiteral(p.binMs)})`,
      `limit ${MAX_ROWS}`,
    ].join('\n| '),

  /** 4xx and 5xx responses per time bin and status. */
  'timeline-errors': (p: QueryParams) =>
    [
      `${runFilter(p, EVENTS.requestFinish)} and ${F.status} >= 400`,
      `stats count(*) as requests by bin(${binLiteral(p.binMs)}), ${F.status}`,
      `limit ${MAX_ROWS}`,
    ].join('\n| '),

  /** Aborted requests (the client went away before the response finished) per time bin. */
  'timeline-aborts': (p: QueryParams) =>
    [runFilter(p, EVENTS.requestAbort), `stats count(*) as aborts by bin(${binLiteral(p.binMs)})`, `limit ${MAX_ROWS}`].join(
      '\n| ',
    ),

  /** Aborted requests per method and route (the raw path when no route matched). */
  aborts: (p: QueryParams) =>
    [
      runFilter(p, EVENTS.requestAbort),
      `fields coalesce(${F.route}, ${F.path}) as route_or_path`,
      `stats count(*) as aborts, avg(${F.durationMs}) as mean, earliest(${F.requestId}) as first_request_id, ` +
        `latest(${F.requestId}) as last_request_id by ${F.method}, route_or_path`,
      `sort aborts desc`,
      `limit ${MAX_ROWS}`,
    ].join('\n| '),

  /** Paths with a segment a correct client never sends (undefined, null, NaN, [object Object], empty). */
  'suspicious-paths': (p: QueryParams) =>
    [
      `${runFilter(p, EVENTS.requestFinish)} and ${F.path} like /${SUSPICIOUS_PATH_REGEX}/`,
      `stats count(*) as requests, earliest(${F.requestId}) as first_request_id, latest(${F.requestId}) as last_request_id ` +
        `by ${F.method}, ${F.path}, ${F.status}`,
      `sort requests desc`,
      `limit ${MAX_ROWS}`,
    ].join('\n| '),

  /** 4xx/5xx responses per method, route (raw path when unmatched) and status. */
  'status-clusters': (p: QueryParams) =>
    [
      `${runFilter(p, EVENTS.requestFinish)} and ${F.status} >= 400`,
      `fields coalesce(${F.route}, ${F.path}) as route_or_path`,
      `stats count(*) as requests, earliest(${F.requestId}) as first_request_id, latest(${F.requestId}) as last_request_id ` +
        `by ${F.method}, route_or_path, ${F.status}`,
      `sort requests desc`,
      `limit ${MAX_ROWS}`,
    ].join('\n| '),

  /** Error messages of request.error lines per route and status (the source masks numbers and ids). */
  'error-messages': (p: QueryParams) =>
    [
      runFilter(p, EVENTS.requestError),
      `fields coalesce(${F.route}, ${F.path}) as route_or_path, coalesce(${ERR_MESSAGE_FIELD}, ${F.msg}) as message`,
      `stats count(*) as errors by ${F.method}, route_or_path, ${F.status}, message`,
      `sort errors desc`,
      `limit ${MAX_ROWS}`,
    ].join('\n| '),

  /**
   * What the slow and the failed requests have in common (analyses/request-dimensions.ts): finished and aborted
   * requests counted by every dimension at once — route, status, host/process, DB queries, pool wait and response
   * size (bucketed by the same thresholds as the local source), time slice — with how many of each combination took
   * longer than the run's p95 (known from `summary`, so this query runs after it). One query instead of one per
   * dimension: the source sums the combinations per value. Unmatched requests count under one route, "(no route)",
   * so raw paths cannot multiply the rows.
   */
  'slow-request-dimensions': (p: QueryParams) => {
    const C = DIMENSION_COLUMNS;
    const slice = Math.max(1, Math.round(p.sliceMs ?? p.binMs ?? 60_000));
    const groups = [F.method, C.route, F.status, F.host, F.pid, F.worker, C.dbQueries, C.poolWait, C.bytesOut, C.slice];
    return [
      `${runFilter(p)} and ${F.event} in ${list([EVENTS.requestFinish, EVENTS.requestAbort])}`,
      `fields coalesce(${F.route}, ${quote(NO_ROUTE)}) as ${C.route}, ` +
        `${aboveExpr(F.durationMs, p.slowThresholdMs ?? P95_PLACEHOLDER)} as ${C.isSlow}, ` +
        `${bucketExpr(BUCKETS.dbQueries)} as ${C.dbQueries}, ${bucketExpr(BUCKETS.poolWait)} as ${C.poolWait}, ` +
        `${bucketExpr(BUCKETS.bytesOut)} as ${C.bytesOut}, floor(${F.time} / ${slice}) * ${slice} as ${C.slice}`,
      // one row per request and event first: a line stored twice (a retried batch) counts once, as everywhere else
      `stats ${groups.map((g) => `earliest(${g}) as ${g}`).join(', ')}, earliest(${C.isSlow}) as ${C.isSlow} by ${F.requestId}, ${F.event}`,
      `stats count(*) as requests, sum(${C.isSlow}) as ${C.slow} by ${F.event}, ${groups.join(', ')}`,
      `limit ${MAX_ROWS}`,
    ].join('\n| ');
  },

  /** Event-loop delay, utilisation, heap and pool over the run, from runtime.stats lines (scoped by time/service). */
  runtime: (p: QueryParams) =>
    [
      contextFilter(p, EVENTS.runtimeStats),
      `stats count(*) as samples, max(${F.elDelayP99Ms}) as el_delay_p99_ms_max, avg(${F.elDelayP99Ms}) as el_delay_p99_ms_mean, ` +
        `avg(${F.elu}) as elu_mean, max(${F.elu}) as elu_max, max(${F.heapUsedMb}) as heap_used_mb_max, ` +
        `max(${F.poolWaiting}) as pool_waiting_max, max(${F.poolTotal}) as pool_total_max, max(${F.poolMax}) as pool_max_max`,
    ].join('\n| '),

  /** runtime.stats per time bin (max over processes). */
  'timeline-runtime': (p: QueryParams) =>
    [
      contextFilter(p, EVENTS.runtimeStats),
      `stats max(${F.elDelayP99Ms}) as el_delay_p99_ms, max(${F.elDelayMaxMs}) as el_delay_max_ms, max(${F.elu}) as elu, ` +
        `max(${F.inFlight}) as in_flight_max, max(${F.poolWaiting}) as pool_waiting_max by bin(${binLiteral(p.binMs)})`,
      `limit ${MAX_ROWS}`,
    ].join('\n| '),

  /** Lines sinks reported lost (log.dropped) during the run (process-wide lines: scoped by time and service). */
  dropped: (p: QueryParams) =>
    [contextFilter(p, EVENTS.logDropped), `stats count(*) as lines, sum(${F.dropped}) as dropped by ${F.sink}, ${F.reason}`].join(
      '\n| ',
    ),

  /**
   * Per process (host + pid): lines and first/last time by event and run, for the lifecycle (service.start /
   * service.stop) and the run's requests each process started and ended (aggregate/processes.ts). The run's own
   * lines and process-wide ones (no request id) of the run's services; a process's other runs are left out.
   */
  processes: (p: QueryParams) => {
    const services = p.services && p.services.length > 0 ? ` and ${F.service} in ${list(p.services)}` : '';
    return [
      `filter ispresent(${F.pid})${selectionOrProcessClause(p)}${services}${windowClause(p)}`,
      // the facts of service.start lines ride along (null on the other events' rows): no extra query for them
      `stats count(*) as lines, min(${F.time}) as first_time, max(${F.time}) as last_time, ${SERVICE_FACT_STATS} ` +
        `by ${F.host}, ${F.pid}, ${F.service}, ${F.event}, ${F.runId}`,
      `limit ${MAX_ROWS}`,
    ].join('\n| ');
  },

  /** Requests that gave up waiting for a database connection: the run's own lines and process-wide ones. */
  'pool-timeouts': (p: QueryParams) => {
    const services = p.services && p.services.length > 0 ? ` and ${F.service} in ${list(p.services)}` : '';
    return [
      `filter ${F.event} = ${quote(EVENTS.dbPoolTimeout)} and ${F.schema} = ${SCHEMA_VERSION}` +
        `${selectionOrProcessClause(p)}${services}${windowClause(p)}`,
      `stats count(*) as timeouts, max(${F.poolWaitMs}) as pool_wait_ms_max`,
    ].join('\n| ');
  },

  /** Every line of one request, in time order. */
  trace: (p: QueryParams) =>
    [
      `fields @timestamp, @message`,
      `filter ${F.requestId} = ${quote(p.requestId ?? REQUEST_ID_PLACEHOLDER)}`,
      `sort @timestamp asc`,
      `limit ${MAX_ROWS}`,
    ].join('\n| '),
} satisfies Record<string, (p: QueryParams) => string>;

export type InsightsQueryId = keyof typeof insightsQueries;

/** Query ids the CloudWatch source does not need in a report (internal variants, listings, single-request). */
const NOT_IN_REPORT: ReadonlySet<InsightsQueryId> = new Set(['runs', 'range', 'unfinished-routes', 'trace']);

/** Every report section's query for one run, as the evidence the CloudWatch source attaches (RunAggregate.queries). */
export function buildQueries(p: QueryParams): Record<string, EvidenceQuery> {
  const out: Record<string, EvidenceQuery> = {};
  for (const [id, build] of Object.entries(insightsQueries) as [InsightsQueryId, (q: QueryParams) => string][]) {
    if (!NOT_IN_REPORT.has(id)) out[id] = { language: 'logs-insights', text: build(p) };
  }
  return out;
}
