/**
 * compareRuns: two analyses of the one pipeline (analyzer/pipeline.ts) -> one RunComparison. Pure: it reads the
 * aggregates, findings and capacity reports `analyze` made for each run and never looks at a log line itself, so
 * `compare` can never disagree with `analyze` about either run. The lab can call it with two RunAnalysis objects.
 */
import { compareClientToServer } from '../analyses/client-server-counts.js';
import { routeKey, type ClientView, type RouteStats, type RunAggregate } from '../model.js';
import type { RunAnalysis } from '../pipeline.js';
import { compareCapacity } from './capacity.js';
import { diffFindings, findingItems } from './findings.js';
import { evaluateGate, type GateLimit } from './gate.js';
import { compareScope, SIGNIFICANCE_ALPHA, worst, type CompareThresholds, type ScopeMeasure } from './scope.js';
import { DEFAULT_BOOTSTRAP } from './stats.js';
import { COMPARE_VERSION, type MethodStatement, type OverallComparison, type RouteComparison, type RouteRef, type RunComparison, type RunSide, type TimelinePoint } from './types.js';

export const DEFAULT_THRESHOLDS: CompareThresholds = {
  latencyRelative: 0.1,
  latencyMs: 2,
  ratePp: 0.1,
  throughputRelative: 0.1,
  minRequests: 20,
  minTailRequests: 25,
  alpha: SIGNIFICANCE_ALPHA,
  bootstrap: DEFAULT_BOOTSTRAP,
};

export interface CompareOptions {
  /** override parts of the noise floors and the bootstrap */
  thresholds?: Partial<CompareThresholds>;
  /** --fail-on limits (gate.ts) */
  gate?: GateLimit[];
  /** the report's generatedAt (tests pin it) */
  now?: Date;
}

const seconds = (a: RunAggregate) => Math.max((a.lastTime - a.firstTime) / 1000, 1);

function routeMeasure(a: RunAggregate, r: RouteStats): ScopeMeasure {
  const m: ScopeMeasure = {
    count: r.count,
    statuses: r.statuses,
    aborts: r.aborts,
    latency: r.latency,
    dbMsMean: r.dbMsMean,
    poolWaitMsMean: r.poolWaitMsMean,
    seconds: seconds(a),
  };
  const d = a.distributions?.routes[routeKey(r)];
  if (d) m.distribution = d;
  return m;
}

function totalMeasure(a: RunAggregate): ScopeMeasure {
  const statuses: Record<string, number> = {};
  for (const r of a.routes) for (const [s, n] of Object.entries(r.statuses)) statuses[s] = (statuses[s] ?? 0) + n;
  const m: ScopeMeasure = {
    count: a.totals.requests,
    statuses,
    aborts: a.totals.aborts,
    latency: a.totals.latency,
    dbMsMean: a.totals.dbMsMean,
    poolWaitMsMean: a.totals.poolWaitMsMean,
    seconds: seconds(a),
  };
  if (a.distributions) {
    m.distribution = a.distributions.total;
    m.blocks = a.distributions.bins;
  }
  return m;
}

function timeline(a: RunAggregate): TimelinePoint[] {
  const first = a.bins[0]?.start ?? a.firstTime;
  const perSecond = 1000 / a.binMs;
  return a.bins.map((b) => ({
    t: (b.start - first) / 1000,
    rps: b.requests * perSecond,
    p50: b.requests > 0 ? b.latency.p50 : null,
    p95: b.requests > 0 ? b.latency.p95 : null,
    p99: b.requests > 0 ? b.latency.p99 : null,
  }));
}

function side(x: RunAnalysis): RunSide {
  const a = x.aggregate;
  const s: RunSide = {
    runId: a.runId,
    source: a.source,
    firstTime: a.firstTime,
    lastTime: a.lastTime,
    durationS: Math.max((a.lastTime - a.firstTime) / 1000, 0),
    binMs: a.binMs,
    requests: a.totals.requests,
    queries: a.queries,
    timeline: timeline(a),
  };
  if (x.report.client) s.clientSummary = x.report.client.file;
  if (a.scanned) s.scanned = a.scanned;
  return s;
}

