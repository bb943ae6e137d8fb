/**
 * The statistics behind `logjam compare`'s verdicts, on synthetic histograms: two samples of one distribution must
 * come out "no significant change", a shifted one a regression (or an improvement), and the same input must give the
 * same intervals (seeded). Rates: a two-proportion test that tells a real change from noise.
 */
import { describe, expect, it } from 'vitest';
import { compareLatency, type CompareThresholds, type ScopeMeasure } from '../../../analyzer/compare/scope.js';
import { DEFAULT_THRESHOLDS } from '../../../analyzer/compare/compare.js';
import { blockBootstrapDifferences, bootstrapDifferences, poisson, resampleCounts, seededRandom, statisticsOf, twoProportionTest } from '../../../analyzer/compare/stats.js';
import { createHistogram, recordMs, summarize, toDistribution } from '../../../analyzer/aggregate/histogram.js';
import type { LatencyDistribution } from '../../../analyzer/model.js';

/** n latencies (ms) from a log-normal around `medianMs` (sd of the log 0.5), from a seeded PRNG. */
function sample(n: number, medianMs: number, seed: number): number[] {
  const rand = seededRandom(seed);
  return Array.from({ length: n }, () => {
    const z = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
    return medianMs * Math.exp(0.5 * z);
  });
}

function measure(latencies: number[], dbShare = 0, poolShare = 0): ScopeMeasure {
  const h = createHistogram();
  let sum = 0;
  for (const ms of latencies) {
    recordMs(h, ms);
    sum += ms;
  }
  const latency = summarize(h, sum / latencies.length);
  const distribution = toDistribution(h);
  h.destroy();
  return {
    count: latencies.length,
    statuses: { '200': latencies.length },
    aborts: 0,
    latency,
    dbMsMean: latency.mean * dbShare,
    poolWaitMsMean: latency.mean * poolShare,
    distribution,
    seconds: 10,
  };
}

const T: CompareThresholds = DEFAULT_THRESHOLDS;

