/**
 * The statistics behind `logjam compare`'s verdicts, pure and deterministic (a seeded PRNG): a bootstrap of the
 * latency percentiles and the mean resampled from each run's HDR histogram, a two-proportion z-test for rates
 * (error rate, aborts) and a Poisson rate test for throughput. docs/compare.md states the method and its limits.
 */
import type { LatencyDistribution } from '../model.js';

/** mulberry32: a small, fast 32-bit PRNG; the same seed gives the same intervals on every machine. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(rand: () => number): number {
  // Box–Muller; 1 − u keeps the logarithm finite
  const u = 1 - rand();
  const v = rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Below this mean a Poisson count is drawn exactly (Knuth's product of uniforms); above it the normal is close. */
const EXACT_POISSON_MEAN = 12;

/** One Poisson(mean) draw. */
export function poisson(mean: number, rand: () => number): number {
  if (mean <= 0) return 0;
  if (mean < EXACT_POISSON_MEAN) {
    const limit = Math.exp(-mean);
    let k = 0;
    let product = rand();
    while (product > limit) {
      k++;
      product *= rand();
    }
    return k;
  }
  return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal(rand)));
}

/**
 * A Poisson bootstrap resample of a histogram: each bucket's count redrawn as Poisson(count), independently. It is
 * the standard large-sample stand-in for the multinomial resample (each request kept Poisson(1) times), and costs
 * O(buckets) per resample whatever the number of requests.
 */
export function resampleCounts(counts: readonly number[], rand: () => number, out: number[]): void {
  for (let i = 0; i < counts.length; i++) out[i] = poisson(counts[i]!, rand);
}

export type Statistic = 'p50' | 'p95' | 'p99' | 'mean';
export const STATISTICS: readonly Statistic[] = ['p50', 'p95', 'p99', 'mean'];
const PERCENTILE: Record<Exclude<Statistic, 'mean'>, number> = { p50: 50, p95: 95, p99: 99 };

/** The statistics of one histogram: percentiles the HDR way (the smallest value with at least p % at or below it). */
export function statisticsOf(values: readonly number[], counts: readonly number[]): Record<Statistic, number> {
  let total = 0;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    total += counts[i]!;
    sum += values[i]! * counts[i]!;
  }
  const out = { p50: 0, p95: 0, p99: 0, mean: 0 };
  if (total === 0) return out;
  out.mean = sum / total;
  const ranks = [PERCENTILE.p50, PERCENTILE.p95, PERCENTILE.p99].map((p) => Math.max(1, Math.ceil((p / 100) * total)));
  const keys = ['p50', 'p95', 'p99'] as const;
  let next = 0;
  let seen = 0;
  for (let i = 0; i < values.length && next < 3; i++) {
    seen += counts[i]!;
    while (next < 3 && seen >= ranks[next]!) out[keys[next++]!] = values[i]!;
  }
  return out;
}

export interface BootstrapOptions {
  /** resamples; 1000 gives a stable 95 % interval */
  iterations: number;
  seed: number;
  /** two-sided confidence level, e.g. 0.95 */
  confidence: number;
}

export const DEFAULT_BOOTSTRAP: BootstrapOptions = { iterations: 1000, seed: 0x10c1a4, confidence: 0.95 };

