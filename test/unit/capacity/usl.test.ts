import { describe, expect, it } from 'vitest';
import { fitUsl, uslThroughput } from '../../../analyzer/capacity/usl.js';
import { rng } from './fixtures.js';
import labRun from '../../fixtures/capacity/lab-run-bins.json' with { type: 'json' };

const truth = { alpha: 0.05, beta: 0.001, gamma: 50 };
const ns = Array.from({ length: 40 }, (_, i) => i + 1);

describe('USL fit', () => {
  it('recovers α, β and γ from exact data, with the peak N* = √((1 − α) / β)', () => {
    const fit = fitUsl(ns.map((n) => ({ n, x: uslThroughput(n, truth) })));
    if (!fit.ok) throw new Error(fit.reason);
    expect(fit.alpha).toBeCloseTo(0.05, 4);
    expect(fit.beta).toBeCloseTo(0.001, 6);
    expect(fit.gamma).toBeCloseTo(50, 2);
    expect(fit.r2).toBeGreaterThan(0.9999);
    expect(fit.peakConcurrency).toBeCloseTo(Math.sqrt(0.95 / 0.001), 1); // 30.8
    expect(fit.peakThroughput).toBeCloseTo(uslThroughput(Math.sqrt(950), truth), 1);
  });

  it('recovers α and β from noisy data (±5%)', () => {
    const random = rng(42);
    const points = ns.flatMap((n) => [0, 1, 2].map(() => ({ n, x: uslThroughput(n, truth) * (1 + (random() - 0.5) * 0.1) })));
    const fit = fitUsl(points);
    if (!fit.ok) throw new Error(fit.reason);
    expect(Math.abs(fit.alpha - 0.05)).toBeLessThan(0.015);
    expect(Math.abs(fit.beta - 0.001) / 0.001).toBeLessThan(0.25);
    expect(fit.r2).toBeGreaterThan(0.9);
    expect(fit.peakConcurrency).toBeGreaterThan(26);
    expect(fit.peakConcurrency).toBeLessThan(36);
  });

  it('recovers a contention-only curve (β = 0) with no peak', () => {
    const fit = fitUsl(ns.map((n) => ({ n, x: uslThroughput(n, { alpha: 0.2, beta: 0, gamma: 10 }) })));
    if (!fit.ok) throw new Error(fit.reason);
    expect(fit.alpha).toBeCloseTo(0.2, 3);
    expect(fit.beta).toBeLessThan(1e-6);
    if (fit.beta === 0) expect(fit.peakConcurrency).toBeUndefined();
  });

  it('keeps α and β non-negative on superlinear data', () => {
    const fit = fitUsl(ns.map((n) => ({ n, x: 10 * n ** 1.1 })));
    if (!fit.ok) throw new Error(fit.reason);
    expect(fit.alpha).toBeGreaterThanOrEqual(0);
    expect(fit.beta).toBeGreaterThanOrEqual(0);
  });

  it('fits the bins of a real lab run (many low-load ramp bins, then a plateau near 150 req/s)', () => {
    // The linearised start alone lands in a poor local minimum here (R² -0.92, a flat curve at 50 req/s, below
    // every measured point); the multi-start refinement finds the plateau.
    const fit = fitUsl(labRun.points);
    expect(fit.ok).toBe(true);
    if (!fit.ok) return;
    expect(fit.r2).toBeGreaterThan(0.8);
    expect(fit.poorFit).toBeUndefined();
    const plateau = Math.max(...labRun.points.map((p) => p.x));
    expect(fit.peakThroughput).toBeGreaterThan(0.7 * plateau);
    expect(fit.peakThroughput).toBeLessThan(1.3 * plateau);
  });

  it('reports a poor fit, and no peak, when the USL does not describe the data', () => {
    // throughput jumping between two levels whatever the concurrency
    const points = Array.from({ length: 30 }, (_, i) => ({ n: 1 + i, x: i % 2 === 0 ? 10 : 200 }));
    const fit = fitUsl(points);
    expect(fit.ok).toBe(true);
    if (!fit.ok) return;
    expect(fit.r2).toBeLessThan(0.5);
    expect(fit.poorFit).toBe(true);
    expect(fit.peakConcurrency).toBeUndefined();
    expect(fit.note).toContain('poor fit');
  });

  it('says "not enough data" with fewer than six points', () => {
    const fit = fitUsl([1, 2, 3, 4, 5].map((n) => ({ n, x: uslThroughput(n, truth) })));
    expect(fit).toEqual({ ok: false, points: 5, reason: 'not enough data: 5 points, need 6' });
  });

  it('says "not enough data" when concurrency never varies (a flat run with no ramp)', () => {
    const fit = fitUsl([10, 10.2, 10.1, 9.9, 10, 10.3, 10.1].map((n) => ({ n, x: 100 })));
    expect(fit.ok).toBe(false);
    if (!fit.ok) expect(fit.reason).toMatch(/^not enough data: concurrency only varies/);
  });
});
