/**
 * `logjam compare --fail-on`: limits on the CHANGE from the base run, for a CI gate. Syntax (docs/compare.md):
 *
 *   <metric><op><signed value><unit>                     whole run:  p95<+10%   mean<+5ms   error_rate<+0.5pp   rps>-10%
 *   [route:][<METHOD> ]<route>:<metric><op><value><unit>  one route:  GET /api/v1/todos:p95<+10%
 *
 * metrics: p50 p95 p99 mean (units: % = relative change, ms or s = absolute change), error_rate, server_error_rate,
 * abort_rate (pp = percentage points, % = relative change of the rate), rps (% only). ops: < <= > >=.
 * A limit is breached when the measured change does not hold AND the change is statistically significant (the
 * bootstrap interval excludes 0, or the rate test's p < 0.05): the limit replaces the default practical floor, noise
 * never fails a build. A route limit whose route is missing from either run is breached (a typo must not pass).
 * Parsing errors are UsageErrors (exit 2), like analyze's thresholds, whose route prefix this shares.
 */
import { UsageError } from '../../common/errors.js';
import { splitRouteScope } from '../thresholds.js';
import { signedPct } from './scope.js';
import type { Change, GateResult, RateChange, RunComparison, ScopeComparison } from './types.js';

type LatencyMetric = 'p50' | 'p95' | 'p99' | 'mean';
type RateMetric = 'error_rate' | 'server_error_rate' | 'abort_rate';
export type GateMetric = LatencyMetric | RateMetric | 'rps';
type Op = '<' | '<=' | '>' | '>=';
type Unit = '%' | 'ms' | 'pp';

export interface GateLimit {
  text: string;
  metric: GateMetric;
  op: Op;
  /** in `unit`: percent of the base, ms, or percentage points */
  value: number;
  unit: Unit;
  route?: { method?: string; route: string };
}

const LATENCY = new Set<GateMetric>(['p50', 'p95', 'p99', 'mean']);
const RATES = new Set<GateMetric>(['error_rate', 'server_error_rate', 'abort_rate']);
const METRICS: GateMetric[] = [...LATENCY, ...RATES, 'rps'];
const EXPR = /^\s*([a-z_0-9]+)\s*(<=|>=|<|>)\s*([+\-−]?)\s*(\d+(?:\.\d+)?)\s*(%|ms|s|pp)?\s*$/i;
const HINT = `examples: --fail-on "p95<+10%"  --fail-on "error_rate<+0.5pp"  --fail-on "GET /api/v1/todos:p95<+10%"  --fail-on "rps>-10%" (metrics: ${METRICS.join(', ')})`;

function bad(text: string, why: string): UsageError {
  return new UsageError(`--fail-on "${text}": ${why}`, HINT);
}

export function parseGateLimit(text: string): GateLimit {
  const scoped = splitRouteScope(text);
  if (!scoped) throw bad(text, 'a route limit is [route:][METHOD ]/path:<metric><op><change>');
  const m = EXPR.exec(scoped.expr);
  if (!m) throw bad(text, 'expected <metric><op><signed change><unit>, e.g. p95<+10% or error_rate<+0.5pp');
  const metric = m[1]!.toLowerCase() as GateMetric;
  if (!METRICS.includes(metric)) throw bad(text, `unknown metric "${m[1]}"`);
  const sign = m[3] === '-' || m[3] === '−' ? -1 : 1;
  let value = sign * Number(m[4]);
  let unit = m[5]?.toLowerCase();
  if (unit === undefined) throw bad(text, `say the unit of the change: % (relative)${LATENCY.has(metric) ? ', ms' : RATES.has(metric) ? ', pp' : ''}`);
  if (LATENCY.has(metric)) {
    if (unit === 'pp') throw bad(text, `${metric} is a duration: use % or ms`);
    if (unit === 's') {
      value *= 1000;
      unit = 'ms';
    }
  } else if (RATES.has(metric)) {
    if (unit === 'ms' || unit === 's') throw bad(text, `${metric} is a rate: use pp (percentage points) or % (relative)`);
  } else if (unit !== '%') throw bad(text, 'rps takes a relative change in %');
  const limit: GateLimit = { text, metric, op: m[2] as Op, value, unit: unit as Unit };
  if (scoped.route) limit.route = scoped.route;
  return limit;
}

