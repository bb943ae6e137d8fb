/**
 * Logs Insights rows -> RunAggregate. Pure: no I/O, so the mapping is tested on hand-written rows.
 *
 * Rows of one query may come from several time pieces (the 10,000-row split) and unmatched paths are collapsed to
 * templates here, so every section merges groups by key: counts add, means are count-weighted, maxima take the
 * max. Percentiles cannot be merged exactly from percentiles; merged ones are count-weighted means (an
 * approximation, documented in docs/cloudwatch.md). The overall percentiles come from their own query, exact to
 * Logs Insights' own precision.
 */
import { processSummariesFromRows } from '../../aggregate/processes.js';
import { EVENTS, SCHEMA_VERSION } from '../../../middleware/schema.js';
import type {
  InputAccounting,
  LatencySummary,
  RouteStats,
  RunAggregate,
  RuntimeSummary,
  StatusCluster,
  SuspiciousPath,
  TimeBin,
} from '../../model.js';
// The same path and message rules as the local source, so both sources group and flag requests identically.
import { messageTemplate } from '../../aggregate/message-template.js';
import { collapsePath, suspiciousSegment } from '../../aggregate/paths.js';
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
  runId: string;
  source: string;
  firstTime: number;
  lastTime: number;
  binMs: number;
  /** column name of the bin in timeline rows, e.g. "bin(1m)" */
  binColumn: string;
  examples: number;
  rows: SectionRows;
  queries: Record<string, string>;
  scanned?: RunAggregate['scanned'];
}

export interface AssembleResult {
  aggregate: RunAggregate;
  /**
   * what could not be used (reported as a warning, never thrown): values present but unreadable ("abc" as a
   * count, an object as a value) and rows left out because a field they are grouped by is missing
   */
  oddValues: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Weighted accumulation of latency groups

interface LatencyAcc {
  count: number;
  meanSum: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
  db: number;
  pool: number;
  dbq: number;
  examples: string[];
}

function newAcc(): LatencyAcc {
  return { count: 0, meanSum: 0, p50: 0, p90: 0, p95: 0, p99: 0, max: 0, db: 0, pool: 0, dbq: 0, examples: [] };
}

function addExamples(into: string[], row: InsightsRow, limit: number): void {
  for (const field of ['first_request_id', 'last_request_id']) {
    const id = row[field];
    if (id && !into.includes(id) && into.length < limit) into.push(id);
  }
}

function accumulate(acc: LatencyAcc, row: InsightsRow, r: RowReader, examples: number): void {
  const n = r.num0(row, 'requests');
  acc.count += n;
  acc.meanSum += n * r.num0(row, 'mean');
  acc.p50 += n * r.num0(row, 'p50');
  acc.p90 += n * r.num0(row, 'p90');
  acc.p95 += n * r.num0(row, 'p95');
  acc.p99 += n * r.num0(row, 'p99');
  acc.max = Math.max(acc.max, r.num0(row, 'max'));
  acc.db += n * r.num0(row, 'db_ms_mean');
  acc.pool += n * r.num0(row, 'pool_wait_ms_mean');
  acc.dbq += n * r.num0(row, 'db_queries_mean');
  addExamples(acc.examples, row, examples);
}

const MESSAGES_PER_CLUSTER = 10;
const OTHER_MESSAGES = '(other messages)';

const div = (sum: number, n: number) => (n > 0 ? sum / n : 0);

function latencyOf(acc: LatencyAcc): LatencySummary {
  return {
    count: acc.count,
    mean: div(acc.meanSum, acc.count),
    p50: div(acc.p50, acc.count),
    p90: div(acc.p90, acc.count),
    p95: div(acc.p95, acc.count),
    p99: div(acc.p99, acc.count),
    max: acc.max,
  };
}

function addCount(map: Record<string, number>, key: string, n: number): void {
  map[key] = (map[key] ?? 0) + n;
}

function getOrCreate<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  let value = map.get(key);
  if (value === undefined) map.set(key, (value = create()));
  return value;
}

// ---------------------------------------------------------------------------------------------------------------
// Sections

interface RouteAcc {
  method: string;
  route: string;
  matched: boolean;
  latency: LatencyAcc;
  statuses: Record<string, number>;
  aborts: number;
  /** duplicated finish lines of the route: left out of the count and statuses (the means still include them) */
  duplicates: number;
}

