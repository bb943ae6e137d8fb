/**
 * Latency histograms with bounded memory (HDR, 2 significant digits = 1% value error). Durations are recorded in
 * microseconds so sub-millisecond requests keep their resolution, and read back in milliseconds.
 */
import { build, JsHistogram, type Histogram } from 'hdr-histogram-js';
import type { LatencyDistribution, LatencySummary } from '../model.js';

/** one hour in µs: longer durations are clamped (a request that long is a finding on its own) */
const HIGHEST_US = 3_600_000_000;

export function createHistogram(): Histogram {
  return build({
    bitBucketSize: 32,
    numberOfSignificantValueDigits: 2,
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_US,
    autoResize: false,
  });
}

export function recordMs(h: Histogram, ms: number): void {
  const us = ms <= 0 ? 0 : Math.min(HIGHEST_US, Math.round(ms * 1000));
  h.recordValue(us);
}

const round = (us: number): number => Math.round(us) / 1000;

/** `exactMean`: the sum of durations / count, kept beside the histogram (HDR's mean carries its 1% bucket error). */
export function summarize(h: Histogram, exactMean?: number): LatencySummary {
  if (h.totalCount === 0) return { count: 0, mean: 0, p50: 0, p90: 0, p95: 0, p99: 0, max: 0 };
  const max = h.maxValue;
  // HDR reports a bucket's highest equivalent value: never above the largest value actually recorded
  const at = (p: number) => round(Math.min(max, h.getValueAtPercentile(p)));
  return { count: h.totalCount, mean: exactMean === undefined ? round(h.mean) : Math.round(exactMean * 1000) / 1000, p50: at(50), p90: at(90), p95: at(95), p99: at(99), max: round(max) };
}

/**
 * The histogram's non-empty buckets as plain numbers (each bucket's median equivalent value in ms, and its count), so
 * a comparison can resample a run's latencies (analyzer/compare) without holding the histogram object. hdr-histogram-js
 * builds a JS histogram for the bucket sizes used here; its recorded-values iterator walks only non-empty buckets.
 */
export function toDistribution(h: Histogram): LatencyDistribution {
  const values: number[] = [];
  const counts: number[] = [];
  const js = h as Histogram & {
    recordedValuesIterator?: { reset(): void; hasNext(): boolean; next(): { valueIteratedTo: number; countAtValueIteratedTo: number } };
    medianEquivalentValue?(v: number): number;
  };
  const it = js.recordedValuesIterator;
  if (!it || !js.medianEquivalentValue) return { values, counts };
  it.reset();
  while (it.hasNext()) {
    const v = it.next();
    if (v.countAtValueIteratedTo <= 0) continue;
    values.push(round(Math.min(h.maxValue, js.medianEquivalentValue(v.valueIteratedTo))));
    counts.push(v.countAtValueIteratedTo);
  }
  return { values, counts };
}

/**
 * Recorded values above `ms` (strictly), to the histogram's precision: a whole bucket counts when its lowest
 * equivalent value is above. Exact when `ms` is a bucket's highest equivalent value or the maximum recorded — which
 * is what summarize() reports as a percentile — so "requests above the run's p95" read this way is exact.
 */
export function countAboveMs(h: Histogram, ms: number): number {
  if (h.totalCount === 0 || !(h instanceof JsHistogram)) return 0;
  const limit = Math.round(ms * 1000);
  if (h.maxValue <= limit) return 0;
  let above = 0;
  const it = h.recordedValuesIterator;
  it.reset();
  while (it.hasNext()) {
    const step = it.next();
    if (h.lowestEquivalentValue(step.valueIteratedTo) > limit) above += step.countAddedInThisIterationStep;
  }
  return above;
}

/**
 * Bucket counts without a histogram object: many groups (one per dimension value) share ONE index computation per
 * request — durationIndex() once, then `counts[index]++` in each group — instead of a full recordValue() each. The
 * buckets are createHistogram()'s, so countAboveIndexedMs() has exactly countAboveMs()'s precision.
 */
const INDEXER = createHistogram() as JsHistogram;
export const BUCKET_COUNT = INDEXER.countsArrayLength;

export function durationIndex(ms: number): number {
  const us = ms <= 0 ? 0 : Math.min(HIGHEST_US, Math.round(ms * 1000));
  return INDEXER.countsArrayIndex(us);
}

export function countAboveIndexedMs(counts: Int32Array, ms: number): number {
  const limit = Math.round(ms * 1000);
  let above = 0;
  for (let i = 0; i < counts.length; i++) if (counts[i]! > 0 && INDEXER.valueFromIndex(i) > limit) above += counts[i]!;
  return above;
}

/**
 * A histogram as plain data, for a structured-clone transfer between threads (a class instance loses its prototype
 * on the way). Exact both ways: the counts, the total and the recorded extremes (HDR keeps the exact maximum, which
 * the reports read as the max latency) are copied as they are.
 */
export interface HistogramState {
  counts: Int32Array;
  totalCount: number;
  maxValue: number;
  minNonZeroValue: number;
}

/** The JsHistogram members a state is read from and written to (hdr-histogram-js declares them, not the interface). */
interface HistogramInternals {
  totalCount: number;
  maxValue: number;
  minNonZeroValue: number;
  countsArrayLength: number;
  getCountAtIndex(i: number): number;
  setCountAtIndex(i: number, count: number): void;
  setTotalCount(n: number): void;
}

export function histogramState(h: Histogram): HistogramState {
  const js = h as unknown as HistogramInternals;
  const counts = new Int32Array(js.countsArrayLength);
  for (let i = 0; i < counts.length; i++) counts[i] = js.getCountAtIndex(i);
  return { counts, totalCount: js.totalCount, maxValue: js.maxValue, minNonZeroValue: js.minNonZeroValue };
}

export function histogramFromState(state: HistogramState): Histogram {
  const h = createHistogram();
  const js = h as unknown as HistogramInternals;
  const { counts } = state;
  for (let i = 0; i < counts.length; i++) if (counts[i] !== 0) js.setCountAtIndex(i, counts[i]!);
  js.setTotalCount(state.totalCount);
  js.maxValue = state.maxValue;
  js.minNonZeroValue = state.minNonZeroValue;
  return h;
}
