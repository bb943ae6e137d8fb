/**
 * One scope (the whole run, or one route) of a base run against a run: throughput, error rates, aborts, status mix
 * and latency with the mean's change split into pool wait, database and the rest, each with an honest verdict.
 * Pure: the figures come from the two RunAggregates, the verdicts from stats.ts.
 */
import type { LatencyDistribution, LatencySummary } from '../model.js';
import {
  blockBootstrapDifferences,
  bootstrapDifferences,
  MIN_BLOCKS,
  poissonRateTest,
  STATISTICS,
  twoProportionTest,
  usableBlocks,
  widen,
  widening,
  type BootstrapOptions,
  type Interval,
  type Statistic,
} from './stats.js';
import type { Change, LatencyChange, LatencyComparison, MeanBreakdown, RateChange, ScopeComparison, StatusShare, TimeParts, Verdict } from './types.js';

/** What one side of a scope measured. */
export interface ScopeMeasure {
  count: number;
  statuses: Record<string, number>;
  aborts: number;
  latency: LatencySummary;
  dbMsMean: number;
  poolWaitMsMean: number;
  distribution?: LatencyDistribution;
  /** the same latencies per time bin (whole run only): the blocks of the block bootstrap */
  blocks?: LatencyDistribution[];
  /** the run's length, for throughput */
  seconds: number;
}

export interface CompareThresholds {
  /** a latency change must exceed this share of the base… */
  latencyRelative: number;
  /** …and this many ms to count (two runs of one configuration on a busy machine differ by less) */
  latencyMs: number;
  /** a rate change must exceed this many percentage points */
  ratePp: number;
  throughputRelative: number;
  /** fewer finished requests than this on either side: no latency verdict */
  minRequests: number;
  /** a percentile gets a verdict only when at least this many requests lie beyond it on each side */
  minTailRequests: number;
  /** significance level of the rate tests */
  alpha: number;
  bootstrap: BootstrapOptions;
}

export const SIGNIFICANCE_ALPHA = 0.05;

/** the share of requests at or below each percentile */
const TAIL_SHARE: Record<'p50' | 'p95' | 'p99', number> = { p50: 0.5, p95: 0.95, p99: 0.99 };

const f1 = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(1));
const signed = (v: number, unit: string) => `${v >= 0 ? '+' : '−'}${f1(Math.abs(v))}${unit}`;
export const signedPct = (rel: number | undefined) => (rel === undefined ? 'n/a' : signed(rel * 100, ' %'));

function change(base: number, run: number): Pick<Change, 'base' | 'run' | 'delta' | 'relative'> {
  const out: Pick<Change, 'base' | 'run' | 'delta' | 'relative'> = { base, run, delta: run - base };
  if (base !== 0) out.relative = (run - base) / base;
  return out;
}

/** Higher is worse for latency and rates; for throughput lower is worse. */
function direction(delta: number, higherIsWorse: boolean): Verdict {
  return delta > 0 === higherIsWorse ? 'regression' : 'improvement';
}

function latencyChange(
  stat: Statistic,
  base: number,
  run: number,
  interval: Interval | undefined,
  counts: [number, number],
  t: CompareThresholds,
): LatencyChange {
  // a percentile is only as steady as the requests beyond it: p99 of 2,000 requests rests on 20 of them
  const tail = stat === 'mean' ? Infinity : Math.floor(Math.min(...counts) * (1 - TAIL_SHARE[stat]));
  const enough = Math.min(...counts) >= t.minRequests && tail >= t.minTailRequests;
  const significant = enough && (!interval || interval.low > 0 || interval.high < 0);
  const c: LatencyChange = { ...change(base, run), verdict: 'no significant change', significant, why: '' };
  if (interval) c.interval = interval;
  const floor = Math.max(t.latencyRelative * base, t.latencyMs);
  if (Math.min(...counts) < t.minRequests) {
    c.why = `too few requests to tell (${Math.min(...counts)} < ${t.minRequests})`;
    return c;
  }
  if (!enough) {
    c.why = `too few requests beyond ${stat} to tell (${tail} < ${t.minTailRequests}): a tail this thin is a few stalls`;
    return c;
  }
  const ci = interval ? ` (95 % interval ${signed(interval.low, '')} … ${signed(interval.high, ' ms')})` : '';
  if (Math.abs(c.delta) < floor) {
    c.why = `${stat} moved ${signed(c.delta, ' ms')}, under the floor of ${f1(floor)} ms${ci}`;
    return c;
  }
  if (!significant) {
    c.why = `within noise: the interval includes 0${ci}`;
    return c;
  }
  c.verdict = direction(c.delta, true);
  c.why = `${signed(c.delta, ' ms')} (${signedPct(c.relative)})${ci || ', no histogram: floor only'}`;
  return c;
}

