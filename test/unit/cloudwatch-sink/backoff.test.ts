import { describe, expect, it } from 'vitest';
import { backoffCeiling, backoffDelay } from '../../../common/aws-retry.js';

const policy = { baseMs: 200, capMs: 20_000 };

describe('backoff (exponential, full jitter)', () => {
  it('doubles the ceiling each attempt up to the cap', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8].map((a) => backoffCeiling(a, policy))).toEqual([200, 400, 800, 1600, 3200, 6400, 12_800, 20_000, 20_000]);
    expect(backoffCeiling(5000, policy)).toBe(20_000);
  });

  it('draws the delay uniformly below the ceiling', () => {
    expect(backoffDelay(3, policy, () => 0)).toBe(0);
    expect(backoffDelay(3, policy, () => 0.5)).toBe(800);
    expect(backoffDelay(3, policy, () => 0.999999)).toBe(1599);
  });

  it('spreads delays (not every retry waits the same)', () => {
    let seed = 1;
    const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    const delays = Array.from({ length: 50 }, () => backoffDelay(4, policy, random));
    expect(new Set(delays).size).toBeGreaterThan(40);
    expect(Math.max(...delays)).toBeLessThan(3200);
  });
});
