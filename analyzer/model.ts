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

/**
 * A run's latencies as a histogram's non-empty buckets: `values[i]` ms (the bucket's middle, 1 % resolution) was seen
 * `counts[i]` times, values ascending. What `logjam compare` resamples for its confidence intervals.
 */
export interface LatencyDistribution {
  values: number[];
  counts: number[];
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
  /**
   * valid JSON that no input format reads: other services, other logjam schema versions, a pino-http line with a
   * required field missing or an id that is not one (docs/analyzer.md, "Input formats")
   */
  foreign: number;
  /**
   * lines read per input format ("logjam", "pino-http", …; local source), whether or not they were in the run:
   * the formats' sum + malformed + oversized + foreign = totalLines
   */
  formats?: Record<string, number>;
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
  /**
   * AWS ALB access-log lines (local source, sources/formats/alb.ts): `lines` parsed (counted in `parsed`),
   * `malformed` and `truncated` ones (both counted in `malformed` too, so the total still adds up).
   */
  alb?: AlbAccounting;
}

export interface AlbAccounting {
  lines: number;
  malformed: number;
  truncated: number;
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
  /** the largest `pool_max` runtime.stats lines logged (the pg pool's max), when they carry it */
  poolMax?: number;
}

/** The bounds (epoch ms) of a time window asked for with --since/--until; an absent bound is the input's start or end. */
export interface TimeWindow {
  since?: number;
  until?: number;
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
  /** the run analyzed; '' for a time window (see `window`) */
  runId: string;
  /**
   * present when the aggregate is a time window, not a run (`logjam analyze` without --run): every request line in
   * the window, whatever its run id. firstTime/lastTime are the lines found in it.
   */
  window?: TimeWindow;
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
  /** the join of ALB access-log lines with the run's app lines by X-Amzn-Trace-Id (local source, ALB lines read) */
  frontDoor?: FrontDoorSummary;
  /** per-dimension counts behind slow-request-dimensions / failed-request-dimensions (absent: the source had none) */
  dimensions?: RequestDimensions;
  /**
   * The latency distributions behind `totals.latency`, each route's (key: routeKey()) and each bin's, when the source kept
   * histograms (local NDJSON; Logs Insights returns percentiles only). Not part of the analyze report.
   */
  distributions?: {
    total: LatencyDistribution;
    routes: Record<string, LatencyDistribution>;
    /** one per entry of `bins` (same order): the blocks of `logjam compare`'s block bootstrap */
    bins: LatencyDistribution[];
  };
}

/** The key of a route in RunAggregate.distributions: matched and unmatched routes of one name stay apart. */
export function routeKey(r: Pick<RouteStats, 'method' | 'route' | 'matched'>): string {
  return `${r.matched ? 'm' : 'u'} ${r.method} ${r.route}`;
}

/** p50/p95/max/mean of one distribution, in ms (HDR: 1% value error; mean exact). */
export interface Distribution {
  count: number;
  mean: number;
  p50: number;
  p95: number;
  max: number;
}

/** Where a front-door failure happened, from what the two logs say (docs/analyzer.md, "The front door"). */
export type FrontDoorSide = 'client' | 'front-door' | 'app';

/** ALB lines of one route joined to an app finish line (the route is the app's template). */
export interface FrontDoorRoute {
  method: string;
  route: string;
  matched: boolean;
  /** ALB lines joined to an app request.finish line */
  joined: number;
  /** the ALB's request_processing_time of the joined lines: arrival at the ALB to sent to the target */
  requestProcessingMs: Distribution;
  /** ALB total (request + target + response processing time) minus the app's duration_ms: time outside the app */
  beforeAppMs: Distribution;
  /** ALB lines of this route the app never finished (see FrontDoorFailure) */
  failures: number;
}

