import type { RampingVusPlan } from './types.js';

/** Total length of the stages, in ms. */
export function stagesDurationMs(plan: Pick<RampingVusPlan, 'stages'>): number {
  return plan.stages.reduce((sum, stage) => sum + stage.durationMs, 0);
}

/**
 * The VU target at `elapsedMs` into a ramping-vus scenario: a straight line from the previous target to the stage's
 * target. Like k6, a VU is added when the line reaches its number (floor on the way up) and removed when the line
 * drops below it (ceil on the way down), so the target never overshoots the line's direction of travel.
 * Past the end: the last stage's target.
 */
export function targetAt(plan: Pick<RampingVusPlan, 'startVUs' | 'stages'>, elapsedMs: number): number {
  let from = plan.startVUs;
  let stageStart = 0;
  for (const stage of plan.stages) {
    const stageEnd = stageStart + stage.durationMs;
    if (elapsedMs < stageEnd) {
      const progress = stage.durationMs === 0 ? 1 : (elapsedMs - Math.max(stageStart, 0)) / stage.durationMs;
      const line = from + (stage.target - from) * Math.min(Math.max(progress, 0), 1);
      return stage.target >= from ? Math.floor(line + 1e-9) : Math.ceil(line - 1e-9);
    }
    from = stage.target;
    stageStart = stageEnd;
  }
  return from;
}

/** The highest target the scenario ever asks for: the VUs it needs (k6's vus_max for this executor). */
export function maxTarget(plan: Pick<RampingVusPlan, 'startVUs' | 'stages'>): number {
  return plan.stages.reduce((max, stage) => Math.max(max, stage.target), plan.startVUs);
}
