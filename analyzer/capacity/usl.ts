/**
 * Universal Scalability Law (Gunther): X(N) = γN / (1 + α(N−1) + βN(N−1)), with contention α (queueing for a
 * shared resource) and coherency β (the cost of keeping workers in agreement, which makes throughput turn DOWN).
 * Peak at N* = √((1−α)/β).
 *
 * Fit: a linearised start, then Levenberg–Marquardt on the squared throughput errors with α, β ≥ 0.
 * The start: N/X = 1/γ + (α/γ)(N−1) + (β/γ)N(N−1) is linear in (1/γ, α/γ, β/γ), so ordinary least squares gives
 * it; it over-weights low-throughput points, which the refinement on X itself corrects — usually. On a real ramp
 * (many low-load bins, then a plateau) it can start the refinement in a poor local minimum, so a small grid of other
 * starts is refined too and the lowest error wins. A fit that still explains little (R² < USL_MIN_R2) is reported
 * as poor: no peak is claimed from it, and charts leave its curve out.
 */
import { leastSquares, solve } from './linalg.js';
import type { UslResult } from './types.js';

export const USL_MIN_POINTS = 6;
/** Below this R² the fit is reported as poor and no peak is derived from it. */
export const USL_MIN_R2 = 0.5;

export interface XY {
  n: number;
  x: number;
}

export function uslThroughput(n: number, p: { alpha: number; beta: number; gamma: number }): number {
  return (p.gamma * n) / (1 + p.alpha * (n - 1) + p.beta * n * (n - 1));
}

function sse(points: XY[], p: [number, number, number]): number {
  let s = 0;
  for (const { n, x } of points) {
    const r = x - uslThroughput(n, { gamma: p[0], alpha: p[1], beta: p[2] });
    s += r * r;
  }
  return s;
}

function linearStart(points: XY[]): [number, number, number] {
  const rows = points.map(({ n }) => [1, n - 1, n * (n - 1)]);
  const y = points.map(({ n, x }) => n / x);
  const c = leastSquares(rows, y);
  // Fallback when the start is degenerate: γ from the best per-request rate, no contention, no coherency.
  const gammaFallback = Math.max(...points.map(({ n, x }) => x / n));
  if (!c || !(c[0]! > 0)) return [gammaFallback, 0, 0];
  const gamma = 1 / c[0]!;
  return [gamma, Math.max(0, c[1]! * gamma), Math.max(0, c[2]! * gamma)];
}

/** Levenberg–Marquardt (Marquardt's diagonal scaling), projecting α, β onto ≥ 0 and γ onto > 0 after each step. */
function refine(points: XY[], start: [number, number, number]): [number, number, number] {
  let p = start;
  let cost = sse(points, p);
  let lambda = 1e-3;
  for (let iter = 0; iter < 500; iter++) {
    const jtj = [
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
    ];
    const jtr = [0, 0, 0];
    for (const { n, x } of points) {
      const [gamma, alpha, beta] = p;
      const d = 1 + alpha * (n - 1) + beta * n * (n - 1);
      const f = (gamma * n) / d;
      const j = [n / d, (-gamma * n * (n - 1)) / (d * d), (-gamma * n * n * (n - 1)) / (d * d)];
      const r = x - f;
      for (let a = 0; a < 3; a++) {
        jtr[a]! += j[a]! * r;
        for (let b = 0; b < 3; b++) jtj[a]![b]! += j[a]! * j[b]!;
      }
    }
    let improved = false;
    while (lambda < 1e12) {
      const m = jtj.map((row, i) => row.map((v, k) => (i === k ? v * (1 + lambda) + 1e-30 : v)));
      const step = solve(m, jtr);
      if (!step) {
        lambda *= 10;
        continue;
      }
      const next: [number, number, number] = [
        Math.max(p[0] + step[0]!, 1e-12),
        Math.max(p[1] + step[1]!, 0),
        Math.max(p[2] + step[2]!, 0),
      ];
      const nextCost = sse(points, next);
      if (nextCost < cost) {
        const gain = cost - nextCost;
        p = next;
        cost = nextCost;
        lambda = Math.max(lambda / 10, 1e-12);
        improved = gain > 1e-12 * Math.max(cost, 1e-12);
        break;
      }
      lambda *= 10;
    }
    if (!improved) break;
  }
  return p;
}

/** Starting points besides the linearised one: γ from the best per-request rate, a spread of α and β. */
function gridStarts(points: XY[]): [number, number, number][] {
  const rates = points.map(({ n, x }) => x / n).sort((a, b) => b - a);
  const gammas = [rates[0]!, rates[Math.floor(rates.length / 4)]!];
  const starts: [number, number, number][] = [];
  for (const gamma of gammas) for (const alpha of [0, 0.02, 0.1, 0.3, 0.6]) for (const beta of [0, 1e-4, 1e-3, 1e-2]) starts.push([gamma, alpha, beta]);
  return starts;
}

function bestFit(points: XY[]): [number, number, number] {
  let best = refine(points, linearStart(points));
  let bestCost = sse(points, best);
  for (const start of gridStarts(points)) {
    const p = refine(points, start);
    const cost = sse(points, p);
    if (cost < bestCost) {
      best = p;
      bestCost = cost;
    }
  }
  return best;
}

export function fitUsl(points: XY[]): UslResult {
  const usable = points.filter((p) => Number.isFinite(p.n) && Number.isFinite(p.x) && p.n > 0 && p.x > 0);
  if (usable.length < USL_MIN_POINTS) {
    return { ok: false, points: usable.length, reason: `not enough data: ${usable.length} points, need ${USL_MIN_POINTS}` };
  }
  const ns = usable.map((p) => p.n);
  const spread = Math.max(...ns) / Math.min(...ns);
  if (spread < 1.5) {
    // Every bin ran at about the same concurrency (a steady load with no ramp): the curve's shape is not observable.
    return {
      ok: false,
      points: usable.length,
      reason: `not enough data: concurrency only varies from ${Math.min(...ns).toFixed(1)} to ${Math.max(...ns).toFixed(1)} (need a ramp: at least 1.5×)`,
    };
  }
  const [gamma, alpha, beta] = bestFit(usable);
  const mean = usable.reduce((s, p) => s + p.x, 0) / usable.length;
  const ssTot = usable.reduce((s, p) => s + (p.x - mean) ** 2, 0);
  const ssRes = sse(usable, [gamma, alpha, beta]);
  const r2 = ssTot > 0 ? 1 - ssRes / ssTot : 0;
  const result: UslResult = { ok: true, alpha, beta, gamma, r2, points: usable.length };
  if (r2 < USL_MIN_R2) {
    result.poorFit = true;
    result.note = `poor fit (R² ${r2.toFixed(2)}): the USL does not describe this run's bins well, so no peak is derived from it — read the knee instead`;
  } else if (beta > 0 && alpha < 1) {
    const peak = Math.sqrt((1 - alpha) / beta);
    result.peakConcurrency = peak;
    result.peakThroughput = uslThroughput(peak, { alpha, beta, gamma });
    if (peak > Math.max(...ns) * 10) result.note = 'the peak lies far beyond the measured concurrency: treat it as a rough extrapolation';
  } else {
    result.note = 'β = 0: no retrograde region in the data — throughput only flattens towards γ/α';
  }
  return result;
}
