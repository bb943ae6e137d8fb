import { maxTarget, stagesDurationMs } from './stages.js';
import type { ExecutorPlan, ExecutorSpec, ScenarioPlan, ScenarioSpec } from './types.js';

/** VU and iteration counts scale with --vu-scale, but a non-zero count never scales below 1. */
export function scaleCount(count: number, factor: number): number {
  if (count === 0) return 0;
  return Math.max(1, Math.round(count * factor));
}

const ms = (seconds: number, timeScale: number): number => Math.round(seconds * timeScale * 1000);

/** Applies --time-scale (every duration: stages, maxDuration, graceful ramp-down/stop) and --vu-scale. */
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
      return {
        executor: 'shared-iterations',
        vus: scaleCount(spec.vus, vuScale),
        iterations: scaleCount(spec.iterations, vuScale),
        maxDurationMs: ms(spec.maxDurationS, timeScale),
        gracefulStopMs: ms(spec.gracefulStopS, timeScale),
      };
  }
}

export function scaleScenario(spec: ScenarioSpec, timeScale: number, vuScale: number): ScenarioPlan {
  return {
    name: spec.name,
    executor: scaleExecutor(spec.executor, timeScale, vuScale),
    iteration: spec.iteration,
    thinkTimeS: spec.thinkTimeS * timeScale,
  };
}

/** VUs the executor can have at once (k6 pre-allocates this many: vus_max). */
export function executorMaxVus(plan: ExecutorPlan): number {
  return plan.executor === 'ramping-vus' ? maxTarget(plan) : Math.min(plan.vus, plan.iterations);
}

/** The longest the executor can run, graceful stop included (the hard deadline is built on it). */
export function executorMaxDurationMs(plan: ExecutorPlan): number {
  return plan.executor === 'ramping-vus'
    ? stagesDurationMs(plan) + plan.gracefulStopMs
    : plan.maxDurationMs + plan.gracefulStopMs;
}