/** A confidence interval of run − base, in ms. */
export interface Interval {
  low: number;
  high: number;
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** Draws one resample of a run's latencies into `out` (counts over `values`). */
interface Resampler {
  values: number[];
  draw(rand: () => number, out: number[]): void;
}

function iidResampler(d: LatencyDistribution): Resampler {
  return { values: d.values, draw: (rand, out) => resampleCounts(d.counts, rand, out) };
}

/** Fewer time bins than this and a block bootstrap says nothing about the run's ups and downs: requests are resampled. */
export const MIN_BLOCKS = 6;

/**
 * A block resampler: the run's time bins drawn with replacement (as many as it has), their histograms added. Requests
 * that share a bin share its conditions (a GC pause, a noisy neighbour, a checkpoint), so their latencies are not
 * independent; resampling whole bins keeps that, and the interval widens by as much as the run varied over time.
 */
function blockResampler(bins: LatencyDistribution[]): Resampler {
  const used = bins.filter((b) => b.counts.length > 0);
  const values = [...new Set(used.flatMap((b) => b.values))].sort((a, b) => a - b);
  const index = new Map(values.map((v, i) => [v, i]));
  const blocks = used.map((b) => ({ at: b.values.map((v) => index.get(v)!), counts: b.counts }));
  return {
    values,
    draw(rand, out) {
      out.fill(0);
      for (let k = 0; k < blocks.length; k++) {
        const b = blocks[Math.floor(rand() * blocks.length)]!;
        for (let i = 0; i < b.at.length; i++) out[b.at[i]!]! += b.counts[i]!;
      }
    },
  };
}

function intervals(base: Resampler, run: Resampler, options: BootstrapOptions): Record<Statistic, Interval> {
  const rand = seededRandom(options.seed);
  const diffs: Record<Statistic, number[]> = { p50: [], p95: [], p99: [], mean: [] };
  const bufBase = new Array<number>(base.values.length).fill(0);
  const bufRun = new Array<number>(run.values.length).fill(0);
  for (let i = 0; i < options.iterations; i++) {
    base.draw(rand, bufBase);
    run.draw(rand, bufRun);
    const b = statisticsOf(base.values, bufBase);
    const r = statisticsOf(run.values, bufRun);
    for (const s of STATISTICS) diffs[s].push(r[s] - b[s]);
  }
  const alpha = (1 - options.confidence) / 2;
  const out = {} as Record<Statistic, Interval>;
  for (const s of STATISTICS) {
    const sorted = diffs[s].sort((x, y) => x - y);
    out[s] = { low: quantile(sorted, alpha), high: quantile(sorted, 1 - alpha) };
  }
  return out;
}

/**
 * Percentile-bootstrap intervals of (run − base) for p50, p95, p99 and the mean, each request resampled
 * independently (Poisson bootstrap of both histograms).
 */
export function bootstrapDifferences(
  base: LatencyDistribution,
  run: LatencyDistribution,
  options: BootstrapOptions = DEFAULT_BOOTSTRAP,
): Record<Statistic, Interval> {
  return intervals(iidResampler(base), iidResampler(run), options);
}

/** The same intervals from time blocks (blockResampler): the honest ones when a run's latency drifts over time. */
export function blockBootstrapDifferences(
  base: LatencyDistribution[],
  run: LatencyDistribution[],
  options: BootstrapOptions = DEFAULT_BOOTSTRAP,
): Record<Statistic, Interval> {
  return intervals(blockResampler(base), blockResampler(run), options);
}

export const usableBlocks = (bins: LatencyDistribution[] | undefined): number => (bins ?? []).filter((b) => b.counts.length > 0).length;

/**
 * How much wider the block intervals are than the per-request ones (≥ 1), per statistic: the design effect of the
 * run's drift over time. A route has no per-bin histograms; its per-request interval is widened by the whole run's
 * factor, because the conditions that made the run's bins differ hit every route in them.
 */
export function widening(block: Record<Statistic, Interval>, iid: Record<Statistic, Interval>): Record<Statistic, number> {
  const out = {} as Record<Statistic, number>;
  for (const s of STATISTICS) {
    const w = iid[s].high - iid[s].low;
    out[s] = w > 0 ? Math.max(1, (block[s].high - block[s].low) / w) : 1;
  }
  return out;
}

/** An interval stretched about its middle by `factor`. */
export function widen(i: Interval, factor: number): Interval {
  const mid = (i.low + i.high) / 2;
  return { low: mid - (mid - i.low) * factor, high: mid + (i.high - mid) * factor };
}

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 for erf, |error| < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

export interface TestResult {
  z: number;
  /** two-sided */
  pValue: number;
}

/** Two-proportion z-test (pooled): is x2/n2 different from x1/n1? */
export function twoProportionTest(x1: number, n1: number, x2: number, n2: number): TestResult {
  if (n1 <= 0 || n2 <= 0) return { z: 0, pValue: 1 };
  const pooled = (x1 + x2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  if (se === 0) return { z: 0, pValue: 1 };
  const z = (x2 / n2 - x1 / n1) / se;
  return { z, pValue: 2 * (1 - normalCdf(Math.abs(z))) };
}

/** Two Poisson rates (count over seconds): z of the log rate ratio, for throughput. */
export function poissonRateTest(count1: number, seconds1: number, count2: number, seconds2: number): TestResult {
  if (count1 <= 0 || count2 <= 0 || seconds1 <= 0 || seconds2 <= 0) return { z: 0, pValue: 1 };
  const z = Math.log(count2 / seconds2 / (count1 / seconds1)) / Math.sqrt(1 / count1 + 1 / count2);
  return { z, pValue: 2 * (1 - normalCdf(Math.abs(z))) };
}
