/**
 * The finishing layer: RawCounts (from any source) -> RunAggregate. Pure. Every presentation decision the two sources
 * used to make each in their own way lives here once:
 *
 *  - message templates: every message goes through messageTemplate(); a cluster shows its TOP_MESSAGES templates by
 *    error lines, ties broken by template text (ascending), the rest folded into one "(other messages)" line;
 *  - order: routes by requests, then aborts, then route, method (matched first); suspicious paths by requests, then
 *    path; clusters by requests, then route, method, status; unfinished routes by count, then route, method;
 *  - bins: the width rule of bins.ts (chooseBinMs), contiguous from the first to the last line, aligned on the epoch;
 *  - latency merges: histograms add (exact); Logs Insights percentiles merge count-weighted (an approximation, see
 *    docs/cloudwatch.md); means are sums / counts; maxima take the max;
 *  - example ids: the first `examples` distinct candidates, in the order the source gave them.
 */
import type { Histogram } from 'hdr-histogram-js';
import type {
  LatencySummary,
  RouteStats,
  RunAggregate,
  StatusCluster,
  SuspiciousPath,
  TimeBin,
} from '../model.js';
import { chooseBinMs } from './bins.js';
import { createHistogram, summarize } from './histogram.js';
import { messageTemplate } from './message-template.js';
import { collapsePath, suspiciousSegment } from './paths.js';
import type { LatencyPiece, RawBin, RawBinRuntime, RawCounts, RawLatency } from './raw-counts.js';

/** Templates shown per status cluster (error text is attacker-influenced and unbounded: the rest is folded). */
export const TOP_MESSAGES = 10;
export const OTHER_MESSAGES = '(other messages)';
/** Example request ids kept per route, path and cluster when the caller does not say. */
export const DEFAULT_EXAMPLES = 3;

export interface FinishOptions {
  examples?: number;
}

const div = (sum: number, n: number) => (n > 0 ? sum / n : 0);

function getOrCreate<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  let value = map.get(key);
  if (value === undefined) map.set(key, (value = create()));
  return value;
}

function addStatuses(into: Record<string, number>, from: Record<string, number>): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

/** Status counts in numeric order, without the ones a correction took to zero. */
function cleanStatuses(statuses: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(statuses).sort((a, b) => Number(a[0]) - Number(b[0]))) if (v > 0) out[k] = v;
  return out;
}

