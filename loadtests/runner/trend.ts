import * as hdr from 'hdr-histogram-js';

export interface TrendValues {
  count: number;
  avg: number;
  min: number;
  med: number;
  max: number;
  p90: number;
  p95: number;
  p99: number;
}

/**
 * A k6 trend (values in ms) in bounded memory: count, sum, min and max are exact; the median and percentiles come
 * from an HDR histogram of microseconds with 3 significant digits (within 0.1 %), so a run of millions of
 * requests costs kilobytes, not an array of samples.
 */
export class Trend {
  private readonly histogram = hdr.build({
    bitBucketSize: 'packed',
    autoResize: true,
    lowestDiscernibleValue: 1,
    highestTrackableValue: 2,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
  });
  private count = 0;
  private sum = 0;
  private min = Infinity;
  private max = -Infinity;

  add(ms: number): void {
    this.count++;
    this.sum += ms;
    if (ms < this.min) this.min = ms;
    if (ms > this.max) this.max = ms;
    this.histogram.recordValue(Math.max(1, Math.round(ms * 1000)));
  }

  /** any percentile (0–100), e.g. for a threshold on p(99.9); 0 with no samples */
  percentile(p: number): number {
    if (this.count === 0) return 0;
    return Math.min(this.max, Math.max(this.min, this.histogram.getValueAtPercentile(p) / 1000));
  }

  values(): TrendValues {
    if (this.count === 0) return { count: 0, avg: 0, min: 0, med: 0, max: 0, p90: 0, p95: 0, p99: 0 };
    // The histogram's buckets are approximate: keep its answers within the exact min/max.
    const at = (p: number): number => Math.min(this.max, Math.max(this.min, this.histogram.getValueAtPercentile(p) / 1000));
    return {
      count: this.count,
      avg: this.sum / this.count,
      min: this.min,
      med: at(50),
      max: this.max,
      p90: at(90),
      p95: at(95),
      p99: at(99),
    };
  }
}
