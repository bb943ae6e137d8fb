/**
 * RawCounts: what a source hands to the finishing layer (finish.ts) — the counts it read, and no decision about how
 * to present them. A source is a thin I/O adapter: the NDJSON source streams lines into these counts (aggregator.ts),
 * the CloudWatch source maps Logs Insights rows onto them (sources/cloudwatch/assemble.ts). Everything decided after
 * the counts — message templates and their top-N, route/path/cluster order, bin width and alignment, latency merges,
 * example ids, unfinished-route grouping — happens once, in finish.ts, for every source.
 *
 * Rules that make a source easy to write:
 *  - Entries are summed BY KEY by the finishing layer, so a source may emit one entry per row it read (a route split
 *    over several time pieces, an unmatched path not yet collapsed to `:id`, a bin twice). Keys are stated per type.
 *  - Entries may carry NEGATIVE counts: a correction. The CloudWatch source sees duplicated lines only after Logs
 *    Insights counted them, and takes them out by emitting the same key with minus the extra lines.
 *  - Sums, never means: a mean is a sum divided by the count at the end, so merges stay exact.
 *  - Status maps are keyed by the status as a decimal string ("404"), never by arbitrary input.
 *
 * Units: epoch ms for times, ms for durations.
 */
import type { ProcessSummary } from './processes.js';
import type { Histogram } from 'hdr-histogram-js';
import type { EvidenceQuery, FrontDoorSummary, InputAccounting, RunAggregate, RuntimeSummary } from '../model.js';

/** The percentiles of one group as Logs Insights computed them (pct()): merged count-weighted, an approximation. */
export interface LatencyPiece {
  count: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
}

/**
 * Latency of a group of finished requests. `count`, `durationSum` and `max` are exact in both sources; percentiles
 * come from an HDR histogram (NDJSON: exact to 1 %) or from Logs Insights pieces (CloudWatch).
 */
export interface RawLatency {
  count: number;
  durationSum: number;
  max: number;
  /** exact: histograms of the same group merge by adding (finish.ts never mutates a source's histogram) */
  hist?: Histogram;
  pieces?: LatencyPiece[];
}

/** Finished requests (and aborts) of one route. Key: matched + method + route. */
export interface RawRoute {
  method: string;
  /** the matched template, or the raw path when unmatched (finish.ts collapses ids to :id) */
  route: string;
  matched: boolean;
  latency: RawLatency;
  /** status -> finished requests */
  statuses: Record<string, number>;
  dbMsSum: number;
  poolWaitMsSum: number;
  dbQueriesSum: number;
  aborts: number;
  /** candidate example request ids, best first (finish.ts keeps the first distinct ones) */
  examples: string[];
}

/** runtime.stats maxima of one bin (over processes) */
export interface RawBinRuntime {
  elDelayP99Ms?: number;
  elDelayMaxMs?: number;
  elu?: number;
  inFlightMax?: number;
  poolWaitingMax?: number;
}

/**
 * One time bin at the width the source counted it (RawCounts.binMs). Key: floor(start / binMs) at the width the
 * finishing layer chooses (a multiple of the source's width), so runtime-only entries and corrections merge in.
 */
export interface RawBin {
  start: number;
  requests: number;
  errors5xx: number;
  errors4xx: number;
  aborts: number;
  /** request.start lines that never got an end (only a streaming source can place them in time) */
  unfinished?: number;
  durationSum: number;
  dbMsSum: number;
  poolWaitMsSum: number;
  latency: RawLatency;
  runtime?: RawBinRuntime;
}

/**
 * One error status of one route, with the error messages logged for it. Key: method + route + status.
 * Entries with count 0 and messages only are allowed (an error line whose finish is counted elsewhere); clusters
 * that end with no request are left out.
 */
export interface RawCluster {
  method: string;
  /** matched template, or an unmatched route (raw path: finish.ts collapses it) */
  route: string;
  status: number;
  count: number;
  examples: string[];
  /** message (raw or already templated: finish.ts templates it, idempotently) -> error lines */
  messages: Map<string, number>;
  /** error lines whose message the source could not keep (a bounded-memory cap): folded into "(other messages)" */
  untrackedMessages?: number;
}

/** Finished requests of one raw path with a suspicious segment. Key: method + path. */
export interface RawSuspicious {
  method: string;
  path: string;
  count: number;
  statuses: Record<string, number>;
  examples: string[];
}

/** request.start lines with no finish, abort or error line. Key: method + collapsed path. */
export interface RawUnfinished {
  method: string;
  path: string;
  count: number;
  examples: string[];
}

/**
 * One process (host, pid, cluster worker) that logged the run; `workers` is the number of distinct ones. This is the
 * per-process table: per-process counts (service.start / service.stop seen, last line time, requests started and
 * never finished) belong here as optional fields, filled by each source and read by an analysis.
 */
export interface RawProcess {
  host: string;
  /** as text: a pid or worker that is absent is '' (Logs Insights returns every value as text) */
  pid: string;
  worker: string;
  service?: string;
}

export interface RawCounts {
  runId: string;
  source: string;
  /** false: the run has no line in the source (the source says "run not found" before finishing) */
  hasLines: boolean;
  firstTime: number;
  lastTime: number;
  /** the width the source counted bins at (a power-of-two multiple of 1 s, aligned on the epoch) */
  binMs: number;
  /** a width the caller asked for (AggregateOptions.binMs); else finish.ts picks one from the run's length */
  requestedBinMs?: number;
  services: string[];
  processes: RawProcess[];
  /** per-process lifecycle (service.start/stop, last line, requests left open): aggregate/processes.ts */
  lifecycles?: ProcessSummary[];
  totals: {
    latency: RawLatency;
    aborts: number;
    errors4xx: number;
    errors5xx: number;
    dbQueries: number;
    poolTimeouts: number;
    dbMsSum: number;
    poolWaitMsSum: number;
  };
  routes: RawRoute[];
  bins: RawBin[];
  clusters: RawCluster[];
  suspicious: RawSuspicious[];
  unfinished: RawUnfinished[];
  runtime?: RuntimeSummary;
  overflow?: RunAggregate['overflow'];
  input: InputAccounting;
  scanned?: RunAggregate['scanned'];
  /** evidence queries by section/finding id, in a language the source that read the run can run */
  evidence: Record<string, EvidenceQuery>;
  /** the ALB join, already final (local source only: ALB access logs never reach CloudWatch Logs) */
  frontDoor?: FrontDoorSummary;
}

export function emptyLatency(): RawLatency {
  return { count: 0, durationSum: 0, max: 0 };
}
