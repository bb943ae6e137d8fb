/**
 * The lab's scenario (loadtests/scenarios/planners-and-studiers*.ts, buggy or fixed) with the studiers' peak set by
 * the calibration: the same ramp (40 % of the peak, then the peak, then 0), the same think times, and the planners
 * untouched (20 VUs, 400 iterations: lesson 2's 400 POSTs), only the studiers' count changes.
 */
import { SCENARIOS } from '../loadtests/runner/index.js';
import type { ScenarioModule } from '../loadtests/load/scenario-module.js';
import { PLANNER_THINK_S, STUDIER_THINK_S, options as handoutOptions } from '../loadtests/scenarios/planners-and-studiers.options.js';
import { HANDOUT_STUDIERS } from './calibrate.js';

export const LAB_SCENARIO = 'planners-and-studiers';
export type LabVariant = 'buggy' | 'fixed';

/** Each planner iteration sends two requests (create, delete) and thinks twice. */
const PLANNER_REQUESTS_PER_ITERATION = 2;

export function studierThinkS(timeScale: number): number {
  return STUDIER_THINK_S * timeScale;
}

/** The planners' arrival rate while they run, req/s: VUs × 2 requests per 2 × think time. */
export function plannerRps(timeScale: number, vuScale: number): number {
  const vus = Math.max(1, Math.round(handoutOptions.scenarios.planners.vus * vuScale));
  return (vus * PLANNER_REQUESTS_PER_ITERATION) / (2 * PLANNER_THINK_S * timeScale);
}

/**
 * The scenario module with `studiersPeak` studiers at the peak. The runner's --vu-scale still applies on top (the
 * lab passes 1 for the studiers' sake and scales the planners through it only when asked), so the peak is given
 * here already divided by it.
 */
export function labScenarioModule(variant: LabVariant, studiersPeak: number, vuScale: number): ScenarioModule {
  const base = SCENARIOS[LAB_SCENARIO]!.module(variant);
  const studiers = handoutOptions.scenarios.studiers;
  const factor = studiersPeak / HANDOUT_STUDIERS / vuScale;
  const stages = studiers.stages.map((s) => ({ ...s, target: Math.max(s.target === 0 ? 0 : 1, Math.round(s.target * factor)) }));
  return {
    ...base,
    options: { ...handoutOptions, scenarios: { ...handoutOptions.scenarios, studiers: { ...studiers, stages } } },
  };
}
