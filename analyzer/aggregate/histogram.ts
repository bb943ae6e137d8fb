/**
 * Latency histograms with bounded memory (HDR, 2 significant digits = 1% value error). Durations are recorded in
 * microseconds so sub-millisecond requests keep their resolution, and read back in milliseconds.
 */
import { createRequire } from 'node:module';
import type { Histogram } from 'hdr-histogram-js';
import type Int32HistogramModule from 'hdr-histogram-js/dist/Int32Histogram.js';
import type JsHistogramModule from 'hdr-histogram-js/dist/JsHistogram.js';
import type { LatencyDistribution, LatencySummary } from '../model.js';

// The two classes used, not the package's index: the index also loads its WebAssembly build and log codecs (pako,
// base64), ~18 MB of RSS in every thread that aggregates (the parallel pass's workers too) for nothing used here.
// require(), not import: CommonJS modules with an `exports.default`, whose ESM import gives the exports object under
// Node but the class itself under a bundler's interop (the tests run through Vite).
const require = createRequire(import.meta.url);
const Int32Histogram = (require('hdr-histogram-js/dist/Int32Histogram.js') as typeof Int32HistogramModule).default;
const JsHistogram = (require('hdr-histogram-js/dist/JsHistogram.js') as typeof JsHistogramModule).default;
type JsHistogram = InstanceType<typeof JsHistogram>;

/** one hour in µs: longer durations are clamped (a request that long is a finding on its own) */
const HIGHEST_US = 3_600_000_000;

/** What hdr-histogram-js's build({ bitBucketSize: 32, lowestDiscernibleValue: 1, 2 digits, autoResize: false }) makes. */
export function createHistogram(): Histogram {
  const h = new Int32Histogram(1, HIGHEST_US, 2);
  h.autoResize = false;
  return h;
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

/** A duration as the µs value the histograms record (recordMs()'s rounding and clamp). */
export function durationUs(ms: number): number {
  return ms <= 0 ? 0 : Math.min(HIGHEST_US, Math.round(ms * 1000));
}

/**
 * The bucket index of a µs value (0 <= us <= HIGHEST_US): createHistogram()'s countsArrayIndex without its float
 * log2 and pow. With 2 significant digits and a unit of 1 the sub-buckets are 256 (half: 128, magnitude 7), so the
 * bucket is floor(log2(us)) - 7 (at least 0), and HIGHEST_US < 2^32 lets clz32 give floor(log2) exactly; the test
 * compares it with the library's index at every power-of-two edge.
 */
const SUB_BUCKET_HALF_MAGNITUDE = 7;
export function usIndex(us: number): number {
  const bucket = Math.max(31 - Math.clz32(us) - SUB_BUCKET_HALF_MAGNITUDE, 0);
  return (bucket << SUB_BUCKET_HALF_MAGNITUDE) + Math.floor(us / 2 ** bucket);
}

export function durationIndex(ms: number): number {
  return usIndex(durationUs(ms));
}

/**
 * createHistogram()'s bucket counts, total and extremes without the histogram object, for the aggregator's per-line
 * recording: the bucket index is computed once per request (usIndex) and shared by every group the request counts in
 * (the run, its route, its time bin), where recordValue() computed it per group. toHistogram() gives the histogram
 * recordMs() of the same durations would have built (the same state, histogramFromState()).
 */
export class DurationCounts {
  counts = new Int32Array(BUCKET_COUNT);
  totalCount = 0;
  /** JsHistogram's own starting extremes (maxValue 0, minNonZeroValue MAX_SAFE_INTEGER) */
  maxValue = 0;
  minNonZeroValue = Number.MAX_SAFE_INTEGER;

  /** `us` = durationUs(ms), `index` = usIndex(us) */
  record(us: number, index: number): void {
    this.counts[index]!++;
    this.totalCount++;
    if (us > this.maxValue) this.maxValue = us;
    if (us !== 0 && us < this.minNonZeroValue) this.minNonZeroValue = us;
  }

  /** Adds another's counts (another time bin, another part of the input as a HistogramState). */
  add(other: HistogramState): void {
    const from = other.counts;
    const into = this.counts;
    for (let i = 0; i < from.length; i++) if (from[i] !== 0) into[i]! += from[i]!;
    this.totalCount += other.totalCount;
    if (other.maxValue > this.maxValue) this.maxValue = other.maxValue;
    if (other.minNonZeroValue < this.minNonZeroValue) this.minNonZeroValue = other.minNonZeroValue;
  }

  /** As plain data for a thread transfer (shares the counts: this is spent afterwards). */
  state(): HistogramState {
    return { counts: this.counts, totalCount: this.totalCount, maxValue: this.maxValue, minNonZeroValue: this.minNonZeroValue };
  }

  static of(state: HistogramState): DurationCounts {
    const d = new DurationCounts();
    d.add(state);
    return d;
  }

  toHistogram(): Histogram {
    return histogramFromState(this.state());
  }
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
