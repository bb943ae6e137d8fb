/**
 * The analyzer's internal contract: what a source produces for one run, and what analyses, capacity math and
 * renderers consume. Both sources fill the same shape — the local NDJSON source by streaming with bounded memory,
 * the CloudWatch source with Logs Insights `stats … by` queries — so everything downstream is source-agnostic
 * and testable without I/O.
 *
 * Units: times are epoch milliseconds, durations are milliseconds, rates are per second.
 * Extend with optional fields; do not change the meaning of an existing one (the --json output is built on it).
 */

/** The languages an evidence query can be written in. */
export type QueryLanguage = 'logs-insights' | 'jq';

/** How renderers name each language ("Logs Insights query", "jq query"). */
export const QUERY_LANGUAGE_LABELS: Readonly<Record<QueryLanguage, string>> = { 'logs-insights': 'Logs Insights', jq: 'jq' };

/** A query that shows the lines behind a finding, attached by the source that can run it. */
export interface EvidenceQuery {
  language: QueryLanguage;
  text: string;
}

import type { ProcessSummary } from './aggregate/processes.js';

export type { ProcessSummary };

export interface LatencySummary {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
}

/** Requests grouped by method and route template (the logged route, or the path with ids collapsed to :id). */
export interface RouteStats {
  method: string;
  route: string;
  /** true when `route` came from the server's matched template; false when derived by collapsing the raw path. */
  matched: boolean;
  count: number;
  /** status code (as a string) -> count */
  statuses: Record<string, number>;
  latency: LatencySummary;
  /** Means per request over finished requests, for "where the time goes". */
  dbMsMean: number;
  poolWaitMsMean: number;
  dbQueriesMean: number;
  aborts: number;
  exampleRequestIds: string[];
}

/** One time bin of the run (width = RunAggregate.binMs). */
export interface TimeBin {
  start: number;
  /** request.finish lines whose finish time falls in the bin */
  requests: number;
  /** status >= 500 */
  errors5xx: number;
  /** 400 <= status < 500 */
  errors4xx: number;
  aborts: number;
  latency: Pick<LatencySummary, 'mean' | 'p50' | 'p95' | 'p99' | 'max'>;
  /**
   * Mean requests in flight during the bin by Little's law: sum of durations of requests finishing in the bin
   * divided by the bin width. The saturation analysis plots throughput against this.
   */
  concurrency: number;
  dbMsSum: number;
  poolWaitMsSum: number;
  /** From runtime.stats lines in the bin (max over workers/processes); absent when the bin has none. */
  elDelayP99Ms?: number;
  elDelayMaxMs?: number;
  elu?: number;
  inFlightMax?: number;
  poolWaitingMax?: number;
  /** request.start lines in the bin that never got a finish, abort or error line (local source) */
  unfinished?: number;
}

/** A path segment that a correct client never sends: `undefined`, `null`, `NaN`, `[object Object]`, empty, `//`. */
export interface SuspiciousPath {
  method: string;
  /** the path as sent, with numbers/uuids kept (e.g. /api/v1/todos/undefined) */
  path: string;
  segment: string;
  /** the path with ids collapsed (the grouping key), when it differs from `path` */
  template?: string;
  count: number;
  statuses: Record<string, number>;
  exampleRequestIds: string[];
}

/** Error statuses of one route, with the error messages logged for them (numbers and ids masked). */
export interface StatusCluster {
  method: string;
  route: string;
  status: number;
  count: number;
  messages: { template: string; count: number }[];
  exampleRequestIds: string[];
}

/** Counts of input lines, so nothing is skipped silently. parsed + malformed + oversized + foreign = total. */
export interface InputAccounting {
  totalLines: number;
  parsed: number;
  malformed: number;
  oversized: number;
  /** valid JSON but not a logjam line of a supported schema version (other services, other versions) */
  foreign: number;
  /** logjam lines of other runs (not an error: the source holds several runs) */
  otherRuns: number;
  /**
   * request-scoped lines (request.start, request.finish, request.abort, request.error) seen more than once for the
   * same request id and event — two copies of one log, or a batch CloudWatch stored twice after a retry. Each
   * request's event is counted once; this is the number of extra lines ignored.
   */
  duplicates: number;
  /** log.dropped lines: lines a sink lost before they reached the source */
  droppedBySinks: number;
  /** lines outside --since/--until (local source; counted in the total) */
  outsideTimeRange?: number;
  /** problems with the input as a whole (a truncated .gz, an unreadable file in a directory) */
  warnings?: string[];
  /** what reading a --logs directory left out (local source, a directory only) */
  inputFiles?: InputFileAccounting;
}

/**
 * A --logs directory walk: `files` read; `symlinkedFoldersNotFollowed` (without --follow-symlinks); `filesSeenTwice`
 * (a second path to a file already read, by device + inode: read once); `loops` (a folder reached again: walked once).
 */
export interface InputFileAccounting {
  files: number;
  symlinkedFoldersNotFollowed: number;
  filesSeenTwice: number;
  loops: number;
}

export interface RuntimeSummary {
  samples: number;
  elDelayP99MsMax: number;
  elDelayP99MsMean: number;
  eluMean: number;
  eluMax: number;
  heapUsedMbMax: number;
  poolWaitingMax: number;
  poolTotalMax: number;
}

/** One value of one request dimension (analyzer/aggregate/dimensions.ts) and its requests. */
export interface DimensionValueStats {
  value: string;
  /** finished requests with the value */
  requests: number;
  /** of those, above the run's slow threshold (RequestDimensions.slowThresholdMs) */
  slow: number;
  /** of those, answered 5xx */
  errors5xx: number;
  /** aborted requests (request.abort) with the value */
  aborts: number;
}

