/**
 * The finishing step of the request dimensions (dimensions.ts): raw per-value entries from any source -> the
 * RunAggregate's `dimensions`. Pure. Entries are summed by (dimension, value); a value's slow requests are the
 * source's own count (CloudWatch counted `duration_ms > p95` in its query) or read from its histogram against the
 * run's p95 (countAboveMs: exact to the histogram's buckets, which is how the p95 itself is reported). The time
 * slice dimension comes from the source when it counted one, else from the time bins' histograms.
 */
import type { Histogram } from 'hdr-histogram-js';
import type { DimensionValueStats, RequestDimensions } from '../model.js';
import { DIMENSION_LIMITS, TIME_DIMENSION, type RawDimensionValue } from './dimensions.js';
import { countAboveIndexedMs, countAboveMs } from './histogram.js';
import type { RawBin, RawCounts } from './raw-counts.js';

/**
 * The width of the `time` dimension's slices: the timeline's bin width, doubled until the run fits in
 * DIMENSION_LIMITS.timeSlices slices aligned on the epoch (coarse on purpose: a slice needs enough requests for its
 * share of the slow ones to mean something). The CloudWatch source queries `bin()` at this width.
 */
export function timeSliceMs(firstTime: number, lastTime: number, binMs: number): number {
  let width = Math.max(1, binMs);
  while (Math.floor(lastTime / width) - Math.floor(firstTime / width) + 1 > DIMENSION_LIMITS.timeSlices) width *= 2;
  return width;
}

/** "12:00:00–12:00:30" (UTC; the date too when the run crosses midnight, which the label then shows). */
export function timeSliceLabel(start: number, widthMs: number, withDate: boolean): string {
  const iso = (t: number) => new Date(t).toISOString();
  const part = (t: number) => (withDate ? iso(t).slice(0, 19).replace('T', ' ') : iso(t).slice(11, 19));
  return `${part(start)}–${part(start + widthMs)} UTC`;
}

interface Acc {
  requests: number;
  slow: number;
  hists: Histogram[];
  buckets: Int32Array[];
  errors5xx: number;
  aborts: number;
}

/** Time entries from the bins, for a source that counted none itself (the local source: bins keep histograms). */
function timeEntriesFromBins(bins: readonly RawBin[]): RawDimensionValue[] {
  return bins
    .filter((b) => b.requests !== 0 || b.aborts !== 0 || b.errors5xx !== 0)
    .map((b) => ({
      dimension: TIME_DIMENSION.id,
      value: String(b.start),
      requests: b.requests,
      ...(b.latency.hist ? { hist: b.latency.hist } : { slow: 0 }),
      errors5xx: b.errors5xx,
      aborts: b.aborts,
    }));
}

export interface DimensionFinishInput {
  raw: RawCounts;
  /** the run's p95 as the totals report it (the slow threshold when the source did not count against its own) */
  p95Ms: number;
  /** the timeline's bin width (finish.ts) */
  binMs: number;
}

export function finishDimensions({ raw, p95Ms, binMs }: DimensionFinishInput): RequestDimensions | undefined {
  const dims = raw.dimensions;
  if (!dims || !raw.hasLines) return undefined;
  const threshold = dims.slowThresholdMs ?? p95Ms;
  const entries = dims.values.some((v) => v.dimension === TIME_DIMENSION.id) ? dims.values : [...dims.values, ...timeEntriesFromBins(raw.bins)];
  const slice = timeSliceMs(raw.firstTime, raw.lastTime, binMs);

  const byDimension = new Map<string, Map<string, Acc>>();
  for (const id of Object.keys(dims.labels)) byDimension.set(id, new Map());
  for (const e of entries) {
    const value = e.dimension === TIME_DIMENSION.id ? String(Math.floor(Number(e.value) / slice) * slice) : e.value;
    let values = byDimension.get(e.dimension);
    if (!values) byDimension.set(e.dimension, (values = new Map()));
    let acc = values.get(value);
    if (!acc) values.set(value, (acc = { requests: 0, slow: 0, hists: [], buckets: [], errors5xx: 0, aborts: 0 }));
    acc.requests += e.requests;
    acc.errors5xx += e.errors5xx;
    acc.aborts += e.aborts;
    if (e.slow !== undefined) acc.slow += e.slow;
    else if (e.bucketCounts) acc.buckets.push(e.bucketCounts);
    else if (e.hist) acc.hists.push(e.hist);
  }

  const withDate = new Date(raw.firstTime).toISOString().slice(0, 10) !== new Date(raw.lastTime + slice).toISOString().slice(0, 10);
  const dimensions: RequestDimensions['dimensions'] = [];
  for (const [id, values] of byDimension) {
    const out: (DimensionValueStats & { start: number })[] = [];
    for (const [value, a] of values) {
      const slow =
        a.slow + a.hists.reduce((n, h) => n + countAboveMs(h, threshold), 0) + a.buckets.reduce((n, b) => n + countAboveIndexedMs(b, threshold), 0);
      const requests = Math.max(0, a.requests);
      if (requests === 0 && a.aborts <= 0) continue;
      out.push({
        value: id === TIME_DIMENSION.id ? timeSliceLabel(Number(value), slice, withDate) : value,
        requests,
        slow: Math.max(0, Math.min(requests, slow)),
        errors5xx: Math.max(0, a.errors5xx),
        aborts: Math.max(0, a.aborts),
        start: Number(value),
      });
    }
    // time slices in time order; other values by requests, then value
    if (id === TIME_DIMENSION.id) out.sort((x, y) => x.start - y.start);
    else out.sort((x, y) => y.requests - x.requests || (x.value < y.value ? -1 : x.value > y.value ? 1 : 0));
    const label = dims.labels[id] ?? id;
    const stats = out.map(({ start: _start, ...v }): DimensionValueStats => v);
    dimensions.push({ id, label, ...(dims.definesFailure.includes(id) ? { definesFailure: true } : {}), values: stats });
  }
  // totals: any dimension holds every request once (a missing value is NO_VALUE); the first one is the route
  const first = dimensions[0]?.values ?? [];
  const sum = (k: 'requests' | 'slow' | 'errors5xx' | 'aborts') => first.reduce((n, v) => n + v[k], 0);
  const result: RequestDimensions = {
    slowThresholdMs: threshold,
    requests: sum('requests'),
    slow: sum('slow'),
    errors5xx: sum('errors5xx'),
    aborts: sum('aborts'),
    dimensions,
  };
  if (dims.overflow > 0) result.overflow = dims.overflow;
  return result;
}