describe('bootstrap of the latency difference from two HDR histograms', () => {
  it('the distribution keeps every request and the percentiles of the histogram', () => {
    const m = measure(sample(5000, 20, 1));
    const d = m.distribution!;
    expect(d.counts.reduce((a, b) => a + b, 0)).toBe(5000);
    const s = statisticsOf(d.values, d.counts);
    // bucket middles vs HDR's highest equivalent value: within the histogram's 1 % resolution
    expect(Math.abs(s.p95 - m.latency.p95) / m.latency.p95).toBeLessThan(0.02);
    expect(Math.abs(s.mean - m.latency.mean) / m.latency.mean).toBeLessThan(0.02);
  });

  it('two samples of the same distribution: no significant change on every statistic', () => {
    for (const seed of [2, 3, 4, 5]) {
      const cmp = compareLatency(measure(sample(3000, 20, seed)), measure(sample(3000, 20, seed + 100)), T);
      for (const k of ['p50', 'p95', 'p99', 'mean'] as const) {
        expect(cmp[k].verdict, `${k} seed ${seed}: ${cmp[k].why}`).toBe('no significant change');
      }
      expect(cmp.method).toBe('bootstrap');
    }
  });

  it('the same distribution with large samples: the interval includes 0 for p95 and the mean', () => {
    const iv = bootstrapDifferences(measure(sample(20000, 20, 7)).distribution!, measure(sample(20000, 20, 8)).distribution!);
    expect(iv.p95.low).toBeLessThanOrEqual(0);
    expect(iv.p95.high).toBeGreaterThanOrEqual(0);
    expect(iv.mean.low).toBeLessThanOrEqual(0);
    expect(iv.mean.high).toBeGreaterThanOrEqual(0);
  });

  it('shifted by +40 %: a regression on p50, p95 and the mean, with an interval above 0', () => {
    const cmp = compareLatency(measure(sample(3000, 20, 9)), measure(sample(3000, 28, 10)), T);
    for (const k of ['p50', 'p95', 'mean'] as const) {
      expect(cmp[k].verdict, cmp[k].why).toBe('regression');
      expect(cmp[k].interval!.low).toBeGreaterThan(0);
    }
  });

  it('shifted by −40 %: an improvement', () => {
    const cmp = compareLatency(measure(sample(3000, 28, 11)), measure(sample(3000, 20, 12)), T);
    expect(cmp.p95.verdict).toBe('improvement');
    expect(cmp.mean.verdict).toBe('improvement');
  });

  it('a real but tiny shift (+4 %, many requests) is significant yet under the practical floor: no significant change', () => {
    const base = sample(40000, 20, 13);
    const cmp = compareLatency(measure(base), measure(base.map((v) => v * 1.04)), T);
    expect(cmp.p50.significant).toBe(true);
    expect(cmp.p50.verdict).toBe('no significant change');
    expect(cmp.p50.why).toMatch(/under the floor/);
  });

  it('a big change on a handful of requests is not called: too few to tell', () => {
    const cmp = compareLatency(measure(sample(10, 20, 14)), measure(sample(10, 60, 15)), T);
    expect(cmp.p95.verdict).toBe('no significant change');
    expect(cmp.p95.why).toMatch(/too few requests/);
  });

  it('a p99 resting on fewer than 25 requests gets no verdict, however far it moved', () => {
    // 2000 requests: 20 beyond p99, 100 beyond p95
    const cmp = compareLatency(measure(sample(2000, 20, 22)), measure(sample(2000, 40, 23)), T);
    expect(cmp.p99.verdict).toBe('no significant change');
    expect(cmp.p99.why).toMatch(/too few requests beyond p99/);
    expect(cmp.p95.verdict).toBe('regression');
  });

  it('block bootstrap: a run whose latency drifts over time gets a wider interval than one resampled per request', () => {
    // base: 10 steady seconds; run: the same, but three seconds of it twice as slow (a noisy neighbour)
    const bins = (slow: number[], seed: number) =>
      Array.from({ length: 10 }, (_, i) => measure(sample(300, slow.includes(i) ? 40 : 20, seed + i)).distribution!);
    const merge = (ds: LatencyDistribution[]): LatencyDistribution => {
      const m = new Map<number, number>();
      for (const d of ds) d.values.forEach((v, i) => m.set(v, (m.get(v) ?? 0) + d.counts[i]!));
      const values = [...m.keys()].sort((a, b) => a - b);
      return { values, counts: values.map((v) => m.get(v)!) };
    };
    const base = bins([], 100);
    const run = bins([3, 4, 5], 200);
    const iid = bootstrapDifferences(merge(base), merge(run));
    const block = blockBootstrapDifferences(base, run);
    expect(block.p95.high - block.p95.low).toBeGreaterThan(1.5 * (iid.p95.high - iid.p95.low));
    // the per-request interval is surer of the shift than the run's ups and downs allow
    expect(block.p95.low).toBeLessThan(iid.p95.low);
  });

  it('is deterministic: the same histograms give the same intervals', () => {
    const a = measure(sample(2000, 20, 16)).distribution!;
    const b = measure(sample(2000, 25, 17)).distribution!;
    expect(bootstrapDifferences(a, b)).toEqual(bootstrapDifferences(a, b));
  });

  it('without histograms (CloudWatch percentiles) the floor alone decides, and says so', () => {
    const base = measure(sample(2000, 20, 18));
    const run = measure(sample(2000, 30, 19));
    delete base.distribution;
    delete run.distribution;
    const cmp = compareLatency(base, run, T);
    expect(cmp.method).toBe('floor-only');
    expect(cmp.p95.verdict).toBe('regression');
    expect(cmp.p95.interval).toBeUndefined();
  });

  it('splits the change of the mean into pool wait, database and the rest', () => {
    const base = measure(sample(2000, 20, 20), 0.2, 0);
    const run = measure(sample(2000, 20, 21), 0.2, 0);
    // 30 ms more, all of it waiting for the pool
    run.latency = { ...run.latency, mean: run.latency.mean + 30 };
    run.poolWaitMsMean += 30;
    const b = compareLatency(base, run, T).breakdown;
    expect(b.dominant).toBe('poolWait');
    expect(b.shares!.poolWait).toBeGreaterThan(0.9);
    expect(b.sentence).toMatch(/% of the added mean time .* is pool wait/);
  });
});

describe('resampling and tests', () => {
  it('Poisson draws have the right mean and variance, small and large', () => {
    const rand = seededRandom(99);
    for (const mean of [0.5, 5, 11.9, 40, 5000]) {
      const xs = Array.from({ length: 5000 }, () => poisson(mean, rand));
      const m = xs.reduce((a, b) => a + b, 0) / xs.length;
      const variance = xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length;
      expect(Math.abs(m - mean) / mean, `mean ${mean}`).toBeLessThan(0.05);
      expect(Math.abs(variance - mean) / mean, `variance ${mean}`).toBeLessThan(0.12);
      expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    }
  });

  it('a resample keeps the histogram\'s shape: an empty bucket stays empty, the total stays near', () => {
    const d: LatencyDistribution = { values: [1, 2, 3, 4], counts: [10, 5000, 3, 0] };
    const out = [0, 0, 0, 0];
    resampleCounts(d.counts, seededRandom(1), out);
    expect(out[3]).toBe(0);
    expect(Math.abs(out.reduce((a, b) => a + b, 0) - 5013)).toBeLessThan(300);
  });

  it('two-proportion test: 0.1 % vs 3 % of 2000 is significant; 1.0 % vs 1.2 % is not', () => {
    expect(twoProportionTest(2, 2000, 60, 2000).pValue).toBeLessThan(0.001);
    expect(twoProportionTest(20, 2000, 24, 2000).pValue).toBeGreaterThan(0.05);
  });
});
