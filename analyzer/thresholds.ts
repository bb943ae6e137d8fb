/**
 * --fail-on thresholds: parsing (bad syntax = UsageError, exit 2) and evaluation against a RunAggregate
 * (a breach = exit 1 after the report). Syntax, documented in docs/analyzer.md:
 *
 *   <metric><op><value>[unit]                       whole run:  p95<500ms   p99<1s   error_rate<1%   rps>=50
 *   route:[<METHOD> ]<route>:<metric><op><value>    one route:  route:POST /api/v1/todos:p95<300ms
 *
 * metrics: p50 p90 p95 p99 max mean (latency; ms or s, bare numbers are ms), error_rate (status >= 400) and
 * server_error_rate (>= 500) (percent with %, else a fraction), rps (finished requests per second), requests,
 * aborts, unfinished (counts). ops: < <= > >=. The threshold states what must hold (k6 style): p95<500ms passes
 * when p95 is under 500 ms. A route threshold whose route has no requests fails (a typo must not pass a gate).
 */
import { holds } from '../common/comparison.js';
import type { ComparisonOp } from '../common/comparison.js';
import { UsageError } from '../common/errors.js';
import type { RouteStats, RunAggregate } from './model.js';

export type Metric =
  | 'p50'
  | 'p90'
  | 'p95'
  | 'p99'
  | 'max'
  | 'mean'
  | 'error_rate'
  | 'server_error_rate'
  | 'rps'
  | 'requests'
  | 'aborts'
  | 'unfinished';
/** --fail-on takes the ordering operators only (an equality on a latency is never what a gate means). */
export type Op = Extract<ComparisonOp, '<' | '<=' | '>' | '>='>;

export interface Threshold {
  text: string;
  metric: Metric;
  op: Op;
  /** in the metric's unit: ms for latency, a fraction for rates, per second for rps */
  limit: number;
  route?: { method?: string; route: string };
}

export interface ThresholdResult {
  threshold: string;
  metric: Metric;
  /** undefined when there was nothing to measure (a route with no requests) */
  actual?: number;
  limit: number;
  ok: boolean;
  reason?: string;
}

const LATENCY = new Set<Metric>(['p50', 'p90', 'p95', 'p99', 'max', 'mean']);
const RATES = new Set<Metric>(['error_rate', 'server_error_rate']);
const COUNTS = new Set<Metric>(['requests', 'aborts', 'unfinished']);
const METRICS: Metric[] = [...LATENCY, ...RATES, 'rps', ...COUNTS];

const EXPR = /^\s*([a-z_0-9]+)\s*(<=|>=|<|>)\s*(\d+(?:\.\d+)?)\s*(ms|s|%)?\s*$/i;
const ROUTE = /^route:\s*(?:([A-Za-z]+)\s+)?(\/\S*|\(other\))\s*:\s*([^:]+)$/;

const SYNTAX_HINT =
  'examples: --fail-on "p95<500ms"  --fail-on "error_rate<1%"  --fail-on "route:POST /api/v1/todos:p95<300ms" ' +
  `(metrics: ${METRICS.join(', ')})`;

function bad(text: string, why: string): UsageError {
  return new UsageError(`--fail-on "${text}": ${why}`, SYNTAX_HINT);
}

export function parseThreshold(text: string): Threshold {
  let expr = text;
  let route: Threshold['route'];
  if (/^route:/i.test(text.trim())) {
    const m = ROUTE.exec(text.trim());
    if (!m) throw bad(text, 'a route threshold is route:[METHOD ]/path:<metric><op><value>');
    route = { route: m[2]! };
    if (m[1]) route.method = m[1].toUpperCase();
    expr = m[3]!;
  }
  const m = EXPR.exec(expr);
  if (!m) throw bad(text, 'expected <metric><op><value>[unit], e.g. p95<500ms');
  const metric = m[1]!.toLowerCase() as Metric;
  if (!METRICS.includes(metric)) throw bad(text, `unknown metric "${m[1]}"`);
  const op = m[2] as Op;
  let limit = Number(m[3]);
  const unit = m[4]?.toLowerCase();
  if (LATENCY.has(metric)) {
    if (unit === '%') throw bad(text, `${metric} is a duration: use ms or s`);
    if (unit === 's') limit *= 1000;
  } else if (RATES.has(metric)) {
    if (unit === 'ms' || unit === 's') throw bad(text, `${metric} is a rate: use % (e.g. 1%) or a fraction (0.01)`);
    if (unit === '%') {
      // a rate cannot exceed 100 %: "error_rate<200%" always passes, so it is a typo, not a gate
      if (limit > 100) throw bad(text, `${metric} ${m[3]}% is over 100%: a rate is between 0% and 100%`);
      limit /= 100;
    } else if (limit > 1) throw bad(text, `${metric} ${limit} is over 1: did you mean ${limit}%?`);
  } else if (unit !== undefined) {
    throw bad(text, `${metric} takes no unit`);
  }
  const t: Threshold = { text, metric, op, limit };
  if (route) t.route = route;
  return t;
}

