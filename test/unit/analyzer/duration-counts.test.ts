/**
 * The aggregator's per-line duration recording (aggregate/histogram.ts DurationCounts, usIndex): one bucket index per
 * request shared by every histogram it counts in. The histograms it hands to the finishing layer must be the ones
 * recordMs() into an HDR histogram builds from the same durations — bucket for bucket, total and extremes — or every
 * percentile, max and "above the p95" count would move.
 */
import { describe, expect, it } from 'vitest';
import type { JsHistogram } from 'hdr-histogram-js';
import { createHistogram, DurationCounts, durationUs, histogramState, recordMs, usIndex } from '../../../analyzer/aggregate/histogram.js';

/** Deterministic pseudo-random numbers in [0, 1) (the same cases on every run). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 0x100000000;
}

const HIGHEST_US = 3_600_000_000;

describe('usIndex', () => {
  it("is the HDR histogram's own bucket index on both sides of every power of two, at 0 and at the clamp", () => {
    const hdr = createHistogram() as JsHistogram;
    const values = [0, 1, 2, 127, 128, 255, 256, 257, HIGHEST_US - 1, HIGHEST_US];
    for (let k = 1; k < 32; k++) for (const d of [-2, -1, 0, 1, 2]) if (2 ** k + d <= HIGHEST_US) values.push(2 ** k + d);
    const rand = rng(7);
    for (let i = 0; i < 20_000; i++) values.push(Math.floor(rand() ** 4 * HIGHEST_US));
    for (const us of values) expect(usIndex(us), `us ${us}`).toBe(hdr.countsArrayIndex(us));
  });
});

describe('DurationCounts', () => {
  const durations = (): number[] => {
    const rand = rng(11);
    // sub-ms, typical, slow, the clamp and past it, zero and below (recorded as 0), fractions of a µs
    const out = [0, -5, 0.0004, 0.0006, 3_600_000, 9e9, 1e-9];
    for (let i = 0; i < 5_000; i++) out.push(Math.round(rand() * rand() * 5000 * 1000) / 1000);
    return out;
  };

  it('builds the histogram recordMs() builds from the same durations', () => {
    const counts = new DurationCounts();
    const hdr = createHistogram();
    for (const ms of durations()) {
      const us = durationUs(ms);
      counts.record(us, usIndex(us));
      recordMs(hdr, ms);
    }
    const built = counts.toHistogram();
    expect(histogramState(built)).toEqual(histogramState(hdr));
    for (const p of [50, 90, 95, 99, 100]) expect(built.getValueAtPercentile(p)).toBe(hdr.getValueAtPercentile(p));
    expect(built.maxValue).toBe(hdr.maxValue);
    expect(built.minNonZeroValue).toBe(hdr.minNonZeroValue);
  });

  it('added in parts (time bins, ranges of a parallel pass) equals one recording of all', () => {
    const all = durations();
    const whole = new DurationCounts();
    const parts = [new DurationCounts(), new DurationCounts(), new DurationCounts()];
    all.forEach((ms, i) => {
      const us = durationUs(ms);
      whole.record(us, usIndex(us));
      parts[i % 3]!.record(us, usIndex(us));
    });
    const merged = DurationCounts.of(parts[0]!.state());
    merged.add(parts[1]!);
    merged.add(parts[2]!.state());
    expect(histogramState(merged.toHistogram())).toEqual(histogramState(whole.toHistogram()));
    // an empty part changes nothing (its extremes are the starting ones)
    merged.add(new DurationCounts());
    expect(histogramState(merged.toHistogram())).toEqual(histogramState(whole.toHistogram()));
  });
});

describe('dimension keys (DimensionProvider.key)', () => {
  it('count every request under the value value() gives it, whatever the field types and past the value cap', async () => {
    const { DimensionAccumulator, DIMENSION_LIMITS, SERVER_DIMENSIONS } = await import('../../../analyzer/aggregate/dimensions.js');
    // the same providers without their keys: value() for every request
    const plain = SERVER_DIMENSIONS.map(({ key: _k, key2: _k2, ...p }) => p);
    const keyed = new DimensionAccumulator();
    const unkeyed = new DimensionAccumulator(plain);
    const rand = rng(5);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const lines: Record<string, unknown>[] = [];
    for (let i = 0; i < 3000; i++) {
      lines.push({
        // "1" and 1 are one value; 2 and "2" too: two keys each, one group
        method: pick(['GET', 'POST', 1, '1', undefined]),
        route: pick(['/a', '/b', undefined, 2, '2']),
        status: pick([200, 404, 503, '503', 200.5]),
        host: pick(['h1', 'h2', 7, '7', undefined]),
        // pid 1 worker 65,536 and pid 2 worker 0 would share one packed number: they are two processes
        pid: pick([1, 2, 1.5, -1, 2 ** 40, '1']),
        worker: pick([0, 65_535, 65_536, undefined, 'w', -1]),
        db_queries: pick([0, 1, 3, 40, '3']),
        pool_wait_ms: rand() * 2000,
        bytes_out: Math.floor(rand() * 2e6),
      });
    }
    // more routes than a dimension keeps: the overflow goes to "(other)" on both sides, counted per request
    for (let i = 0; i < DIMENSION_LIMITS.valuesPerDimension + 50; i++) lines.push({ method: 'GET', route: `/r${i}`, status: 200, host: 'h1', pid: 1 });
    for (const [i, line] of lines.entries()) {
      const status = typeof line.status === 'number' ? line.status : 500;
      keyed.finish({ line }, i % 40, status);
      unkeyed.finish({ line }, i % 40, status);
    }
    expect(keyed.counts()).toEqual(unkeyed.counts());
    expect(keyed.counts().overflow).toBeGreaterThan(0);
  });
});
