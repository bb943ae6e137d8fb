import { arrivalScheduleLengthMs } from './arrival-schedule.js';
import { maxTarget, stagesDurationMs } from './stages.js';
import type { ExecutorPlan, ExecutorSpec, ScenarioPlan, ScenarioSpec } from './types.js';

/** VU and iteration counts scale with --vu-scale, but a non-zero count never scales below 1. */
export function scaleCount(count: number, factor: number): number {
  if (count === 0) return 0;
  return Math.max(1, Math.round(count * factor));
}

const ms = (seconds: number, timeScale: number): number => Math.round(seconds * timeScale * 1000);

/**
 * Applies --time-scale (every duration: stages, maxDuration, graceful ramp-down/stop, startTime) and --vu-scale
 * (VU counts, iteration counts, and arrival rates — a rate is a load level, like a VU count, so it scales with the
 * VUs; the time unit is a duration and scales with time, which keeps "iterations per scenario" stable under
 * --time-scale alone).
 */
export function scaleExecutor(spec: ExecutorSpec, timeScale: number, vuScale: number): ExecutorPlan {
  switch (spec.executor) {
    case 'ramping-vus':
      return {
        executor: 'ramping-vus',
        startVUs: scaleCount(spec.startVUs, vuScale),
        stages: spec.stages.map((s) => ({ durationMs: ms(s.durationS, timeScale), target: scaleCount(s.target, vuScale) })),
        gracefulRampDownMs: ms(spec.gracefulRampDownS, timeScale),
        gracefulStopMs: ms(spec.gracefulStopS, timeScale),
      };
    case 'shared-iterations':
    case 'per-vu-iterations':
      return {
        executor: spec.executor,
        vus: scaleCount(spec.vus, vuScale),
        iterations: scaleCount(spec.iterations, vuScale),
        maxDurationMs: ms(spec.maxDurationS, timeScale),
        gracefulStopMs: ms(spec.gracefulStopS, timeScale),
      };
    case 'constant-vus':
      return {
        executor: 'constant-vus',
        vus: scaleCount(spec.vus, vuScale),
        durationMs: ms(spec.durationS, timeScale),
        gracefulStopMs: ms(spec.gracefulStopS, timeScale),
      };
    case 'constant-arrival-rate':
      return {
        executor: 'constant-arrival-rate',
        rate: scaleCount(spec.rate, vuScale),
        timeUnitMs: ms(spec.timeUnitS, timeScale),
        durationMs: ms(spec.durationS, timeScale),
        preAllocatedVUs: scaleCount(spec.preAllocatedVUs, vuScale),
        maxVUs: scaleCount(spec.maxVUs, vuScale),
        gracefulStopMs: ms(spec.gracefulStopS, timeScale),
      };
    case 'ramping-arrival-rate':
      return {
        executor: 'ramping-arrival-rate',
        startRate: scaleCount(spec.startRate, vuScale),
        timeUnitMs: ms(spec.timeUnitS, timeScale),
        stages: spec.stages.map((s) => ({ durationMs: ms(s.durationS, timeScale), target: scaleCount(s.target, vuScale) })),
        preAllocatedVUs: scaleCount(spec.preAllocatedVUs, vuScale),
        maxVUs: scaleCount(spec.maxVUs, vuScale),
        gracefulStopMs: ms(spec.gracefulStopS, timeScale),
      };
  }
}

export function scaleScenario(spec: ScenarioSpec, timeScale: number, vuScale: number): ScenarioPlan {
  return {
    name: spec.name,
    executor: scaleExecutor(spec.executor, timeScale, vuScale),
    iteration: spec.iteration,
    thinkTimeS: spec.thinkTimeS === undefined ? undefined : spec.thinkTimeS * timeScale,
    ...(spec.startTimeS ? { startTimeMs: ms(spec.startTimeS, timeScale) } : {}),
    ...(spec.tags ? { tags: spec.tags } : {}),
  };
}

/** VUs the executor can have at once (k6 pre-allocates this many: vus_max; arrival rates may grow to maxVUs). */
export function executorMaxVus(plan: ExecutorPlan): number {
  switch (plan.executor) {
    case 'ramping-vus':
      return maxTarget(plan);
    case 'shared-iterations':
      return Math.min(plan.vus, plan.iterations);
    case 'per-vu-iterations':
    case 'constant-vus':
      return plan.vus;
    case 'constant-arrival-rate':
    case 'ramping-arrival-rate':
      return Math.max(plan.preAllocatedVUs, plan.maxVUs);
  }
}

/** The longest the executor can run, graceful stop included (the hard deadline is built on it). */
export function executorMaxDurationMs(plan: ExecutorPlan): number {
  switch (plan.executor) {
    case 'ramping-vus':
      return stagesDurationMs(plan) + plan.gracefulStopMs;
    case 'shared-iterations':
    case 'per-vu-iterations':
      return plan.maxDurationMs + plan.gracefulStopMs;
    case 'constant-vus':
      return plan.durationMs + plan.gracefulStopMs;
    case 'constant-arrival-rate':
    case 'ramping-arrival-rate':
      return arrivalScheduleLengthMs(plan) + plan.gracefulStopMs;
  }
}