/** ALB answered requests of one route with one status, and the app has no request.finish line for them. */
export interface FrontDoorFailure {
  method: string;
  /** the ALB's path with ids collapsed to :id (the app logged no route for these) */
  route: string;
  elbStatus: number;
  /** the target's status when it answered, else undefined (the ALB logged "-") */
  targetStatus?: number;
  count: number;
  /** of `count`: the app logged request.start (it got the request), request.abort (it saw the ALB hang up) */
  appStarted: number;
  appAborted: number;
  /** lines whose target_processing_time is -1: the ALB got no response from a target */
  noTargetResponse: number;
  side: FrontDoorSide;
  /** the ALB's request_processing_time (lines where it is not -1) */
  requestProcessingMs: Distribution;
  /** request_creation_time to time: how long the ALB held the request before it answered */
  albElapsedMs: Distribution;
  firstTime: number;
  lastTime: number;
  /** trace ids (the Root of X-Amzn-Trace-Id): `logjam trace` cannot open them, grep/jq can */
  exampleTraceIds: string[];
}

/** The ALB answered an error (5xx, 460) for a request the app finished: the failure is between the two. */
export interface FrontDoorAfterApp {
  method: string;
  route: string;
  elbStatus: number;
  appStatus: number;
  count: number;
  appDurationMs: Distribution;
  exampleTraceIds: string[];
}

