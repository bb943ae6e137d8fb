import { describe, expect, it } from 'vitest';
import { analyzeSaturation, findKnee, saturationPoints } from '../../../analyzer/capacity/saturation.js';
import { uslThroughput } from '../../../analyzer/capacity/usl.js';
import type { SaturationPoint } from '../../../analyzer/capacity/types.js';
import { bin, BIN_MS, curveBins, rng } from './fixtures.js';

function points(ns: number[], x: (n: number) => number): SaturationPoint[] {
  return ns.map((n, i) => ({ time: i, concurrency: n, throughput: x(n), latencyMeanMs: (n / x(n)) * 1000, latencyP95Ms: 0 }));
}
const ns = Array.from({ length: 30 }, (_, i) => i + 1);

describe('saturation points', () => {
  it('drops empty bins and the partial first and last bins, and counts them', () => {
    const bins = [bin(0, 1, 5), bin(1, 0, 0), bin(2, 4, 40), bin(3, 5, 50), bin(4, 0, 0), bin(5, 6, 55), bin(6, 1, 3)];
    const { points: ps, dropped } = saturationPoints({ bins, binMs: BIN_MS });
    expect(dropped).toEqual({ empty: 2, rampEdge: 2 });
    expect(ps.map((p) => p.concurrency)).toEqual([4, 5, 6]);
    // 400 requests in a 10 s bin = 40 req/s
    expect(ps[0]!.throughput).toBeCloseTo(40, 9);
  });
});

describe('the knee', () => {
  it('is found where throughput flattens at a hard limit (100 req/s from 10 in flight)', () => {
    const { knee } = findKnee(points(ns, (n) => Math.min(10 * n, 100)));
    expect(knee).toBeDefined();
    expect(knee!.concurrency).toBe(10);
    expect(knee!.throughput).toBeCloseTo(100, 6);
    expect(knee!.slopeAbove).toBeLessThan(0.25 * knee!.slopeBelow);
    expect(knee!.latencyAboveMs).toBeGreaterThan(1.5 * knee!.latencyBelowMs);
  });

  it('is found on a USL curve that turns down, near its peak', () => {
    const { knee } = findKnee(points(ns, (n) => uslThroughput(n, { alpha: 0.03, beta: 0.002, gamma: 20 })));
    expect(knee).toBeDefined();
    // peak at √(0.97 / 0.002) ≈ 22; the hinge sits where growth stops, before it
    expect(knee!.concurrency).toBeGreaterThan(5);
    expect(knee!.concurrency).toBeLessThan(22);
  });

  it('is found on a noisy saturating curve', () => {
    const random = rng(7);
    const noisy = points(ns, (n) => 100 * (1 - Math.exp(-n / 6)) * (1 + (random() - 0.5) * 0.06));
    expect(findKnee(noisy).knee).toBeDefined();
  });

  it('is NOT found on a linear curve (constant latency), clean or noisy', () => {
    const linear = findKnee(points(ns, (n) => 10 * n));
    expect(linear.knee).toBeUndefined();
    expect(linear.note).toMatch(/^no knee: throughput keeps growing/);
    const random = rng(3);
    expect(findKnee(points(ns, (n) => 10 * n * (1 + (random() - 0.5) * 0.1))).knee).toBeUndefined();
  });

  it('says "not enough data" on too few bins', () => {
    expect(findKnee(points([1, 2, 3], (n) => n)).note).toBe('not enough data: 3 usable bins, need 5');
  });

  it('reads the knee from a run’s bins end to end', () => {
    const s = analyzeSaturation({ bins: curveBins(ns, (n) => Math.min(8 * n, 96)), binMs: BIN_MS });
    expect(s.points).toHaveLength(30);
    expect(s.dropped.rampEdge).toBe(2);
    expect(s.knee?.concurrency).toBe(12);
  });
});