function methodStatement(t: CompareThresholds): MethodStatement {
  return {
    latency:
      `p50/p95/p99/mean: ${t.bootstrap.iterations} bootstrap resamples give a ${t.bootstrap.confidence * 100} % interval of ` +
      `run − base — the whole run resamples its time bins (block bootstrap: a run's ups and downs count as noise), a route ` +
      `resamples its requests and widens the interval by the whole run's block/request factor; a change counts when the interval excludes 0 AND it exceeds ` +
      `max(${t.latencyRelative * 100} % of the base, ${t.latencyMs} ms). Without histograms (CloudWatch) the floor alone decides. ` +
      `Fewer than ${t.minRequests} requests on a side: no latency verdict; a percentile with fewer than ${t.minTailRequests} requests beyond it on a side (p99 under ${t.minTailRequests * 100} requests): no verdict for it.`,
    rates: `error rate, 5xx rate, aborts: two-proportion z-test, a change counts when p < ${t.alpha} AND it exceeds ${t.ratePp} percentage points.`,
    throughput: `requests per second: Poisson rate test, a change counts when p < ${t.alpha} AND it exceeds ${t.throughputRelative * 100} %.`,
    bootstrap: { ...t.bootstrap },
    floors: { latencyRelative: t.latencyRelative, latencyMs: t.latencyMs, ratePp: t.ratePp, throughputRelative: t.throughputRelative, minRequests: t.minRequests, minTailRequests: t.minTailRequests },
  };
}

function clientMissing(a: RunAggregate, client: ClientView | undefined): number | undefined {
  return client ? compareClientToServer(a, client).missing : undefined;
}

const label = (r: { method: string; route: string }) => `${r.method} ${r.route}`;

export function compareRuns(base: RunAnalysis, run: RunAnalysis, options: CompareOptions = {}): RunComparison {
  const t: CompareThresholds = { ...DEFAULT_THRESHOLDS, ...options.thresholds };
  const a = base.aggregate;
  const b = run.aggregate;

  const overall: OverallComparison = {
    ...compareScope(totalMeasure(a), totalMeasure(b), t),
    unfinished: { base: a.totals.unfinished, run: b.totals.unfinished },
  };
  const missingBase = clientMissing(a, base.report.client);
  const missingRun = clientMissing(b, run.report.client);
  if (missingBase !== undefined || missingRun !== undefined) {
    overall.clientNoServerLine = {};
    if (missingBase !== undefined) overall.clientNoServerLine.base = missingBase;
    if (missingRun !== undefined) overall.clientNoServerLine.run = missingRun;
  }

  const baseRoutes = new Map(a.routes.filter((r) => r.count > 0).map((r) => [routeKey(r), r]));
  const runRoutes = new Map(b.routes.filter((r) => r.count > 0).map((r) => [routeKey(r), r]));
  const routes: RouteComparison[] = [];
  const onlyInRun: RouteRef[] = [];
  for (const [key, r] of runRoutes) {
    const br = baseRoutes.get(key);
    if (!br) {
      onlyInRun.push({ method: r.method, route: r.route, requests: r.count });
      continue;
    }
    routes.push({ method: r.method, route: r.route, matched: r.matched, ...compareScope(routeMeasure(a, br), routeMeasure(b, r), t, overall.latency.widening) });
  }
  const onlyInBase: RouteRef[] = [...baseRoutes].filter(([k]) => !runRoutes.has(k)).map(([, r]) => ({ method: r.method, route: r.route, requests: r.count }));

  const findings = diffFindings(findingItems(base.findings, a), findingItems(run.findings, b));
  const verdict = worst([overall.verdict, ...routes.map((r) => r.verdict)]);

  const summary: string[] = [`overall: ${overall.headline}`];
  for (const r of routes.filter((x) => x.verdict !== 'no significant change')) summary.push(`${label(r)}: ${r.headline}`);
  if (onlyInBase.length) summary.push(`routes only in the base run: ${onlyInBase.map(label).join(', ')}`);
  if (onlyInRun.length) summary.push(`routes only in this run: ${onlyInRun.map(label).join(', ')}`);
  if (findings.vanished.length) summary.push(`findings gone: ${findings.vanished.map((f) => `${f.id} ${f.key}`.trim()).join('; ')}`);
  if (findings.appeared.length) summary.push(`new findings: ${findings.appeared.map((f) => `${f.id} ${f.key}`.trim()).join('; ')}`);

  const cmp: RunComparison = {
    compareVersion: COMPARE_VERSION,
    generatedAt: (options.now ?? new Date()).toISOString(),
    method: methodStatement(t),
    base: side(base),
    run: side(run),
    verdict,
    summary,
    overall,
    routes,
    onlyInBase,
    onlyInRun,
    findings,
  };
  if (base.capacity && run.capacity) cmp.capacity = compareCapacity(base.capacity, run.capacity);
  if (options.gate?.length) cmp.gate = evaluateGate(options.gate, cmp);
  return cmp;
}
