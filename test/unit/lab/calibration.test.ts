import { describe, expect, it } from 'vitest';
import { computeCapacity, parseDeploymentFacts } from '../../../analyzer/capacity/index.js';
import { beforeAfter } from '../../../lab/before-after.js';
import { MAX_PLANNER_SHARE, calibrate, lighterCpuWork, type ProbeResult } from '../../../lab/calibrate.js';
import type { StepNumbers } from '../../../lab/lab-step.js';
import { MIN_PLANNER_ITERATIONS, labPlanners, labScenarioModule, plannerRps, studierChecks, studierThinkS } from '../../../lab/lab-scenario.js';
import { planVerification } from '../../../lab/verify-size.js';
import { aggregate, latency } from '../capacity/fixtures.js';

const planners = { vus: 3, iterations: 60 };
const probe = (rps: number, failed = 0): ProbeResult => ({ rps, requests: rps * 2, meanMs: 4000 / rps, concurrency: 4, durationS: 2, runId: 'r-probe', failed });

describe('the calibration', () => {
  it("sets the studiers' peak to ratio × one worker's capacity, the planners' requests counted in", () => {
    // 150 req/s measured, 1.7 × → 255 req/s at the peak; the planners send 25 of them; Z = 9.6 s
    const c = calibrate(probe(150), 1.7, 9.6, planners, 25, 5);
    expect(c.studiersPeak).toBe(Math.round((255 - 25) * 9.6));
    expect(c.peakArrivalRps).toBeCloseTo(c.studiersPeak / 9.6 + 25, 6);
    expect(c.peakArrivalRps / c.oneWorkerRps).toBeCloseTo(1.7, 2);
  });

  it('scales with the machine: half the capacity, half the studiers (above the planners)', () => {
    const fast = calibrate(probe(200), 1.5, 10, planners, 20, 5);
    const slow = calibrate(probe(100), 1.5, 10, planners, 20, 5);
    // the planners (20 req/s × Z = 10 s) stand in for 200 studiers on both
    expect(fast.studiersPeak + 200).toBe(2 * (slow.studiersPeak + 200));
  });

  it('refuses a probe the app did not answer', () => {
    expect(() => calibrate(probe(0), 1.5, 10, planners, 20, 5)).toThrow(/capacity probe/);
    expect(() => calibrate(probe(50, 20), 1.5, 10, planners, 20, 5)).toThrow(/20 failed/);
  });

  it('lightens the CPU knob once when the planners would be more than their share of the peak', () => {
    // needed: 25 / (0.2 × 1.7) ≈ 73.5 req/s
    const needed = 25 / (MAX_PLANNER_SHARE * 1.7);
    expect(lighterCpuWork(probe(80), 5, 1.7, 25)).toBeUndefined();
    // 65 req/s = 15.4 ms a request; 73.5 req/s = 13.6 ms: 1.8 ms lighter
    expect(lighterCpuWork(probe(65), 5, 1.7, 25)).toBeCloseTo(5 - (1000 / 65 - 1000 / needed), 1);
    // a very busy machine: the knob keeps half its work (2.5 of 5 ms), so the CPU work and not the buggy run's
    // growing list stays what a request costs
    expect(lighterCpuWork(probe(20), 5, 1.7, 25)).toBe(2.5);
    expect(lighterCpuWork(probe(20), 0, 1.7, 25)).toBeUndefined();
  });

  it("the scenario keeps the handout's ramp shape; the planners are the ones given", () => {
    const m = labScenarioModule('buggy', 1250, { vus: 3, iterations: 55 }, 1) as {
      options: { scenarios: { studiers: { stages: { target: number }[] }; planners: { vus: number; iterations: number; exec: string } } };
    };
    expect(m.options.scenarios.studiers.stages.map((s) => s.target)).toEqual([500, 1250, 0]);
    expect(m.options.scenarios.planners).toMatchObject({ vus: 3, iterations: 55, exec: 'createAndDeleteTodo' });
    expect(studierThinkS(0.08)).toBeCloseTo(9.6, 9);
    // 3 VUs × 2 requests per 2 × 0.8 s of think time
    expect(plannerRps({ vus: 3, iterations: 55 }, 0.08, 1)).toBeCloseTo(3.75, 9);
  });

  it("scales the planners with the studiers, so their checks are the handout's share (800 of 13,000)", () => {
    // the ramp 0 → 40 % → 100 % → 0 in stages of Z each: 1.4 × the peak in VU-seconds / Z, plus half an iteration each
    expect(studierChecks(1000)).toBeCloseTo(1900, 6);
    for (const peak of [600, 1000, 2500, 5000]) {
      const p = labPlanners(peak);
      const share = (2 * p.iterations) / (2 * p.iterations + studierChecks(peak));
      expect(share).toBeCloseTo(800 / 13_000, 2);
      // 20 iterations a VU, as the handout's 400 on 20: the planners run as long as the ramp
      expect(p.iterations / p.vus).toBeGreaterThan(15);
      expect(p.iterations / p.vus).toBeLessThan(25);
    }
    expect(labPlanners(2 * 1000).iterations).toBeCloseTo(2 * labPlanners(1000).iterations, -1);
    // a very slow machine: the floor keeps the two client bugs unmistakable
    expect(labPlanners(50)).toEqual({ vus: 1, iterations: MIN_PLANNER_ITERATIONS });
  });
});