function addExamples(into: string[], from: readonly string[], limit: number): void {
  for (const id of from) {
    if (into.length >= limit) return;
    if (id && !into.includes(id)) into.push(id);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Latency

/** Merges latency groups without touching the source's histograms. */
class LatencyMerge {
  count = 0;
  durationSum = 0;
  max = 0;
  private hists: Histogram[] = [];
  private pieces: LatencyPiece[] = [];

  add(l: RawLatency): void {
    this.count += l.count;
    this.durationSum += l.durationSum;
    this.max = Math.max(this.max, l.max);
    if (l.hist) this.hists.push(l.hist);
    if (l.pieces) this.pieces.push(...l.pieces);
  }

  summary(): LatencySummary {
    const count = Math.max(0, this.count);
    const mean = Math.round(div(this.durationSum, count) * 1000) / 1000;
    if (this.hists.length > 0 && this.pieces.length === 0) {
      let h = this.hists[0]!;
      let owned: Histogram | undefined;
      if (this.hists.length > 1) {
        owned = createHistogram();
        for (const x of this.hists) owned.add(x);
        h = owned;
      }
      const s = summarize(h, div(this.durationSum, count));
      owned?.destroy();
      return { ...s, count, mean };
    }
    // count-weighted means of the pieces' percentiles (histograms, if a source mixed both, count as one piece each)
    const pieces = [...this.pieces];
    for (const h of this.hists) {
      const s = summarize(h);
      pieces.push({ count: s.count, p50: s.p50, p90: s.p90, p95: s.p95, p99: s.p99 });
    }
    const weight = pieces.reduce((n, p) => n + p.count, 0);
    const at = (k: 'p50' | 'p90' | 'p95' | 'p99') => div(pieces.reduce((n, p) => n + p.count * p[k], 0), weight);
    return { count, mean, p50: at('p50'), p90: at('p90'), p95: at('p95'), p99: at('p99'), max: this.max };
  }
}

function latencyOf(l: RawLatency): LatencySummary {
  const m = new LatencyMerge();
  m.add(l);
  return m.summary();
}

// ---------------------------------------------------------------------------------------------------------------
// Sections

function finishRoutes(raw: RawCounts, examples: number): RouteStats[] {
  const routes = new Map<string, { out: Omit<RouteStats, 'latency' | 'count' | 'dbMsMean' | 'poolWaitMsMean' | 'dbQueriesMean'>; latency: LatencyMerge; db: number; pool: number; dbq: number }>();
  for (const r of raw.routes) {
    const route = r.matched ? r.route : collapsePath(r.route);
    const acc = getOrCreate(routes, `${r.matched ? 'm' : 'u'} ${r.method} ${route}`, () => ({
      out: { method: r.method, route, matched: r.matched, statuses: {}, aborts: 0, exampleRequestIds: [] },
      latency: new LatencyMerge(),
      db: 0,
      pool: 0,
      dbq: 0,
    }));
    acc.latency.add(r.latency);
    addStatuses(acc.out.statuses, r.statuses);
    acc.out.aborts += r.aborts;
    acc.db += r.dbMsSum;
    acc.pool += r.poolWaitMsSum;
    acc.dbq += r.dbQueriesSum;
    addExamples(acc.out.exampleRequestIds, r.examples, examples);
  }
  return [...routes.values()]
    .map(({ out, latency, db, pool, dbq }): RouteStats => {
      const count = Math.max(0, latency.count);
      return {
        method: out.method,
        route: out.route,
        matched: out.matched,
        count,
        statuses: cleanStatuses(out.statuses),
        latency: latency.summary(),
        dbMsMean: div(db, count),
        poolWaitMsMean: div(pool, count),
        dbQueriesMean: div(dbq, count),
        aborts: Math.max(0, out.aborts),
        exampleRequestIds: out.exampleRequestIds,
      };
    })
    .sort(
      (a, b) =>
        b.count - a.count ||
        b.aborts - a.aborts ||
        a.route.localeCompare(b.route) ||
        a.method.localeCompare(b.method) ||
        Number(b.matched) - Number(a.matched),
    );
}

/** The bin width: the caller's, else the rule; never finer than what the source counted (bins cannot be split). */
export function finishBinMs(raw: RawCounts): number {
  const wanted = raw.requestedBinMs ?? (raw.hasLines ? chooseBinMs(raw.firstTime, raw.lastTime) : raw.binMs);
  return wanted >= raw.binMs && wanted % raw.binMs === 0 ? wanted : raw.binMs;
}

interface BinAcc {
  bin: Omit<RawBin, 'latency' | 'runtime'>;
  latency: LatencyMerge;
  runtime: RawBinRuntime;
}

const maxOf = (a: number | undefined, b: number | undefined) => (b === undefined ? a : a === undefined ? b : Math.max(a, b));

function finishBins(raw: RawCounts, binMs: number): TimeBin[] {
  if (!raw.hasLines) return [];
  const bins = new Map<number, BinAcc>();
  const create = (start: number) => (): BinAcc => ({
    bin: { start, requests: 0, errors5xx: 0, errors4xx: 0, aborts: 0, unfinished: 0, durationSum: 0, dbMsSum: 0, poolWaitMsSum: 0 },
    latency: new LatencyMerge(),
    runtime: {},
  });
  const first = Math.floor(raw.firstTime / binMs) * binMs;
  const last = Math.floor(raw.lastTime / binMs) * binMs;
  for (let t = first; t <= last; t += binMs) bins.set(t, create(t)());
  for (const b of raw.bins) {
    const start = Math.floor(b.start / binMs) * binMs;
    const acc = getOrCreate(bins, start, create(start));
    const x = acc.bin;
    x.requests += b.requests;
    x.errors5xx += b.errors5xx;
    x.errors4xx += b.errors4xx;
    x.aborts += b.aborts;
    x.unfinished! += b.unfinished ?? 0;
    x.durationSum += b.durationSum;
    x.dbMsSum += b.dbMsSum;
    x.poolWaitMsSum += b.poolWaitMsSum;
    acc.latency.add(b.latency);
    if (b.runtime) {
      for (const k of ['elDelayP99Ms', 'elDelayMaxMs', 'elu', 'inFlightMax', 'poolWaitingMax'] as const) {
        acc.runtime[k] = maxOf(acc.runtime[k], b.runtime[k]);
      }
    }
  }
  return [...bins.values()]
    .sort((a, b) => a.bin.start - b.bin.start)
    .map(({ bin, latency, runtime }) => {
      const l = latency.summary();
      const out: TimeBin = {
        start: bin.start,
        requests: Math.max(0, bin.requests),
        errors5xx: Math.max(0, bin.errors5xx),
        errors4xx: Math.max(0, bin.errors4xx),
        aborts: Math.max(0, bin.aborts),
        latency: { mean: l.mean, p50: l.p50, p95: l.p95, p99: l.p99, max: l.max },
        // Little's law: mean requests in flight = time spent in requests finishing in the bin / bin width
        concurrency: Math.max(0, bin.durationSum) / binMs,
        dbMsSum: bin.dbMsSum,
        poolWaitMsSum: bin.poolWaitMsSum,
      };
      if ((bin.unfinished ?? 0) > 0) out.unfinished = bin.unfinished;
      for (const k of ['elDelayP99Ms', 'elDelayMaxMs', 'elu', 'inFlightMax', 'poolWaitingMax'] as const) {
        if (runtime[k] !== undefined) out[k] = runtime[k];
      }
      return out;
    });
}

/** Grouped by method and collapsed path; `path` is the group's busiest raw path (ties: the smaller path). */
function finishSuspicious(raw: RawCounts, examples: number): SuspiciousPath[] {
  const perPath = new Map<string, { method: string; path: string; count: number; statuses: Record<string, number>; examples: string[] }>();
  for (const s of raw.suspicious) {
    const acc = getOrCreate(perPath, `${s.method} ${s.path}`, () => ({ method: s.method, path: s.path, count: 0, statuses: {}, examples: [] }));
    acc.count += s.count;
    addStatuses(acc.statuses, s.statuses);
    addExamples(acc.examples, s.examples, examples);
  }
  const groups = new Map<string, { method: string; template: string; paths: typeof perPath extends Map<string, infer V> ? V[] : never }>();
  for (const p of perPath.values()) {
    if (p.count <= 0 || suspiciousSegment(p.path) === undefined) continue;
    const template = collapsePath(p.path);
    getOrCreate(groups, `${p.method} ${template}`, () => ({ method: p.method, template, paths: [] })).paths.push(p);
  }
  return [...groups.values()]
    .map(({ method, template, paths }): SuspiciousPath => {
      paths.sort((a, b) => b.count - a.count || a.path.localeCompare(b.path));
      const top = paths[0]!;
      const statuses: Record<string, number> = {};
      const ids: string[] = [];
      let count = 0;
      for (const p of paths) {
        count += p.count;
        addStatuses(statuses, p.statuses);
        addExamples(ids, p.examples, examples);
      }
      const out: SuspiciousPath = { method, path: top.path, segment: suspiciousSegment(top.path)!, count, statuses: cleanStatuses(statuses), exampleRequestIds: ids };
      if (template !== top.path) out.template = template;
      return out;
    })
    .sort((a, b) => b.count - a.count || a.path.localeCompare(b.path));
}

/** The TOP_MESSAGES templates by count (ties: template text ascending); the rest in one "(other messages)" line. */
export function topMessages(messages: Map<string, number>, untracked = 0): StatusCluster['messages'] {
  const templates = new Map<string, number>();
  for (const [message, n] of messages) {
    const t = messageTemplate(message);
    templates.set(t, (templates.get(t) ?? 0) + n);
  }
  const sorted = [...templates.entries()]
    .filter(([, count]) => count > 0)
    .map(([template, count]) => ({ template, count }))
    .sort((a, b) => b.count - a.count || (a.template < b.template ? -1 : a.template > b.template ? 1 : 0));
  const rest = sorted.slice(TOP_MESSAGES).reduce((n, m) => n + m.count, 0) + Math.max(0, untracked);
  const top = sorted.slice(0, TOP_MESSAGES);
  return rest > 0 ? [...top, { template: OTHER_MESSAGES, count: rest }] : top;
}

function finishClusters(raw: RawCounts, examples: number): StatusCluster[] {
  const clusters = new Map<string, { method: string; route: string; status: number; count: number; examples: string[]; messages: Map<string, number>; untracked: number }>();
  for (const c of raw.clusters) {
    const acc = getOrCreate(clusters, `${c.method} ${c.route} ${c.status}`, () => ({
      method: c.method,
      route: c.route,
      status: c.status,
      count: 0,
      examples: [],
      messages: new Map<string, number>(),
      untracked: 0,
    }));
    acc.count += c.count;
    addExamples(acc.examples, c.examples, examples);
    for (const [m, n] of c.messages) acc.messages.set(m, (acc.messages.get(m) ?? 0) + n);
    acc.untracked += c.untrackedMessages ?? 0;
  }
  return [...clusters.values()]
    .filter((c) => c.count > 0)
    .map((c): StatusCluster => ({
      method: c.method,
      route: c.route,
      status: c.status,
      count: c.count,
      messages: topMessages(c.messages, c.untracked),
      exampleRequestIds: c.examples,
    }))
    .sort((a, b) => b.count - a.count || a.route.localeCompare(b.route) || a.method.localeCompare(b.method) || a.status - b.status);
}

function finishUnfinished(raw: RawCounts, examples: number): NonNullable<RunAggregate['unfinishedByRoute']> {
  const routes = new Map<string, { method: string; route: string; count: number; exampleRequestIds: string[] }>();
  for (const u of raw.unfinished) {
    const route = collapsePath(u.path);
    const acc = getOrCreate(routes, `${u.method} ${route}`, () => ({ method: u.method, route, count: 0, exampleRequestIds: [] }));
    acc.count += u.count;
    addExamples(acc.exampleRequestIds, u.examples, examples);
  }
  return [...routes.values()]
    .filter((u) => u.count > 0)
    .sort((a, b) => b.count - a.count || a.route.localeCompare(b.route) || a.method.localeCompare(b.method));
}

// ---------------------------------------------------------------------------------------------------------------

export function finishAggregate(raw: RawCounts, options: FinishOptions = {}): RunAggregate {
  const examples = options.examples ?? DEFAULT_EXAMPLES;
  const binMs = finishBinMs(raw);
  const t = raw.totals;
  const requests = Math.max(0, t.latency.count);
  const unfinishedByRoute = finishUnfinished(raw, examples);
  const workers = new Set(raw.processes.map((p) => `${p.host}/${p.pid}/${p.worker}`)).size;
  const aggregate: RunAggregate = {
    runId: raw.runId,
    source: raw.source,
    firstTime: raw.hasLines ? raw.firstTime : 0,
    lastTime: raw.hasLines ? raw.lastTime : 0,
    binMs,
    services: [...new Set(raw.services)].sort(),
    workers,
    totals: {
      requests,
      unfinished: unfinishedByRoute.reduce((n, u) => n + u.count, 0),
      aborts: Math.max(0, t.aborts),
      errors4xx: Math.max(0, t.errors4xx),
      errors5xx: Math.max(0, t.errors5xx),
      dbQueries: Math.max(0, t.dbQueries),
      poolTimeouts: t.poolTimeouts,
      latency: latencyOf(t.latency),
      dbMsMean: div(t.dbMsSum, requests),
      poolWaitMsMean: div(t.poolWaitMsSum, requests),
    },
    routes: finishRoutes(raw, examples),
    bins: finishBins(raw, binMs),
    suspiciousPaths: finishSuspicious(raw, examples),
    statusClusters: finishClusters(raw, examples),
    input: raw.input,
    queries: raw.evidence,
  };
  if (raw.runtime) aggregate.runtime = raw.runtime;
  if (unfinishedByRoute.length > 0) aggregate.unfinishedByRoute = unfinishedByRoute;
  if (raw.overflow && (raw.overflow.routes || raw.overflow.suspiciousPaths || raw.overflow.openRequests)) aggregate.overflow = { ...raw.overflow };
  if (raw.scanned) aggregate.scanned = raw.scanned;
  if (raw.lifecycles) aggregate.processes = raw.lifecycles;
  if (raw.frontDoor) aggregate.frontDoor = raw.frontDoor;
  return aggregate;
}