function parts(m: ScopeMeasure): TimeParts {
  return { poolWait: m.poolWaitMsMean, database: m.dbMsMean, rest: Math.max(0, m.latency.mean - m.dbMsMean - m.poolWaitMsMean) };
}

const PART_NAMES: Record<keyof TimeParts, string> = { poolWait: 'pool wait', database: 'database time', rest: 'the rest (app code, event loop)' };
export const partName = (k: keyof TimeParts) => PART_NAMES[k];

export function meanBreakdown(base: ScopeMeasure, run: ScopeMeasure): MeanBreakdown {
  const b = parts(base);
  const r = parts(run);
  const delta: TimeParts = { poolWait: r.poolWait - b.poolWait, database: r.database - b.database, rest: r.rest - b.rest };
  const total = delta.poolWait + delta.database + delta.rest;
  const out: MeanBreakdown = { base: b, run: r, delta, sentence: 'the mean did not move' };
  if (Math.abs(total) < 1e-9) return out;
  out.shares = { poolWait: delta.poolWait / total, database: delta.database / total, rest: delta.rest / total };
  const keys = Object.keys(delta) as (keyof TimeParts)[];
  const dominant = keys.reduce((best, k) => (delta[k] * Math.sign(total) > delta[best] * Math.sign(total) ? k : best), keys[0]!);
  out.dominant = dominant;
  const word = total > 0 ? 'added' : 'saved';
  out.sentence =
    `${Math.round(out.shares[dominant] * 100)} % of the ${word} mean time (${signed(total, ' ms')}) is ${PART_NAMES[dominant]}` +
    ` (pool wait ${signed(delta.poolWait, ' ms')}, database ${signed(delta.database, ' ms')}, rest ${signed(delta.rest, ' ms')})`;
  return out;
}

function rateChange(what: string, x1: number, n1: number, x2: number, n2: number, t: CompareThresholds): RateChange {
  const r1 = n1 > 0 ? x1 / n1 : 0;
  const r2 = n2 > 0 ? x2 / n2 : 0;
  const { pValue } = twoProportionTest(x1, n1, x2, n2);
  const deltaPp = (r2 - r1) * 100;
  const c: RateChange = { ...change(r1, r2), baseCount: x1, baseTotal: n1, runCount: x2, runTotal: n2, deltaPp, pValue, verdict: 'no significant change', significant: pValue < t.alpha, why: '' };
  const moved = `${what} ${(r1 * 100).toFixed(2)} % → ${(r2 * 100).toFixed(2)} % (${signed(deltaPp, ' pp')}, p = ${pValue < 0.001 ? '< 0.001' : pValue.toFixed(3)})`;
  if (Math.abs(deltaPp) < t.ratePp) c.why = `${moved}: under the floor of ${t.ratePp} pp`;
  else if (pValue >= t.alpha) c.why = `${moved}: within noise`;
  else {
    c.verdict = direction(deltaPp, true);
    c.why = moved;
  }
  return c;
}

function throughputChange(base: ScopeMeasure, run: ScopeMeasure, t: CompareThresholds): Change {
  const { pValue } = poissonRateTest(base.count, base.seconds, run.count, run.seconds);
  const c: Change = { ...change(base.count / base.seconds, run.count / run.seconds), verdict: 'no significant change', significant: pValue < t.alpha, why: '' };
  const moved = `${f1(c.base)} → ${f1(c.run)} req/s (${signedPct(c.relative)})`;
  if (c.relative === undefined || Math.abs(c.relative) < t.throughputRelative) c.why = `${moved}: under the floor of ${t.throughputRelative * 100} %`;
  else if (pValue >= t.alpha) c.why = `${moved}: within noise`;
  else {
    c.verdict = direction(c.delta, false);
    c.why = moved;
  }
  return c;
}

const errorsOf = (statuses: Record<string, number>, min: number) =>
  Object.entries(statuses).reduce((n, [s, c]) => (Number(s) >= min ? n + c : n), 0);

function statusMix(base: ScopeMeasure, run: ScopeMeasure): StatusShare[] {
  const statuses = [...new Set([...Object.keys(base.statuses), ...Object.keys(run.statuses)])].sort((a, b) => Number(a) - Number(b));
  return statuses.map((status) => {
    const baseCount = base.statuses[status] ?? 0;
    const runCount = run.statuses[status] ?? 0;
    return { status, baseCount, runCount, baseShare: base.count ? baseCount / base.count : 0, runShare: run.count ? runCount / run.count : 0 };
  });
}

