/**
 * Logs Insights rows -> RawCounts (analyzer/aggregate/raw-counts.ts), which the one finishing layer
 * (analyzer/aggregate/finish.ts) turns into the RunAggregate, exactly as it does for the NDJSON source. Pure: no
 * I/O, so the mapping is tested on hand-written rows.
 *
 * This file only says which row goes to which raw key: one raw entry per row (the finishing layer sums entries by
 * key, collapses unmatched paths to templates, merges percentiles count-weighted, orders and caps everything).
 * Duplicated request-scoped lines (`duplicates` query: one row per request id and event seen more than once) are
 * taken out as negative entries on the same keys, bins included.
 */
import { processSummariesFromRows } from '../../aggregate/processes.js';
import { EVENTS, SCHEMA_VERSION } from '../../../middleware/schema.js';
import type { InputAccounting, RunAggregate, RuntimeSummary, EvidenceQuery } from '../../model.js';
import { finishAggregate } from '../../aggregate/finish.js';
import { collapsePath } from '../../aggregate/paths.js';
import {
  emptyLatency,
  type RawBin,
  type RawCluster,
  type RawCounts,
  type RawLatency,
  type RawRoute,
  type RawSuspicious,
  type RawUnfinished,
} from '../../aggregate/raw-counts.js';
import { oddCellCount, RowReader, type InsightsRow } from './rows.js';

/** The rows of every query the source runs for one run, by query id (queries.ts). */
export interface SectionRows {
  summary: InsightsRow[];
  events: InsightsRow[];
  services: InsightsRow[];
  statuses: InsightsRow[];
  duplicates: InsightsRow[];
  unfinishedRoutes: InsightsRow[];
  poolTimeouts: InsightsRow[];
  routes: InsightsRow[];
  routeStatuses: InsightsRow[];
  unmatchedRoutes: InsightsRow[];
  timeline: InsightsRow[];
  timelineErrors: InsightsRow[];
  timelineAborts: InsightsRow[];
  timelineRuntime: InsightsRow[];
  aborts: InsightsRow[];
  suspiciousPaths: InsightsRow[];
  statusClusters: InsightsRow[];
  errorMessages: InsightsRow[];
  runtime: InsightsRow[];
  dropped: InsightsRow[];
  /** per host, pid, service, event, run_id (queries.ts `processes`); absent: no per-process accounting */
  processes?: InsightsRow[];
}

export interface AssembleInput {
  /** undefined for a time window */
  runId: string | undefined;
  source: string;
  firstTime: number;
  lastTime: number;
  binMs: number;
  /** column name of the bin in timeline rows, e.g. "bin(1m)" */
  binColumn: string;
  /** the width the caller asked for, when it did (else the finishing layer's rule, which the source queried with) */
  requestedBinMs?: number;
  examples: number;
  rows: SectionRows;
  queries: Record<string, EvidenceQuery>;
  scanned?: RunAggregate['scanned'];
}

export interface RowsResult {
  counts: RawCounts;
  /**
   * what could not be used (reported as a warning, never thrown): values present but unreadable ("abc" as a
   * count, an object as a value) and rows left out because a field they are grouped by is missing
   */
  oddValues: number;
}

