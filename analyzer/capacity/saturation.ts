/**
 * Saturation from the run itself: each time bin is one observation of (requests in flight, throughput, latency).
 *
 * Bins used: a bin is dropped when it has no finished requests (nothing measured) or when it is the first or last
 * non-empty bin of the run (the run starts and ends inside those bins, so their throughput reads low and their
 * in-flight count mixes ramp and idle). Drops are counted in `dropped`.
 *
 * The knee: sort the points by concurrency N and fit a hinge through the origin,
 *   X ≈ s₁·min(N, k) + s₂·max(N − k, 0),
 * for every candidate k (a measured concurrency with ≥ 3 points at or below it and ≥ 2 above), keeping the k with
 * the least squared error. There is a knee at k when BOTH
 *   - throughput stops growing: s₂ < 0.25·s₁ (each extra request in flight above k adds under a quarter of the
 *     throughput it added below k; negative when throughput falls), and
 *   - latency climbs: the mean latency of the points above k is ≥ 1.5 × that of the points at or below k.
 * A linear curve (constant latency) gives s₂ ≈ s₁ and no knee.
 */
import type { RunAggregate } from '../model.js';
import { leastSquares } from './linalg.js';
import type { Knee, SaturationPoint, SaturationSection } from './types.js';

export const KNEE_SLOPE_RATIO = 0.25;
export const KNEE_LATENCY_RATIO = 1.5;
export const KNEE_MIN_POINTS = 5;

export function saturationPoints(agg: Pick<RunAggregate, 'bins' | 'binMs'>): {
  points: SaturationPoint[];
  dropped: SaturationSection['dropped'];
} {
  const nonEmpty = agg.bins.filter((b) => b.requests > 0);
  const empty = agg.bins.length - nonEmpty.length;
  const inner = nonEmpty.slice(1, -1);
  const rampEdge = nonEmpty.length - inner.length;
  const perSecond = 1000 / agg.binMs;
  const points = inner.map((b) => ({
    time: b.start,
    concurrency: b.concurrency,
    throughput: b.requests * perSecond,
    latencyMeanMs: b.latency.mean,
    latencyP95Ms: b.latency.p95,
  }));
  return { points, dropped: { empty, rampEdge } };
}

function mean(xs: number[]): number {
  return xs.reduce((s, x) => s + x, 0) / xs.length;
}

export function findKnee(points: SaturationPoint[]): { knee?: Knee; note: string } {
  const sorted = [...points].filter((p) => p.concurrency > 0).sort((a, b) => a.concurrency - b.concurrency);
  if (sorted.length < KNEE_MIN_POINTS) {
    return { note: `not enough data: ${sorted.length} usable bins, need ${KNEE_MIN_POINTS}` };
  }
  let best: { k: number; s1: number; s2: number; sse: number } | undefined;
  for (let i = 2; i < sorted.length - 2; i++) {
    const k = sorted[i]!.concurrency;
    if (k === sorted[i + 1]!.concurrency) continue; // the hinge sits between distinct concurrencies
    const rows = sorted.map((p) => [Math.min(p.concurrency, k), Math.max(p.concurrency - k, 0)]);
    const fit = leastSquares(rows, sorted.map((p) => p.throughput));
    if (!fit) continue;
    const [s1, s2] = fit as [number, number];
    const sse = sorted.reduce((s, p, j) => s + (p.throughput - (s1 * rows[j]![0]! + s2 * rows[j]![1]!)) ** 2, 0);
    if (!best || sse < best.sse) best = { k, s1, s2, sse };
  }
  if (!best || !(best.s1 > 0)) return { note: 'no knee: concurrency barely varies across the run (no ramp to read a curve from)' };
  const below = sorted.filter((p) => p.concurrency <= best.k);
  const above = sorted.filter((p) => p.concurrency > best.k);
  const latencyBelowMs = mean(below.map((p) => p.latencyMeanMs));
  const latencyAboveMs = mean(above.map((p) => p.latencyMeanMs));
  const flattens = best.s2 < KNEE_SLOPE_RATIO * best.s1;
  const climbs = latencyAboveMs >= KNEE_LATENCY_RATIO * latencyBelowMs;
  if (!flattens || !climbs) {
    return {
      note:
        `no knee: throughput keeps growing with concurrency (slope above ${best.s2.toFixed(2)} vs below ` +
        `${best.s1.toFixed(2)} req/s per request in flight; latency ×${(latencyAboveMs / latencyBelowMs).toFixed(2)})`,
    };
  }
  return {
    knee: {
      concurrency: best.k,
      throughput: best.s1 * best.k,
      slopeBelow: best.s1,
      slopeAbove: best.s2,
      latencyBelowMs,
      latencyAboveMs,
    },
    note: `knee at ${best.k.toFixed(1)} requests in flight: throughput flattens while latency climbs ×${(latencyAboveMs / latencyBelowMs).toFixed(2)}`,
  };
}

export function analyzeSaturation(agg: Pick<RunAggregate, 'bins' | 'binMs'>): SaturationSection {
  const { points, dropped } = saturationPoints(agg);
  const { knee, note } = findKnee(points);
  return knee ? { points, dropped, knee, kneeNote: note } : { points, dropped, kneeNote: note };
}