/** One group of duplicated request.finish lines: the extra lines to take out of every count. */
interface DuplicateGroup {
  method: string;
  route?: string;
  path: string;
  status?: number;
  extra: number;
}

function duplicateGroups(rows: InsightsRow[], r: RowReader): DuplicateGroup[] {
  const out: DuplicateGroup[] = [];
  for (const row of rows) {
    const extra = r.num0(row, 'duplicate_lines') - r.num0(row, 'duplicated_requests');
    if (extra <= 0) continue;
    out.push({ method: r.str(row, 'method') ?? '?', route: r.str(row, 'route'), path: r.str(row, 'path') ?? '/', status: r.num(row, 'status'), extra });
  }
  return out;
}

function subtract(map: Record<string, number>, key: string, n: number): void {
  if (map[key] === undefined) return;
  map[key] -= n;
  if (map[key] <= 0) delete map[key];
}

function buildRoutes(rows: SectionRows, r: RowReader, examples: number, dups: DuplicateGroup[]): RouteStats[] {
  const routes = new Map<string, RouteAcc>();
  const key = (method: string, route: string, matched: boolean) => `${matched ? 'm' : 'u'} ${method} ${route}`;
  const route = (method: string, path: string, matched: boolean) =>
    getOrCreate(routes, key(method, path, matched), () => ({
      method,
      route: path,
      matched,
      latency: newAcc(),
      statuses: {},
      aborts: 0,
      duplicates: 0,
    }));

  for (const row of rows.routes) {
    const method = r.str(row, 'method');
    const path = r.str(row, 'route');
    if (method && path) accumulate(route(method, path, true).latency, row, r, examples);
    else r.skipped();
  }
  for (const row of rows.routeStatuses) {
    const method = r.str(row, 'method');
    const path = r.str(row, 'route');
    const status = r.status(row, 'status');
    if (method && path && status) addCount(route(method, path, true).statuses, status, r.num0(row, 'requests'));
    else r.skipped();
  }
  for (const row of rows.unmatchedRoutes) {
    const method = r.str(row, 'method');
    const path = r.str(row, 'path');
    if (!method || !path) {
      r.skipped();
      continue;
    }
    const acc = route(method, collapsePath(path), false);
    accumulate(acc.latency, row, r, examples);
    const status = r.status(row, 'status');
    if (status) addCount(acc.statuses, status, r.num0(row, 'requests'));
  }
  for (const row of rows.aborts) {
    const method = r.str(row, 'method');
    const target = r.str(row, 'route_or_path');
    if (!method || !target) {
      r.skipped();
      continue;
    }
    const matched = routes.get(key(method, target, true));
    (matched ?? route(method, collapsePath(target), false)).aborts += r.num0(row, 'aborts');
  }
  for (const d of dups) {
    const acc = routes.get(d.route ? key(d.method, d.route, true) : key(d.method, collapsePath(d.path), false));
    if (!acc) continue;
    acc.duplicates += d.extra;
    if (d.status !== undefined) subtract(acc.statuses, String(d.status), d.extra);
  }
  return [...routes.values()]
    .map(
      (acc): RouteStats => ({
        method: acc.method,
        route: acc.route,
        matched: acc.matched,
        count: Math.max(0, acc.latency.count - acc.duplicates),
        statuses: acc.statuses,
        latency: latencyOf(acc.latency),
        dbMsMean: div(acc.latency.db, acc.latency.count),
        poolWaitMsMean: div(acc.latency.pool, acc.latency.count),
        dbQueriesMean: div(acc.latency.dbq, acc.latency.count),
        aborts: acc.aborts,
        exampleRequestIds: acc.latency.examples,
      }),
    )
    .sort((a, b) => b.count - a.count || b.aborts - a.aborts || a.route.localeCompare(b.route) || a.method.localeCompare(b.method));
}

function emptyBin(start: number): TimeBin & { durationSum: number; acc: LatencyAcc } {
  return {
    start,
    requests: 0,
    errors5xx: 0,
    errors4xx: 0,
    aborts: 0,
    latency: { mean: 0, p50: 0, p95: 0, p99: 0, max: 0 },
    concurrency: 0,
    dbMsSum: 0,
    poolWaitMsSum: 0,
    durationSum: 0,
    acc: newAcc(),
  };
}