/**
 * What the slow and the failed requests have in common: every dimension's values with their requests, slow requests
 * (above the run's p95) and failed ones (5xx, aborts). The analysis (analyses/request-dimensions.ts) ranks them.
 */
export interface RequestDimensions {
  /** a request is slow when its duration is above this (the run's p95, as the totals report it) */
  slowThresholdMs: number;
  requests: number;
  slow: number;
  errors5xx: number;
  aborts: number;
  /** in tie-break order (route first); values by requests, then value */
  dimensions: {
    id: string;
    label: string;
    /** a failed request has its value by definition (status): not ranked for failed requests */
    definesFailure?: boolean;
    values: DimensionValueStats[];
  }[];
  /** requests whose value was folded into "(other)" (a dimension over its value cap) */
  overflow?: number;
}

export interface RunAggregate {
  runId: string;
  /** where the lines came from, for the report header (a file path, or "cloudwatch:<group>") */
  source: string;
  firstTime: number;
  lastTime: number;
  binMs: number;
  services: string[];
  workers: number;
  totals: {
    requests: number;
    /** request.start lines with no finish, abort or error line (the process died, or logs were lost) */
    unfinished: number;
    aborts: number;
    errors4xx: number;
    errors5xx: number;
    dbQueries: number;
    poolTimeouts: number;
    latency: LatencySummary;
    dbMsMean: number;
    poolWaitMsMean: number;
  };
  routes: RouteStats[];
  bins: TimeBin[];
  suspiciousPaths: SuspiciousPath[];
  statusClusters: StatusCluster[];
  runtime?: RuntimeSummary;
  /** request.start lines with no finish/abort/error, grouped by method and collapsed path (local source) */
  unfinishedByRoute?: { method: string; route: string; count: number; exampleRequestIds: string[] }[];
  /** what the bounded-memory caps folded away, so nothing is dropped silently */
  overflow?: { routes: number; suspiciousPaths: number; openRequests: number };
  input: InputAccounting;
  /** Logs Insights cost, when the source is CloudWatch */
  scanned?: { queries: number; recordsMatched: number; recordsScanned: number; bytesScanned: number };
  /**
   * The query behind each part, keyed by finding/section id, in a language the source that read the run can run
   * (Logs Insights for CloudWatch, jq for local NDJSON files).
   */
  queries: Record<string, EvidenceQuery>;
  /** the processes (host + pid) that wrote the run's lines, with their lifecycle (aggregate/processes.ts) */
  processes?: ProcessSummary[];
  /** per-dimension counts behind slow-request-dimensions / failed-request-dimensions (absent: the source had none) */
  dimensions?: RequestDimensions;
}

/** What a client summary (k6's summary export, or the Node runner's, which has the same shape) tells. */
export interface ClientView {
  file: string;
  requests: number;
  /** requests k6 counted as failed (http_req_failed: status >= 400 or no response) */
  failedRequests: number;
  /** requests with no response at all (timeouts, refused connections), when the summary says (Node runner) */
  noResponse?: number;
  checks: { name: string; passes: number; fails: number }[];
  vusMax?: number;
  iterations?: number;
  durationP95Ms?: number;
  thinkTimeS?: number;
  /** requests with no response by reason (Node runner only): timeout, refused, reset, other */
  noResponseByReason?: Record<string, number>;
  /** the run id the Node runner used (its `logjam` block), to cross-check against --run */
  runId?: string;
  /** the test's wall time, from k6's `state.testRunDurationMs` */
  testDurationMs?: number;
  /** requests the Node runner cut off itself when it stopped VUs (not server failures) */
  interruptedRequests?: number;
  /** Node runner's guard rail: request names whose responses were mostly 4xx */
  clientErrors?: { name: string; method: string; responses: number; status4xx: number; status404: number }[];
  /** Node runner's guard rail: the load generator's own health during the run */
  generator?: { saturated: boolean; saturatedSeconds: number; windows: number; elDelayP99Ms: number; cpuPeak: number };
}

export type Severity = 'critical' | 'warning' | 'info';

export interface Finding {
  /** stable id, e.g. "suspicious-path", "status-mismatch", "client-no-server-line" */
  id: string;
  severity: Severity;
  title: string;
  /** plain words: what happened and what it means */
  explanation: string;
  fix: string;
  counts: Record<string, number>;
  exampleRequestIds: string[];
  /** a query that proves it, ready to paste (the Logs Insights console, or a shell for jq) */
  query?: EvidenceQuery;
  /** evidence lines for the report (one per route, reason, …), most important first */
  details?: string[];
  /** slow-/failed-request-dimensions: the ranked values with the counts behind each ratio */
  ranking?: DimensionRankEntry[];
}

/** One dimension value's over-representation among slow (or failed) requests against the rest. */
export interface DimensionRankEntry {
  dimension: string;
  label: string;
  value: string;
  /** slow (failed) requests with the value, of `group` */
  inGroup: number;
  group: number;
  /** the other requests with the value, of `rest` */
  inRest: number;
  rest: number;
  /** (inGroup / group) / (inRest / rest); inRest 0 counts as 0.5 (see docs/analyzer.md) */
  lift: number;
  /** two-proportion z statistic of the same comparison */
  z: number;
  /** lift, support and z all above their thresholds */
  overRepresented: boolean;
}