export interface FrontDoorSummary {
  /** ALB lines attributed to the run: joined + failures + albOnly */
  albLines: number;
  /** ALB lines joined to one of the run's request.finish lines */
  joined: number;
  /** ALB lines of the run's time range (± FRONT_DOOR_SLACK_MS) the app never finished, with an ALB status >= 400 */
  failures: number;
  /** joined lines where the ALB answered 5xx/460 although the app finished */
  afterApp: number;
  /** ALB lines in the run's time range where the target answered but the app logged no finish (its lines are missing) */
  albOnly: number;
  /** the run's request.finish lines with a trace id and no ALB line (not sent through this ALB, or its logs missing) */
  appOnly: number;
  /** the run's request.finish lines without amzn_trace_id: they cannot be joined */
  appWithoutTraceId: number;
  /**
   * the run's request.finish lines with a trace id read before the first ALB line (ALB lines inside --logs, in a
   * file read after the app's): not held, so not joined — their ALB lines may show up as failures. --alb-logs reads
   * the ALB files first and avoids it.
   */
  appBeforeAlb: number;
  /** unjoined ALB lines whose arrival is outside the run's time range ± 60 s (other runs' or other traffic) */
  outsideRun: number;
  /** ALB lines with no (valid) trace id: they cannot be joined */
  noTraceId: number;
  /** a second ALB line, or a second app finish line, for one trace id (ignored) */
  duplicates: number;
  /** lines not held for the join because the table of lines waiting for their partner was full */
  overflow: number;
  requestProcessingMs: Distribution;
  beforeAppMs: Distribution;
  /** the app's duration_ms of the joined requests, for comparison */
  appMs: Distribution;
  routes: FrontDoorRoute[];
  failureGroups: FrontDoorFailure[];
  afterAppGroups: FrontDoorAfterApp[];
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
  /**
   * the load test's scenario name: the Node runner's `logjam.scenario`, or k6's `setup_data.scenario` (the lab's k6
   * scripts return it from setup()). The lab's is common/lab-scenario.ts LAB_SCENARIO.
   */
  scenario?: string;
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
  /**
   * What the finding is about, stable across runs (e.g. "GET /api/v1/todos/undefined" for a suspicious path), when
   * one id can occur several times in a run: `logjam compare` matches findings of two runs by id + key.
   */
  key?: string;
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

/** What reading a client log (--client-log) counted: every line lands in one count. */
export interface ClientLogAccounting {
  file: string;
  format: 'logjam' | 'k6-json' | 'mixed' | 'unknown';
  totalLines: number;
  requests: number;
  /** request lines of another run id (the file holds several, or the wrong run was asked for) */
  otherRuns: number;
  /** a request id seen again (the first line is kept) */
  duplicateIds: number;
  malformed: number;
  oversized: number;
  /** JSON that is neither format */
  foreign: number;
  /** k6 lines that are not an http_req_duration point (Metric lines, checks, vus…): expected, not an error */
  k6OtherLines: number;
  /** k6 http_req_duration points without the logjam id tag (requests made without the module) */
  k6WithoutId: number;
  /** request names beyond the table's cap, folded into one */
  namesFolded: number;
  /** the run ids seen on other-run lines (at most 5), to say which run the file is for */
  otherRunIds: string[];
  warnings?: string[];
}

/** An interval for a figure that depends on the client–server clock offset: [low, high], in ms. */
export interface OffsetBounded {
  low: number;
  high: number;
}

/**
 * The client request log joined to the server's lines by request id (analyzer/aggregate/client-join.ts). Client
 * times are on the client's clock; `clockOffset` (server clock − client clock) is estimated from the joined
 * requests, and every figure that mixes the two clocks is an OffsetBounded interval over it.
 */
export interface ClientJoinSummary {
  /** how the client log was read (ClientLogAccounting without its internals; `lines` is its totalLines) */
  clientLog: Omit<ClientLogAccounting, 'totalLines' | 'namesFolded' | 'otherRunIds'> & { lines: number };
  /** client requests with at least one server line */
  joined: number;
  /** the run's server request lines (finish/abort) whose id is not in the client log: another client, or lost lines */
  serverOnly: number;
  clockOffset: {
    /** θ ≥ max(server end − client end) over requests that got a response */
    lowMs?: number;
    /** θ ≤ min(server start − client start) over joined requests */
    highMs?: number;
    /** the middle of the interval (or the one bound there is) */
    estimateMs?: number;
    /** false when some requests' bounds crossed the others' (see laggingServerEnds) */
    consistent: boolean;
    /**
     * requests whose server end (the finish line's time) came after the client already had the response, by more
     * than the upper bound allows: the server stamped its line late (a blocked event loop), or a clock drifted or
     * jumped. Left out of the lower bound; counted among the largest 1,024 lower bounds only (a lower bound count).
     */
    laggingServerEnds?: number;
  };
  lateCompletions: {
    /** the client timed out, and the server logged request.finish for the request anyway */
    count: number;
    /** server time spent on those answers (sum of their duration_ms) */
    serverMsSum: number;
    /** how long after the client gave up the server finished: mean and max over the late completions */
    laterMeanMs?: OffsetBounded;
    laterMaxMs?: OffsetBounded;
    /** the client timed out and the server logged request.abort (it noticed the client leaving) */
    serverAborted: number;
    /** the client timed out and the server logged nothing (counted in neverLogged too) */
    neverLogged: number;
    exampleRequestIds: string[];
  };
  neverLogged: {
    /** client requests with no server line at all, the runner's own interruptions left out */
    count: number;
    /** by the client's outcome: response (a status from something in front of the app), timeout, refused, reset, other */
    byOutcome: Record<string, number>;
    /** requests the runner cut off itself (graceful stop, Ctrl-C) that the server never logged: not counted above */
    interrupted: number;
    /** the server logged request.start but never finish/abort (a process died mid-request) */
    startedNotEnded: number;
    /** when they were sent, ms after the first client request (client clock) */
    firstSentMs?: number;
    lastSentMs?: number;
    byName: { name: string; count: number }[];
  };
  outsideApp: {
    /** joined requests that got a response and have a request.finish line */
    count: number;
    /** client duration − server duration: network, accept backlog, proxies, the time before the middleware ran */
    totalMs: LatencySummary;
    /** of it, the part before the server's clock started (server start − client start − θ), mean */
    beforeAppMeanMs?: OffsetBounded;
    /** requests where the server's duration exceeded the client's (clamped to 0 in the distribution) */
    negative: number;
  };
  statusDisagreements: {
    count: number;
    /** most frequent first; `client` is a status or an outcome (reset, refused, other); `server` a status or "abort" */
    pairs: { method: string; route: string; client: string; server: string; count: number }[];
    exampleRequestIds: string[];
  };
  routes: {
    method: string;
    route: string;
    joined: number;
    outsideAppMs: LatencySummary;
    beforeAppMeanMs?: OffsetBounded;
    lateCompletions: number;
    lateServerMsSum: number;
    statusDisagreements: number;
  }[];
  /** time bins on the client's clock (start = epoch ms), width binMs */
  binMs: number;
  bins: {
    start: number;
    sent: number;
    neverLogged: number;
    lateCompletions: number;
    /** joined requests with a response and a finish line in the bin (by client start) */
    compared: number;
    clientP50Ms: number;
    clientP95Ms: number;
    serverP50Ms: number;
    serverP95Ms: number;
    outsideP50Ms: number;
    outsideP95Ms: number;
  }[];
  /** what the caps folded away (routes beyond the cap, request names beyond the cap) */
  overflow?: { routes: number; names: number };
}
