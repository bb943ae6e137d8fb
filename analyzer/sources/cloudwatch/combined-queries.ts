/**
 * The queries the CloudWatch source runs for a report: a few Logs Insights queries that each scan the run's range
 * once and group by every key a set of sections needs (issue 20: at most 10 per analyze). The per-section queries
 * of queries.ts stay the evidence a report shows (each pasted alone gives its section's table directly);
 * derive-sections.ts turns these rows into exactly those tables, by summing rows over the keys a section does not
 * group by. Pure text builders, like queries.ts.
 *
 * What shaped them:
 *  - a percentile cannot be summed, so each latency table (run, route, time bin) keeps its own query and its own
 *    `by`; only counts and sums are derived;
 *  - `by event` instead of conditional aggregates: Logs Insights has no conditional expression, but the lines of
 *    each event group apart (finish lines' percentiles are not mixed with aborts' durations);
 *  - a key that is absent groups as null, so `coalesce(route, status)` is the status for an unmatched path and the
 *    route itself (no extra rows) for a matched one;
 *  - every row is a plain count or sum over lines (no dedup), so the `duplicates` rows still take copies out.
 */
import { EVENTS, FIELDS as F } from '../../../middleware/schema.js';
import {
  aboveExpr,
  binLiteral,
  contextClause,
  ERR_MESSAGE_FIELD,
  LATENCY_STATS,
  list,
  MAX_ROWS,
  runClause,
  runFilter,
  selectionOrProcessClause,
  SERVICE_FACT_STATS,
  TIME_SPLIT_STATS,
  windowClause,
  type QueryParams,
} from './queries.js';

/** Result columns the derivation reads back (derive-sections.ts). */
export const COMBINED_COLUMNS = {
  /** routes: the status of an unmatched path; for a matched route, the route again */
  statusUnlessMatched: 'status_unless_matched',
  /** processes: 1 when the line's time is inside the run's own range (the window of runtime and log.dropped lines) */
  inWindow: 'in_window',
  /** processes: lines that carry a request id (a time window's selection) */
  requestLines: 'request_lines',
} as const;

const C = COMBINED_COLUMNS;

/** `lo <= x <= hi` as 0 or 1 (aboveExpr's arithmetic), for a group key: null when x is absent. */
function betweenExpr(x: string, lo: number, hi: number): string {
  return `(1 - ${aboveExpr(String(lo), x)}) * (1 - ${aboveExpr(x, hi)})`;
}