function buildBins(input: AssembleInput, r: RowReader): TimeBin[] {
  const { binMs, binColumn, rows } = input;
  const bins = new Map<number, ReturnType<typeof emptyBin>>();
  // Contiguous bins over the run, aligned like Logs Insights' bin() (to multiples of the width since the epoch).
  const first = Math.floor(input.firstTime / binMs) * binMs;
  const last = Math.floor(input.lastTime / binMs) * binMs;
  for (let t = first; t <= last && bins.size < 100_000; t += binMs) bins.set(t, emptyBin(t));
  const binOf = (row: InsightsRow) => {
    const start = r.time(row, binColumn);
    return start === undefined ? undefined : getOrCreate(bins, start, () => emptyBin(start));
  };

  for (const row of rows.timeline) {
    const bin = binOf(row);
    if (!bin) {
      r.skipped();
      continue;
    }
    accumulate(bin.acc, row, r, 0);
    bin.durationSum += r.num0(row, 'duration_ms_sum');
    bin.dbMsSum += r.num0(row, 'db_ms_sum');
    bin.poolWaitMsSum += r.num0(row, 'pool_wait_ms_sum');
  }
  for (const row of rows.timelineErrors) {
    const bin = binOf(row);
    const status = r.num(row, 'status');
    if (!bin || status === undefined) {
      r.skipped();
      continue;
    }
    if (status >= 500) bin.errors5xx += r.num0(row, 'requests');
    else if (status >= 400) bin.errors4xx += r.num0(row, 'requests');
  }
  for (const row of rows.timelineAborts) {
    const bin = binOf(row);
    if (bin) bin.aborts += r.num0(row, 'aborts');
    else r.skipped();
  }
  const maxOf = (a: number | undefined, b: number | undefined) => (b === undefined ? a : a === undefined ? b : Math.max(a, b));
  for (const row of rows.timelineRuntime) {
    const bin = binOf(row);
    if (!bin) {
      r.skipped();
      continue;
    }
    bin.elDelayP99Ms = maxOf(bin.elDelayP99Ms, r.num(row, 'el_delay_p99_ms'));
    bin.elDelayMaxMs = maxOf(bin.elDelayMaxMs, r.num(row, 'el_delay_max_ms'));
    bin.elu = maxOf(bin.elu, r.num(row, 'elu'));
    bin.inFlightMax = maxOf(bin.inFlightMax, r.num(row, 'in_flight_max'));
    bin.poolWaitingMax = maxOf(bin.poolWaitingMax, r.num(row, 'pool_waiting_max'));
  }
  return [...bins.values()]
    .sort((a, b) => a.start - b.start)
    .map(({ durationSum, acc, ...bin }) => {
      const latency = latencyOf(acc);
      const out: TimeBin = {
        ...bin,
        requests: acc.count,
        latency: { mean: latency.mean, p50: latency.p50, p95: latency.p95, p99: latency.p99, max: latency.max },
        // Little's law: mean requests in flight = total time spent in requests / bin width
        concurrency: durationSum / binMs,
      };
      for (const k of ['elDelayP99Ms', 'elDelayMaxMs', 'elu', 'inFlightMax', 'poolWaitingMax'] as const) {
        if (out[k] === undefined) delete out[k];
      }
      return out;
    });
}

