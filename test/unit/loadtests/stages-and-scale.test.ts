import { describe, expect, it } from 'vitest';
import { maxTarget, stagesDurationMs, targetAt } from '../../../loadtests/runner/stages.js';
import { executorMaxDurationMs, executorMaxVus, scaleCount, scaleScenario } from '../../../loadtests/runner/scale.js';
import { SCENARIOS } from '../../../loadtests/scenarios/index.js';
import { moduleToSpecs } from '../../../loadtests/load/scenario-module.js';

/** the lab's scenario file, through the same k6-options parsing every scenario file goes through */
const labSpecs = (variant: string) => moduleToSpecs(SCENARIOS['planners-and-studiers']!.module(variant), {}, () => undefined);

const lab = { startVUs: 0, stages: [{ durationMs: 120_000, target: 1000 }, { durationMs: 120_000, target: 2500 }, { durationMs: 120_000, target: 0 }] };

describe('targetAt (ramping-vus stages)', () => {
  it("follows the lab's straight lines 0→1000→2500→0", () => {
    expect(targetAt(lab, 0)).toBe(0);
    expect(targetAt(lab, 60_000)).toBe(500);
    expect(targetAt(lab, 120_000)).toBe(1000);
    expect(targetAt(lab, 180_000)).toBe(1750);
    expect(targetAt(lab, 240_000)).toBe(2500);
    expect(targetAt(lab, 300_000)).toBe(1250);
    expect(targetAt(lab, 360_000)).toBe(0);
    expect(targetAt(lab, 999_999)).toBe(0);
  });

  it('adds a VU when the line reaches it (floor going up) and keeps it until the line drops below (ceil going down)', () => {
    const plan = { startVUs: 0, stages: [{ durationMs: 1000, target: 10 }, { durationMs: 1000, target: 0 }] };
    expect(targetAt(plan, 99)).toBe(0);
    expect(targetAt(plan, 100)).toBe(1);
    expect(targetAt(plan, 1001)).toBe(10); // 9.99 on the way down -> still 10
    expect(targetAt(plan, 1950)).toBe(1);
  });

  it('jumps on a zero-length stage and holds on a flat one', () => {
    const plan = { startVUs: 3, stages: [{ durationMs: 0, target: 7 }, { durationMs: 500, target: 7 }] };
    expect(targetAt(plan, 0)).toBe(7);
    expect(targetAt(plan, 250)).toBe(7);
    expect(maxTarget(plan)).toBe(7);
    expect(stagesDurationMs(plan)).toBe(500);
  });
});

describe('scaling', () => {
  it('never scales a non-zero count below 1, and keeps 0 at 0', () => {
    expect(scaleCount(20, 0.01)).toBe(1);
    expect(scaleCount(2500, 0.1)).toBe(250);
    expect(scaleCount(0, 10)).toBe(0);
  });

  it('multiplies every duration by the time scale and every count by the VU scale', () => {
    const [studiers, planners] = labSpecs('buggy').map((s) => scaleScenario(s, 0.05, 0.1));
    expect(studiers!.executor).toEqual({
      executor: 'ramping-vus',
      startVUs: 0,
      stages: [{ durationMs: 6000, target: 100 }, { durationMs: 6000, target: 250 }, { durationMs: 6000, target: 0 }],
      gracefulRampDownMs: 1500,
      gracefulStopMs: 1500,
    });
    expect(studiers!.thinkTimeS).toBeCloseTo(6);
    expect(planners!.executor).toEqual({ executor: 'shared-iterations', vus: 2, iterations: 40, maxDurationMs: 30_000, gracefulStopMs: 1500 });
    expect(executorMaxVus(studiers!.executor)).toBe(250);
    expect(executorMaxDurationMs(studiers!.executor)).toBe(19_500);
  });

  it("keeps the lab's scenario faithful at scale 1", () => {
    const [studiers, planners] = labSpecs('buggy').map((s) => scaleScenario(s, 1, 1));
    expect(studiers!.executor).toMatchObject({ startVUs: 0, stages: lab.stages, gracefulRampDownMs: 30_000, gracefulStopMs: 30_000 });
    expect(planners!.executor).toMatchObject({ vus: 20, iterations: 400 });
    expect(executorMaxVus(planners!.executor)).toBe(20);
  });
});