export const combinedQueries = {
  /** routes + unmatched-routes: latency per matched route, and per unmatched method, path and status. */
  routes: (p: QueryParams) =>
    [
      runFilter(p, EVENTS.requestFinish),
      `fields coalesce(${F.route}, ${F.path}) as route_or_path, coalesce(${F.route}, ${F.status}) as ${C.statusUnlessMatched}`,
      `stats ${LATENCY_STATS}, ${TIME_SPLIT_STATS} by ${F.method}, ${F.route}, route_or_path, ${C.statusUnlessMatched}`,
      `sort requests desc`,
      `limit ${MAX_ROWS}`,
    ].join('\n| '),

  /**
   * statuses + route-statuses + status-clusters + aborts + error-messages: finished, aborted and failed requests
   * per event, method, route (raw path when unmatched), status and error message (a finish or abort line's own
   * `msg`, one per event in logjam's lines, when it has no error).
   */
  'request-counts': (p: QueryParams) =>
    [
      `${runFilter(p)} and ${F.event} in ${list([EVENTS.requestFinish, EVENTS.requestAbort, EVENTS.requestError])}`,
      `fields coalesce(${F.route}, ${F.path}) as route_or_path, coalesce(${ERR_MESSAGE_FIELD}, ${F.msg}) as message`,
      `stats count(*) as lines, earliest(${F.requestId}) as first_request_id, latest(${F.requestId}) as last_request_id ` +
        `by ${F.event}, ${F.method}, ${F.route}, route_or_path, ${F.status}, message`,
      `sort lines desc`,
      `limit ${MAX_ROWS}`,
    ].join('\n| '),

  /**
   * timeline + timeline-errors + timeline-aborts + timeline-runtime, per bin and event: the run's finished and
   * aborted requests, and the runtime.stats lines of its services (`context`: scoped by time and service, as the
   * runtime queries are).
   */
  timeline: (p: QueryParams, context: QueryParams) =>
    [
      `filter (${runClause(p)} and ${F.event} in ${list([EVENTS.requestFinish, EVENTS.requestAbort])}) or (${contextClause(context, EVENTS.runtimeStats)})`,
      `fields ${aboveExpr(F.status, 499)} as is_5xx, ${aboveExpr(F.status, 399)} - ${aboveExpr(F.status, 499)} as is_4xx`,
      `stats count(*) as lines, avg(${F.durationMs}) as mean, pct(${F.durationMs}, 50) as p50, ` +
        `pct(${F.durationMs}, 95) as p95, pct(${F.durationMs}, 99) as p99, max(${F.durationMs}) as max, ` +
        `sum(${F.durationMs}) as duration_ms_sum, sum(${F.dbMs}) as db_ms_sum, sum(${F.poolWaitMs}) as pool_wait_ms_sum, ` +
        `sum(is_5xx) as errors_5xx, sum(is_4xx) as errors_4xx, ` +
        `max(${F.elDelayP99Ms}) as el_delay_p99_ms, max(${F.elDelayMaxMs}) as el_delay_max_ms, max(${F.elu}) as elu, ` +
        `max(${F.inFlight}) as in_flight_max, max(${F.poolWaiting}) as pool_waiting_max by bin(${binLiteral(p.binMs)}), ${F.event}`,
      `limit ${MAX_ROWS}`,
    ].join('\n| '),

  /**
   * events + services + processes + runtime + dropped + pool-timeouts: the run's lines and the process-wide ones
   * (no request id) per process, event, run, schema version, sink/reason and whether inside the run's own range
   * (`context.since`..`context.until`). The source keeps the process-wide lines of the run's services (those of
   * its own lines), as the per-section queries' `service in [...]` does.
   */
  processes: (p: QueryParams, context: { since: number; until: number }) => {
    const selection = selectionOrProcessClause(p).replace(/^ and /, '');
    const window = windowClause(p).replace(/^ and /, '');
    const condition = [selection, window].filter(Boolean).join(' and ');
    const stats = [
      `count(*) as lines`,
      `count(${F.requestId}) as ${C.requestLines}`,
      `min(${F.time}) as first_time`,
      `max(${F.time}) as last_time`,
      SERVICE_FACT_STATS,
      `max(${F.elDelayP99Ms}) as el_delay_p99_ms_max`,
      `sum(${F.elDelayP99Ms}) as el_delay_p99_ms_sum`,
      `count(${F.elDelayP99Ms}) as el_delay_p99_ms_count`,
      `max(${F.elu}) as elu_max`,
      `sum(${F.elu}) as elu_sum`,
      `count(${F.elu}) as elu_count`,
      `max(${F.heapUsedMb}) as heap_used_mb_max`,
      `max(${F.poolWaiting}) as pool_waiting_max`,
      `max(${F.poolTotal}) as pool_total_max`,
      `max(${F.poolWaitMs}) as pool_wait_ms_max`,
      `sum(${F.dropped}) as dropped`,
    ].join(', ');
    const by = [F.host, F.pid, F.worker, F.service, F.event, F.runId, F.schema, F.sink, F.reason, C.inWindow].join(', ');
    return [
      ...(condition ? [`filter ${condition}`] : []),
      `fields ${betweenExpr(F.time, Math.floor(context.since), Math.ceil(context.until))} as ${C.inWindow}`,
      `stats ${stats} by ${by}`,
      `limit ${MAX_ROWS}`,
    ].join('\n| ');
  },
} satisfies Record<string, (p: QueryParams, context: never) => string>;

export type CombinedQueryId = keyof typeof combinedQueries;

/**
 * The sections each combined query feeds. A query still at the row cap after the deepest time split (runner.ts)
 * leaves these incomplete, and the report's warning names them.
 */
export const SECTIONS_OF: Record<CombinedQueryId, readonly string[]> = {
  routes: ['routes', 'unmatched-routes'],
  'request-counts': ['statuses', 'route-statuses', 'status-clusters', 'aborts', 'error-messages'],
  timeline: ['timeline', 'timeline-errors', 'timeline-aborts', 'timeline-runtime'],
  processes: ['events', 'services', 'processes', 'runtime', 'dropped', 'pool-timeouts'],
};