/** Grouped by method and collapsed path, like the local source; `path` is the busiest raw path of the group. */
function buildSuspicious(rows: InsightsRow[], r: RowReader, examples: number, dups: DuplicateGroup[]): SuspiciousPath[] {
  const paths = new Map<string, SuspiciousPath & { pathCount: number }>();
  for (const row of rows) {
    const method = r.str(row, 'method');
    const path = r.str(row, 'path');
    if (!method || !path) {
      r.skipped();
      continue;
    }
    const segment = suspiciousSegment(path);
    if (segment === undefined) continue; // the query's regex is a prefilter; the segment rules decide
    const template = collapsePath(path);
    const entry = getOrCreate(paths, `${method} ${template}`, () => ({
      method,
      path,
      segment,
      count: 0,
      statuses: {},
      exampleRequestIds: [],
      pathCount: 0,
      ...(template !== path ? { template } : {}),
    }));
    if (r.num0(row, 'requests') > entry.pathCount && entry.path !== path) {
      entry.path = path;
      entry.segment = segment;
    }
    entry.pathCount = Math.max(entry.pathCount, r.num0(row, 'requests'));
    const n = r.num0(row, 'requests');
    entry.count += n;
    const status = r.status(row, 'status');
    if (status) addCount(entry.statuses, status, n);
    addExamples(entry.exampleRequestIds, row, examples);
  }
  for (const d of dups) {
    const entry = paths.get(`${d.method} ${collapsePath(d.path)}`);
    if (!entry || suspiciousSegment(d.path) === undefined) continue;
    entry.count -= d.extra;
    if (d.status !== undefined) subtract(entry.statuses, String(d.status), d.extra);
  }
  return [...paths.values()]
    .filter((s) => s.count > 0)
    .map(({ pathCount: _pathCount, ...s }) => s)
    .sort((a, b) => b.count - a.count || a.path.localeCompare(b.path));
}

function buildClusters(rows: SectionRows, r: RowReader, examples: number, matchedRoutes: Set<string>, dups: DuplicateGroup[]): StatusCluster[] {
  const clusters = new Map<string, StatusCluster & { templates: Map<string, number> }>();
  // a matched template stays as is; a raw path is collapsed the way unmatched routes are
  const routeOf = (method: string, target: string) => (matchedRoutes.has(`${method} ${target}`) ? target : collapsePath(target));
  const cluster = (method: string, route: string, status: number) =>
    getOrCreate(clusters, `${method} ${route} ${status}`, () => ({
      method,
      route,
      status,
      count: 0,
      messages: [],
      exampleRequestIds: [],
      templates: new Map<string, number>(),
    }));
  for (const row of rows.statusClusters) {
    const method = r.str(row, 'method');
    const target = r.str(row, 'route_or_path');
    const status = r.num(row, 'status');
    if (!method || !target || status === undefined) {
      r.skipped();
      continue;
    }
    const c = cluster(method, routeOf(method, target), status);
    c.count += r.num0(row, 'requests');
    addExamples(c.exampleRequestIds, row, examples);
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
    const c = clusters.get(`${method} ${routeOf(method, target)} ${status}`);
    if (!c) continue; // an error line whose request never finished: counted under unfinished/aborts
    const template = messageTemplate(message);
    c.templates.set(template, (c.templates.get(template) ?? 0) + r.num0(row, 'errors'));
  }
  for (const d of dups) {
    if (d.status === undefined || d.status < 400) continue;
    const c = clusters.get(`${d.method} ${d.route ?? routeOf(d.method, d.path)} ${d.status}`);
    if (c) c.count -= d.extra;
  }
  return [...clusters.values()]
    .filter((c) => c.count > 0)
    .map(({ templates, ...c }) => ({ ...c, messages: topMessages(templates) }))
    .sort((a, b) => b.count - a.count || a.route.localeCompare(b.route));
}

/** The most frequent templates; the rest folded into one line (error text is attacker-influenced and unbounded). */
function topMessages(templates: Map<string, number>): StatusCluster['messages'] {
  const sorted = [...templates.entries()].map(([template, count]) => ({ template, count })).sort((a, b) => b.count - a.count);
  if (sorted.length <= MESSAGES_PER_CLUSTER) return sorted;
  const rest = sorted.slice(MESSAGES_PER_CLUSTER).reduce((n, m) => n + m.count, 0);
  return [...sorted.slice(0, MESSAGES_PER_CLUSTER), { template: OTHER_MESSAGES, count: rest }];
}