/** Parses every --fail-on value (repeatable); the first bad one is a UsageError. */
export function parseGateLimits(texts: readonly string[] | undefined): GateLimit[] {
  return (texts ?? []).map(parseGateLimit);
}

function holds(actual: number, op: Op, limit: number): boolean {
  return op === '<' ? actual < limit : op === '<=' ? actual <= limit : op === '>' ? actual > limit : actual >= limit;
}

function changeOf(scope: ScopeComparison, metric: GateMetric): Change | RateChange {
  switch (metric) {
    case 'error_rate':
      return scope.errorRate;
    case 'server_error_rate':
      return scope.serverErrorRate;
    case 'abort_rate':
      return scope.abortRate;
    case 'rps':
      return scope.throughput;
    default:
      return scope.latency[metric];
  }
}

function fmt(v: number, metric: GateMetric): string {
  if (LATENCY.has(metric)) return `${v.toFixed(1)} ms`;
  if (RATES.has(metric)) return `${(v * 100).toFixed(2)} %`;
  return `${v.toFixed(1)}/s`;
}

function evaluateScope(limit: GateLimit, scope: ScopeComparison, name: string): GateResult {
  const c = changeOf(scope, limit.metric);
  let measured: number;
  let shown: string;
  if (limit.unit === 'pp') {
    measured = (c as RateChange).deltaPp;
    shown = `${measured >= 0 ? '+' : ''}${measured.toFixed(2)} pp`;
  } else if (limit.unit === 'ms') {
    measured = c.delta;
    shown = `${measured >= 0 ? '+' : ''}${measured.toFixed(1)} ms`;
  } else {
    // from nothing to something is an unbounded relative change
    measured = c.relative !== undefined ? c.relative * 100 : c.delta === 0 ? 0 : Math.sign(c.delta) * Number.MAX_VALUE;
    shown = c.relative !== undefined ? signedPct(c.relative) : c.delta === 0 ? '+0 %' : 'from 0';
  }
  const text = `${limit.metric} ${shown} (${fmt(c.base, limit.metric)} → ${fmt(c.run, limit.metric)})`;
  const within = holds(measured, limit.op, limit.value);
  const result: GateResult = { threshold: limit.text, scope: name, ok: within || !c.significant, measured: text };
  if (!within && !c.significant) result.reason = 'beyond the limit but within noise (not significant)';
  return result;
}

export function evaluateGate(limits: GateLimit[], cmp: Pick<RunComparison, 'overall' | 'routes' | 'onlyInBase' | 'onlyInRun'>): GateResult[] {
  const out: GateResult[] = [];
  for (const limit of limits) {
    if (!limit.route) {
      out.push(evaluateScope(limit, cmp.overall, 'overall'));
      continue;
    }
    const { method, route } = limit.route;
    const match = (r: { method: string; route: string }) => r.route === route && (method === undefined || r.method === method);
    const routes = cmp.routes.filter(match);
    const name = `${method ? `${method} ` : ''}${route}`;
    if (routes.length === 0) {
      const where = cmp.onlyInBase.some(match) ? 'only in the base run' : cmp.onlyInRun.some(match) ? 'only in the run' : 'in neither run';
      out.push({ threshold: limit.text, scope: name, ok: false, measured: 'no comparison', reason: `the route is ${where}` });
      continue;
    }
    for (const r of routes) out.push(evaluateScope(limit, r, `${r.method} ${r.route}`));
  }
  return out;
}

export function describeGateResult(r: GateResult): string {
  return `${r.threshold} [${r.scope}]: ${r.measured}${r.reason ? ` — ${r.reason}` : ''}`;
}