export interface AssembleResult {
  aggregate: RunAggregate;
  oddValues: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Rows -> raw entries

/** A Logs Insights latency group: sums from count x mean, percentiles kept as one piece (merged count-weighted). */
function latencyRow(row: InsightsRow, r: RowReader): RawLatency {
  const count = r.num0(row, 'requests');
  return {
    count,
    durationSum: count * r.num0(row, 'mean'),
    max: r.num0(row, 'max'),
    pieces: [{ count, p50: r.num0(row, 'p50'), p90: r.num0(row, 'p90'), p95: r.num0(row, 'p95'), p99: r.num0(row, 'p99') }],
  };
}

function examplesOf(row: InsightsRow): string[] {
  return ['first_request_id', 'last_request_id'].map((f) => row[f]).filter((id): id is string => Boolean(id));
}

function routeRow(method: string, route: string, matched: boolean, row: InsightsRow, r: RowReader): RawRoute {
  const latency = latencyRow(row, r);
  return {
    method,
    route,
    matched,
    latency,
    statuses: {},
    dbMsSum: latency.count * r.num0(row, 'db_ms_mean'),
    poolWaitMsSum: latency.count * r.num0(row, 'pool_wait_ms_mean'),
    dbQueriesSum: latency.count * r.num0(row, 'db_queries_mean'),
    aborts: 0,
    examples: examplesOf(row),
  };
}

const emptyRoute = (method: string, route: string, matched: boolean): RawRoute => ({
  method, route, matched, latency: emptyLatency(), statuses: {}, dbMsSum: 0, poolWaitMsSum: 0, dbQueriesSum: 0, aborts: 0, examples: [],
});

const emptyBin = (start: number): RawBin => ({
  start, requests: 0, errors5xx: 0, errors4xx: 0, aborts: 0, durationSum: 0, dbMsSum: 0, poolWaitMsSum: 0, latency: emptyLatency(),
});

/** One request's event stored more than once: `extra` lines to take out, each carrying sum / lines. */
interface Duplicate {
  event: string;
  method: string;
  route?: string;
  path: string;
  routeOrPath: string;
  status?: number;
  message?: string;
  time?: number;
  extra: number;
  durationMs: number;
  dbMs: number;
  poolWaitMs: number;
  dbQueries: number;
}

function duplicatesOf(rows: InsightsRow[], r: RowReader): Duplicate[] {
  const out: Duplicate[] = [];
  for (const row of rows) {
    const lines = r.num0(row, 'lines');
    const event = r.str(row, 'event');
    if (lines <= 1 || !event) continue;
    const per = (field: string) => r.num0(row, field) / lines;
    const path = r.str(row, 'path') ?? '/';
    out.push({
      event,
      method: r.str(row, 'method') ?? '?',
      route: r.str(row, 'route'),
      path,
      routeOrPath: r.str(row, 'route_or_path') ?? path,
      status: r.num(row, 'status'),
      message: r.str(row, 'message'),
      time: r.num(row, 'time'),
      extra: lines - 1,
      durationMs: per('duration_ms_sum'),
      dbMs: per('db_ms_sum'),
      poolWaitMs: per('pool_wait_ms_sum'),
      dbQueries: per('db_queries_sum'),
    });
  }
  return out;
}

function buildRuntime(rows: InsightsRow[], r: RowReader): RuntimeSummary | undefined {
  const row = rows[0];
  const samples = row ? r.num0(row, 'samples') : 0;
  if (!row || samples === 0) return undefined;
  return {
    samples,
    elDelayP99MsMax: r.num0(row, 'el_delay_p99_ms_max'),
    elDelayP99MsMean: r.num0(row, 'el_delay_p99_ms_mean'),
    eluMean: r.num0(row, 'elu_mean'),
    eluMax: r.num0(row, 'elu_max'),
    heapUsedMbMax: r.num0(row, 'heap_used_mb_max'),
    poolWaitingMax: r.num0(row, 'pool_waiting_max'),
    poolTotalMax: r.num0(row, 'pool_total_max'),
    ...(r.num0(row, 'pool_max_max') > 0 ? { poolMax: r.num0(row, 'pool_max_max') } : {}),
  };
}

/** Lines per event of the run (schema version SCHEMA_VERSION only), and lines of other versions. */
function eventCounts(rows: InsightsRow[], r: RowReader): { byEvent: Map<string, number>; supported: number; foreign: number } {
  const byEvent = new Map<string, number>();
  let supported = 0;
  let foreign = 0;
  for (const row of rows) {
    const lines = r.num0(row, 'lines');
    if (r.num(row, 'schema') !== SCHEMA_VERSION) {
      foreign += lines;
      continue;
    }
    supported += lines;
    const event = r.str(row, 'event');
    if (event) byEvent.set(event, (byEvent.get(event) ?? 0) + lines);
  }
  return { byEvent, supported, foreign };
}

// ---------------------------------------------------------------------------------------------------------------

export function rowsToRawCounts(input: AssembleInput): RowsResult {
  const r = new RowReader();
  const { rows } = input;
  const routes: RawRoute[] = [];
  const bins: RawBin[] = [];
  const clusters: RawCluster[] = [];
  const suspicious: RawSuspicious[] = [];
  const unfinished: RawUnfinished[] = [];

  // routes: matched templates (latency + statuses), unmatched raw paths (collapsed by the finishing layer), aborts
  const matched = new Set<string>();
  for (const row of rows.routes) {
    const method = r.str(row, 'method');
    const route = r.str(row, 'route');
    if (!method || !route) {
      r.skipped();
      continue;
    }
    matched.add(`${method} ${route}`);
    routes.push(routeRow(method, route, true, row, r));
  }
  for (const row of rows.routeStatuses) {
    const method = r.str(row, 'method');
    const route = r.str(row, 'route');
    const status = r.status(row, 'status');
    if (!method || !route || !status) {
      r.skipped();
      continue;
    }
    matched.add(`${method} ${route}`);
    const entry = emptyRoute(method, route, true);
    entry.statuses[status] = r.num0(row, 'requests');
    routes.push(entry);
  }
  for (const row of rows.unmatchedRoutes) {
    const method = r.str(row, 'method');
    const path = r.str(row, 'path');
    if (!method || !path) {
      r.skipped();
      continue;
    }
    const entry = routeRow(method, path, false, row, r);
    const status = r.status(row, 'status');
    if (status) entry.statuses[status] = r.num0(row, 'requests');
    routes.push(entry);
  }
  // coalesce(route, path): a matched template stays as is, a raw path is an unmatched route
  const isMatched = (method: string, target: string) => matched.has(`${method} ${target}`);
  const clusterRoute = (method: string, target: string) => (isMatched(method, target) ? target : collapsePath(target));
  for (const row of rows.aborts) {
    const method = r.str(row, 'method');
    const target = r.str(row, 'route_or_path');
    if (!method || !target) {
      r.skipped();
      continue;
    }
    const entry = emptyRoute(method, target, isMatched(method, target));
    entry.aborts = r.num0(row, 'aborts');
    routes.push(entry);
  }

  // bins, at the width the source queried with
  const binOf = (row: InsightsRow) => {
    const start = r.time(row, input.binColumn);
    if (start === undefined) return undefined;
    const bin = emptyBin(start);
    bins.push(bin);
    return bin;
  };
  for (const row of rows.timeline) {
    const bin = binOf(row);
    if (!bin) {
      r.skipped();
      continue;
    }
    bin.latency = latencyRow(row, r);
    bin.requests = bin.latency.count;
    bin.durationSum = r.num0(row, 'duration_ms_sum');
    bin.latency.durationSum = bin.durationSum;
    bin.dbMsSum = r.num0(row, 'db_ms_sum');
    bin.poolWaitMsSum = r.num0(row, 'pool_wait_ms_sum');
  }
  for (const row of rows.timelineErrors) {
    const status = r.num(row, 'status');
    const bin = status === undefined ? undefined : binOf(row);
    if (!bin || status === undefined) {
      r.skipped();
      continue;
    }
    if (status >= 500) bin.errors5xx = r.num0(row, 'requests');
    else if (status >= 400) bin.errors4xx = r.num0(row, 'requests');
  }
  for (const row of rows.timelineAborts) {
    const bin = binOf(row);
    if (bin) bin.aborts = r.num0(row, 'aborts');
    else r.skipped();
  }
  for (const row of rows.timelineRuntime) {
    const bin = binOf(row);
    if (!bin) {
      r.skipped();
      continue;
    }
    bin.runtime = {
      elDelayP99Ms: r.num(row, 'el_delay_p99_ms'),
      elDelayMaxMs: r.num(row, 'el_delay_max_ms'),
      elu: r.num(row, 'elu'),
      inFlightMax: r.num(row, 'in_flight_max'),
      poolWaitingMax: r.num(row, 'pool_waiting_max'),
    };
  }

  for (const row of rows.suspiciousPaths) {
    const method = r.str(row, 'method');
    const path = r.str(row, 'path');
    if (!method || !path) {
      r.skipped();
      continue;
    }
    const n = r.num0(row, 'requests');
    const status = r.status(row, 'status');
    suspicious.push({ method, path, count: n, statuses: status ? { [status]: n } : {}, examples: examplesOf(row) });
  }

  for (const row of rows.statusClusters) {
    const method = r.str(row, 'method');
    const target = r.str(row, 'route_or_path');
    const status = r.num(row, 'status');
    if (!method || !target || status === undefined) {
      r.skipped();
      continue;
    }
    clusters.push({ method, route: clusterRoute(method, target), status, count: r.num0(row, 'requests'), examples: examplesOf(row), messages: new Map() });
  }
  for (const row of rows.errorMessages) {
    const method = r.str(row, 'method');
    const target = r.str(row, 'route_or_path');
    const status = r.num(row, 'status');
    const message = r.str(row, 'message');
    if (!method || !target || status === undefined || message === undefined) {
      r.skipped();
      continue;
    }
    // a message-only entry: it shows only in a cluster that has finished requests (like the local source)
    clusters.push({ method, route: clusterRoute(method, target), status, count: 0, examples: [], messages: new Map([[message, r.num0(row, 'errors')]]) });
  }

  for (const row of rows.unfinishedRoutes) {
    unfinished.push({ method: r.str(row, 'method') ?? '?', path: r.str(row, 'path') ?? '/', count: r.num0(row, 'unfinished'), examples: [] });
  }

  // totals
  const summary = rows.summary[0] ?? {};
  const totalLatency = latencyRow(summary, r);
  let errors4xx = 0;
  let errors5xx = 0;
  for (const row of rows.statuses) {
    const status = r.num(row, 'status');
    const n = r.num0(row, 'requests');
    if (status === undefined) {
      r.skipped();
      continue;
    }
    if (status >= 500) errors5xx += n;
    else if (status >= 400) errors4xx += n;
  }
  const events = eventCounts(rows.events, r);
  const totals: RawCounts['totals'] = {
    latency: totalLatency,
    aborts: events.byEvent.get(EVENTS.requestAbort) ?? 0,
    errors4xx,
    errors5xx,
    dbQueries: r.num0(summary, 'db_queries'),
    poolTimeouts: r.num0(rows.poolTimeouts[0] ?? {}, 'timeouts'),
    dbMsSum: totalLatency.count * r.num0(summary, 'db_ms_mean'),
    poolWaitMsSum: totalLatency.count * r.num0(summary, 'pool_wait_ms_mean'),
  };

  // duplicated lines: the same keys with minus the extra lines
  const dups = duplicatesOf(rows.duplicates, r);
  for (const d of dups) {
    const n = d.extra;
    const routeKey = d.route !== undefined ? { route: d.route, matched: true } : { route: d.path, matched: false };
    const bin = d.time === undefined ? undefined : emptyBin(d.time);
    if (d.event === EVENTS.requestFinish) {
      const minus: RawLatency = { count: -n, durationSum: -n * d.durationMs, max: 0 };
      totals.latency = { ...totals.latency, count: totals.latency.count - n, durationSum: totals.latency.durationSum - n * d.durationMs };
      totals.dbQueries -= n * d.dbQueries;
      totals.dbMsSum -= n * d.dbMs;
      totals.poolWaitMsSum -= n * d.poolWaitMs;
      if (d.status !== undefined && d.status >= 500) totals.errors5xx -= n;
      else if (d.status !== undefined && d.status >= 400) totals.errors4xx -= n;
      const entry = emptyRoute(d.method, routeKey.route, routeKey.matched);
      entry.latency = minus;
      entry.dbMsSum = -n * d.dbMs;
      entry.poolWaitMsSum = -n * d.poolWaitMs;
      entry.dbQueriesSum = -n * d.dbQueries;
      if (d.status !== undefined) entry.statuses[String(d.status)] = -n;
      routes.push(entry);
      if (bin) {
        bin.requests = -n;
        bin.latency = { ...minus };
        bin.durationSum = -n * d.durationMs;
        bin.dbMsSum = -n * d.dbMs;
        bin.poolWaitMsSum = -n * d.poolWaitMs;
        if (d.status !== undefined && d.status >= 500) bin.errors5xx = -n;
        else if (d.status !== undefined && d.status >= 400) bin.errors4xx = -n;
        bins.push(bin);
      }
      if (d.status !== undefined && d.status >= 400) {
        clusters.push({ method: d.method, route: clusterRoute(d.method, d.routeOrPath), status: d.status, count: -n, examples: [], messages: new Map() });
      }
      suspicious.push({ method: d.method, path: d.path, count: -n, statuses: d.status !== undefined ? { [String(d.status)]: -n } : {}, examples: [] });
    } else if (d.event === EVENTS.requestAbort) {
      totals.aborts -= n;
      const entry = emptyRoute(d.method, d.routeOrPath, isMatched(d.method, d.routeOrPath));
      entry.aborts = -n;
      routes.push(entry);
      if (bin) {
        bin.aborts = -n;
        bins.push(bin);
      }
    } else if (d.event === EVENTS.requestError && d.status !== undefined && d.message !== undefined) {
      clusters.push({ method: d.method, route: clusterRoute(d.method, d.routeOrPath), status: d.status, count: 0, examples: [], messages: new Map([[d.message, -n]]) });
    }
    // request.start: the unfinished query groups by request id already (a copy of a start changes nothing there)
  }
  const duplicates = dups.reduce((n, d) => n + d.extra, 0);

  const services = [...new Set(rows.services.map((row) => r.str(row, 'service')).filter((x): x is string => x !== undefined))].sort();
  const processes = rows.services.map((row) => ({ host: row.host ?? '', pid: row.pid ?? '', worker: row.worker ?? '', ...(row.service ? { service: row.service } : {}) }));
  const runtime = buildRuntime(rows.runtime, r);
  let droppedLines = 0;
  let droppedBySinks = 0;
  for (const row of rows.dropped) {
    droppedLines += r.num0(row, 'lines');
    droppedBySinks += r.num0(row, 'dropped');
  }
  // What Logs Insights can tell: the run's lines (by schema version), runtime.stats and log.dropped lines of its
  // window. Lines that are not JSON carry no run id, so they cannot be attributed to a run (malformed stays 0).
  const contextLines = (runtime?.samples ?? 0) + droppedLines;
  const accounting: InputAccounting = {
    totalLines: events.supported + events.foreign + contextLines,
    parsed: events.supported + contextLines,
    malformed: 0,
    oversized: 0,
    foreign: events.foreign,
    otherRuns: 0,
    duplicates,
    droppedBySinks,
  };

  const counts: RawCounts = {
    runId: input.runId ?? '',
    source: input.source,
    hasLines: true,
    firstTime: input.firstTime,
    lastTime: input.lastTime,
    binMs: input.binMs,
    ...(input.requestedBinMs !== undefined ? { requestedBinMs: input.requestedBinMs } : {}),
    services,
    processes,
    totals,
    routes,
    bins,
    clusters,
    suspicious,
    unfinished,
    input: accounting,
    evidence: input.queries,
  };
  if (runtime) counts.runtime = runtime;
  if (input.scanned) counts.scanned = input.scanned;
  if (rows.processes) counts.lifecycles = processSummariesFromRows(rows.processes, input.runId);
  // cells toRows could not read (objects, arrays, …) count too, whether or not a section read their field
  const oddCells = oddCellCount(Object.values(rows).flat());
  return { counts, oddValues: r.oddValues + oddCells };
}

/** Rows -> RunAggregate through the finishing layer (what the source returns). */
export function assembleAggregate(input: AssembleInput): AssembleResult {
  const { counts, oddValues } = rowsToRawCounts(input);
  return { aggregate: finishAggregate(counts, { examples: input.examples }), oddValues };
}
