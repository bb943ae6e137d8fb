import { describe, expect, it } from 'vitest';
import { closedModelThroughput, littlesLaw, utilization } from '../../../analyzer/capacity/closed-model.js';
import { formulaText } from '../../../analyzer/capacity/render.js';
import { gunicornWorkers, nodeClusterWorkers, serviceCapacity } from '../../../analyzer/capacity/workers.js';

describe('worker formulas', () => {
  it('gunicorn: 2 × cores + 1', () => {
    expect(gunicornWorkers(1).result).toBe(3);
    expect(gunicornWorkers(4).result).toBe(9);
    expect(formulaText(gunicornWorkers(2))).toBe('workers = 2 × cores + 1 = 2 × 2 + 1 = 5 workers');
  });

  it('Node cluster: one per core, at least one on a fractional vCPU', () => {
    expect(nodeClusterWorkers(4).result).toBe(4);
    expect(nodeClusterWorkers(0.25).result).toBe(1);
    expect(nodeClusterWorkers(2.5).result).toBe(2);
  });

  it('capacity = workers × threads / S', () => {
    // 4 workers × 2 threads / 0.05 s = 160 req/s
    const line = serviceCapacity(4, 2, 0.05);
    expect(line.result).toBeCloseTo(160, 9);
    expect(formulaText(line)).toBe('capacity = workers × threads / S = 4 × 2 / 0.05 s = 160 req/s');
    expect(() => serviceCapacity(1, 1, 0)).toThrow(RangeError);
  });
});

describe('closed model', () => {
  it('X = N / (R + Z), printed with the numbers in place', () => {
    const x = closedModelThroughput(2500, 0.85, 6);
    expect(x.result).toBeCloseTo(2500 / 6.85, 9); // 364.96
    expect(formulaText(x)).toBe('X = N / (R + Z) = 2500 / (0.85 s + 6 s) = 365 req/s');
  });

  it("Little's law L = X · R", () => {
    expect(littlesLaw(200, 0.25).result).toBeCloseTo(50, 9);
  });

  it('utilization ρ = X / capacity, and says when it is over 100%', () => {
    const under = utilization(30, 40);
    expect(under.result).toBeCloseTo(0.75, 9);
    expect(under.note).toContain('75% busy');
    const over = utilization(365, 23.5);
    expect(over.result).toBeCloseTo(15.53, 2);
    expect(over.note).toMatch(/queue/);
  });

  it('rejects a zero cycle (R + Z = 0)', () => {
    expect(() => closedModelThroughput(10, 0, 0)).toThrow(RangeError);
  });
});

describe('rounding up worker counts', () => {
  it('ignores floating-point dust but not real fractions', async () => {
    const { ceilTolerant } = await import('../../../analyzer/capacity/plan.js');
    expect((0.1 * 3) / 0.3).toBeGreaterThan(1); // 1.0000000000000002
    expect(ceilTolerant((0.1 * 3) / 0.3)).toBe(1);
    expect(ceilTolerant(1.001)).toBe(2);
    expect(ceilTolerant(3.9)).toBe(4);
  });
});