const numbers = (noResponse: number, rho: number): StepNumbers => ({
  requests: 5000,
  checksTotal: 5000,
  checksFailed: noResponse,
  noResponse,
  timeouts: noResponse,
  answeredCheckFailures: 0,
  serverErrors: 0,
  rho,
  serverP95Ms: 900,
});

describe('before and after', () => {
  it('says only what was measured', () => {
    expect(beforeAfter(numbers(300, 1.4), numbers(0, 0.8))).toMatchObject({ verdict: 'timeouts gone', rhoBelowOne: true });
    expect(beforeAfter(numbers(300, 1.4), numbers(120, 1.05))).toMatchObject({ verdict: 'timeouts reduced', rhoBelowOne: false });
    expect(beforeAfter(numbers(300, 1.4), numbers(310, 1.3)).verdict).toBe('timeouts not reduced');
    expect(beforeAfter(numbers(0, 0.5), numbers(0, 0.3)).verdict).toBe('no timeouts before');
  });
});

describe('the size to verify', () => {
  const facts = parseDeploymentFacts({ fargateCpu: '1024', fargateMemory: '2048', workers: '1', targetVus: '2520' });
  const client = { file: 's.json', requests: 5000, failedRequests: 0, checks: [], thinkTimeS: 9.6, vusMax: 2520 };
  // 5 ms a request on one worker, 2520 users thinking 9.6 s: ~260 req/s offered against ~200 served
  const capacity = computeCapacity(aggregate({ totals: { latency: latency(5, 10), dbMsMean: 1, poolWaitMsMean: 0 } }), client, facts);

  it('verifies the recommended workers when the machine can host them, and names the AWS size', () => {
    const plan = planVerification(capacity, 8);
    expect(plan.recommendedWorkers).toBe(capacity.plan!.workersPerTask * capacity.plan!.tasks);
    expect(plan.canHost).toBe(plan.recommendedWorkers <= 7);
    expect(plan.aws?.terraform).toContain(`app_cpu = ${capacity.plan!.fargate!.cpuUnits}`);
    expect(plan.aws?.terraform).toContain(`web_concurrency = ${capacity.plan!.workersPerTask}`);
  });

  it('on two cores verifies at most two workers, and says it cannot host more', () => {
    const plan = planVerification({ ...capacity, plan: { ...capacity.plan!, workersPerTask: 3, tasks: 1 } }, 2);
    expect(plan).toMatchObject({ recommendedWorkers: 3, hostableWorkers: 2, workers: 2, canHost: false });
  });

  it('without a plan, measures the next size up', () => {
    expect(planVerification(undefined, 2)).toMatchObject({ recommendedWorkers: 2, workers: 2, canHost: true });
  });
});