/**
 * The latency intervals: a block bootstrap over time bins when both sides have enough bins (the whole run), else a
 * per-request bootstrap widened by the whole run's block/per-request factor (`widenBy`, for a route), else the
 * per-request one; no histogram on a side: none (the floor alone decides).
 */
export function compareLatency(base: ScopeMeasure, run: ScopeMeasure, t: CompareThresholds, widenBy?: Record<Statistic, number>): LatencyComparison {
  const enough = base.count >= t.minRequests && run.count >= t.minRequests;
  let intervals: Record<Statistic, Interval> | undefined;
  let method: LatencyComparison['method'] = 'floor-only';
  let factor: Record<Statistic, number> | undefined;
  if (base.distribution && run.distribution) {
    method = 'bootstrap';
    if (enough) {
      const iid = bootstrapDifferences(base.distribution, run.distribution, t.bootstrap);
      intervals = iid;
      if (usableBlocks(base.blocks) >= MIN_BLOCKS && usableBlocks(run.blocks) >= MIN_BLOCKS) {
        intervals = blockBootstrapDifferences(base.blocks!, run.blocks!, t.bootstrap);
        factor = widening(intervals, iid);
        method = 'block-bootstrap';
      } else if (widenBy) {
        factor = widenBy;
        intervals = Object.fromEntries(STATISTICS.map((s) => [s, widen(iid[s], widenBy[s])])) as Record<Statistic, Interval>;
        method = 'bootstrap-widened';
      }
    }
  }
  const counts: [number, number] = [base.count, run.count];
  const stat = (s: Statistic) => latencyChange(s, base.latency[s], run.latency[s], intervals?.[s], counts, t);
  const out: LatencyComparison = {
    method,
    baseCount: base.count,
    runCount: run.count,
    p50: stat('p50'),
    p95: stat('p95'),
    p99: stat('p99'),
    mean: stat('mean'),
    breakdown: meanBreakdown(base, run),
  };
  if (factor) out.widening = factor;
  return out;
}

const RANK: Record<Verdict, number> = { regression: 0, improvement: 1, 'no significant change': 2 };
export const worst = (verdicts: Verdict[]): Verdict => verdicts.reduce((a, b) => (RANK[b] < RANK[a] ? b : a), 'no significant change' as Verdict);

function headline(s: Omit<ScopeComparison, 'verdict' | 'headline'>): string {
  const moved: string[] = [];
  for (const k of STATISTICS) {
    const c = s.latency[k];
    if (c.verdict !== 'no significant change') moved.push(`${k} ${signedPct(c.relative)}`);
  }
  for (const [name, c] of [['error rate', s.errorRate], ['aborts', s.abortRate]] as const) {
    if (c.verdict !== 'no significant change') moved.push(`${name} ${signed(c.deltaPp, ' pp')}`);
  }
  if (s.throughput.verdict !== 'no significant change') moved.push(`throughput ${signedPct(s.throughput.relative)}`);
  if (moved.length === 0) return 'no significant change';
  const latencyMoved = STATISTICS.some((k) => s.latency[k].verdict !== 'no significant change');
  return moved.join(', ') + (latencyMoved && s.latency.breakdown.shares ? `; ${s.latency.breakdown.sentence}` : '');
}

export function compareScope(base: ScopeMeasure, run: ScopeMeasure, t: CompareThresholds, widenBy?: Record<Statistic, number>): ScopeComparison {
  const latency = compareLatency(base, run, t, widenBy);
  const body = {
    requests: { base: base.count, run: run.count },
    throughput: throughputChange(base, run, t),
    errorRate: rateChange('error rate', errorsOf(base.statuses, 400), base.count, errorsOf(run.statuses, 400), run.count, t),
    serverErrorRate: rateChange('5xx rate', errorsOf(base.statuses, 500), base.count, errorsOf(run.statuses, 500), run.count, t),
    abortRate: rateChange('aborts', base.aborts, base.count + base.aborts, run.aborts, run.count + run.aborts, t),
    statusMix: statusMix(base, run),
    latency,
  };
  const verdict = worst([
    ...STATISTICS.map((k) => latency[k].verdict),
    body.errorRate.verdict,
    body.serverErrorRate.verdict,
    body.abortRate.verdict,
    body.throughput.verdict,
  ]);
  return { ...body, verdict, headline: headline(body) };
}