function buildUnfinished(rows: InsightsRow[], r: RowReader): NonNullable<RunAggregate['unfinishedByRoute']> {
  const routes = new Map<string, { method: string; route: string; count: number; exampleRequestIds: string[] }>();
  for (const row of rows) {
    const method = r.str(row, 'method') ?? '?';
    const route = collapsePath(r.str(row, 'path') ?? '/');
    getOrCreate(routes, `${method} ${route}`, () => ({ method, route, count: 0, exampleRequestIds: [] })).count += r.num0(row, 'unfinished');
  }
  return [...routes.values()].sort((a, b) => b.count - a.count);
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

export function assembleAggregate(input: AssembleInput): AssembleResult {
  const r = new RowReader();
  const { rows, examples } = input;

  const summary = rows.summary[0] ?? {};
  const finishLines = r.num0(summary, 'requests');
  // extra request.finish lines for requests already counted: the analysis counts each request once
  const dups = duplicateGroups(rows.duplicates, r);
  const duplicates = dups.reduce((n, d) => n + d.extra, 0);
  let duplicateDbQueries = 0;
  for (const row of rows.duplicates) duplicateDbQueries += r.num0(row, 'db_queries_sum') - r.num0(row, 'db_queries_once');

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
  for (const d of dups) {
    if (d.status !== undefined && d.status >= 500) errors5xx -= d.extra;
    else if (d.status !== undefined && d.status >= 400) errors4xx -= d.extra;
  }

  const events = eventCounts(rows.events, r);
  const services = [...new Set(rows.services.map((row) => r.str(row, 'service')).filter((s): s is string => s !== undefined))].sort();
  const processes = new Set(rows.services.map((row) => `${row.host ?? ''}/${row.pid ?? ''}/${row.worker ?? ''}`));
  const runtime = buildRuntime(rows.runtime, r);
  let droppedLines = 0;
  let droppedBySinks = 0;
  for (const row of rows.dropped) {
    droppedLines += r.num0(row, 'lines');
    droppedBySinks += r.num0(row, 'dropped');
  }

  const unfinishedByRoute = buildUnfinished(rows.unfinishedRoutes, r);
  const requests = Math.max(0, finishLines - duplicates);
  const routes = buildRoutes(rows, r, examples, dups);
  const matchedRoutes = new Set(routes.filter((x) => x.matched).map((x) => `${x.method} ${x.route}`));

  // What Logs Insights can tell: the run's lines (by schema version), runtime.stats and log.dropped lines of its
  // window. Lines that are not JSON carry no run id, so they cannot be attributed to a run (malformed stays 0).
  const contextLines = (runtime?.samples ?? 0) + droppedLines;
  const input_: InputAccounting = {
    totalLines: events.supported + events.foreign + contextLines,
    parsed: events.supported + contextLines,
    malformed: 0,
    oversized: 0,
    foreign: events.foreign,
    otherRuns: 0,
    duplicates,
    droppedBySinks,
  };

  const aggregate: RunAggregate = {
    runId: input.runId,
    source: input.source,
    firstTime: input.firstTime,
    lastTime: input.lastTime,
    binMs: input.binMs,
    services,
    workers: processes.size,
    totals: {
      requests,
      unfinished: unfinishedByRoute.reduce((n, u) => n + u.count, 0),
      aborts: events.byEvent.get(EVENTS.requestAbort) ?? 0,
      errors4xx,
      errors5xx,
      dbQueries: r.num0(summary, 'db_queries') - duplicateDbQueries,
      poolTimeouts: r.num0(rows.poolTimeouts[0] ?? {}, 'timeouts'),
      latency: {
        count: requests,
        mean: r.num0(summary, 'mean'),
        p50: r.num0(summary, 'p50'),
        p90: r.num0(summary, 'p90'),
        p95: r.num0(summary, 'p95'),
        p99: r.num0(summary, 'p99'),
        max: r.num0(summary, 'max'),
      },
      dbMsMean: r.num0(summary, 'db_ms_mean'),
      poolWaitMsMean: r.num0(summary, 'pool_wait_ms_mean'),
    },
    routes,
    bins: buildBins(input, r),
    suspiciousPaths: buildSuspicious(rows.suspiciousPaths, r, examples, dups),
    statusClusters: buildClusters(rows, r, examples, matchedRoutes, dups),
    input: input_,
    queries: input.queries,
  };
  if (runtime) aggregate.runtime = runtime;
  if (unfinishedByRoute.length > 0) aggregate.unfinishedByRoute = unfinishedByRoute;
  if (input.scanned) aggregate.scanned = input.scanned;
  if (rows.processes) aggregate.processes = processSummariesFromRows(rows.processes, input.runId);
  // cells toRows could not read (objects, arrays, …) count too, whether or not a section read their field
  const oddCells = oddCellCount(Object.values(rows).flat());
  return { aggregate, oddValues: r.oddValues + oddCells };
}