/** Parses every --fail-on value (repeatable flag); the first bad one is a UsageError. */
export function parseThresholds(texts: readonly string[] | undefined): Threshold[] {
  return (texts ?? []).map(parseThreshold);
}

interface Measured {
  count: number;
  latency: RouteStats['latency'];
  errors: number;
  serverErrors: number;
  aborts: number;
  unfinished: number;
}

function measure(m: Measured, metric: Metric, seconds: number): number {
  switch (metric) {
    case 'error_rate':
      return m.count ? m.errors / m.count : 0;
    case 'server_error_rate':
      return m.count ? m.serverErrors / m.count : 0;
    case 'rps':
      return m.count / seconds;
    case 'requests':
      return m.count;
    case 'aborts':
      return m.aborts;
    case 'unfinished':
      return m.unfinished;
    default:
      return m.latency[metric];
  }
}

function routeMeasured(routes: RouteStats[]): Measured | undefined {
  if (routes.length === 0) return undefined;
  if (routes.length === 1) {
    const r = routes[0]!;
    const errors = Object.entries(r.statuses).reduce((n, [s, c]) => (Number(s) >= 400 ? n + c : n), 0);
    const serverErrors = Object.entries(r.statuses).reduce((n, [s, c]) => (Number(s) >= 500 ? n + c : n), 0);
    return { count: r.count, latency: r.latency, errors, serverErrors, aborts: r.aborts, unfinished: 0 };
  }
  // several methods on one path: counts add; latency is the worst route's (percentiles do not add)
  const parts = routes.map((r) => routeMeasured([r])!);
  const worst = (k: keyof Measured['latency']) => Math.max(...parts.map((p) => p.latency[k]));
  return {
    count: parts.reduce((n, p) => n + p.count, 0),
    errors: parts.reduce((n, p) => n + p.errors, 0),
    serverErrors: parts.reduce((n, p) => n + p.serverErrors, 0),
    aborts: parts.reduce((n, p) => n + p.aborts, 0),
    unfinished: 0,
    latency: {
      count: parts.reduce((n, p) => n + p.count, 0),
      mean: worst('mean'),
      p50: worst('p50'),
      p90: worst('p90'),
      p95: worst('p95'),
      p99: worst('p99'),
      max: worst('max'),
    },
  };
}

export function evaluateThresholds(thresholds: Threshold[], agg: RunAggregate): ThresholdResult[] {
  const seconds = Math.max((agg.lastTime - agg.firstTime) / 1000, 1);
  const whole: Measured = {
    count: agg.totals.requests,
    latency: agg.totals.latency,
    errors: agg.totals.errors4xx + agg.totals.errors5xx,
    serverErrors: agg.totals.errors5xx,
    aborts: agg.totals.aborts,
    unfinished: agg.totals.unfinished,
  };
  return thresholds.map((t) => {
    let m: Measured | undefined = whole;
    if (t.route) {
      const { method, route } = t.route;
      m = routeMeasured(agg.routes.filter((r) => r.route === route && (method === undefined || r.method === method) && r.count > 0));
    }
    if (m === undefined) {
      return { threshold: t.text, metric: t.metric, limit: t.limit, ok: false, reason: 'no requests for this route' };
    }
    const actual = measure(m, t.metric, seconds);
    return { threshold: t.text, metric: t.metric, actual, limit: t.limit, ok: holds(actual, t.op, t.limit) };
  });
}

/** "p95 = 612 ms (limit 500 ms)" for the breach list. */
export function describeResult(r: ThresholdResult): string {
  if (r.actual === undefined) return `${r.threshold}: ${r.reason ?? 'no data'}`;
  const fmt = (v: number) =>
    LATENCY.has(r.metric) ? `${v.toFixed(1)} ms` : RATES.has(r.metric) ? `${(v * 100).toFixed(2)}%` : r.metric === 'rps' ? `${v.toFixed(1)}/s` : String(v);
  return `${r.threshold}: ${r.metric} = ${fmt(r.actual)} (limit ${fmt(r.limit)})`;
}
