/**
 * The lab's scenario (loadtests/scenarios/planners-and-studiers*.ts, buggy or fixed) with the studiers' peak set by
 * the calibration: the same ramp (40 % of the peak, then the peak, then 0) and the same think times; the planners
 * scale with the studiers, so that their checks stay the handout's share of all checks (labPlanners).
 */
import { SCENARIOS } from '../loadtests/scenarios/index.js';
import { parseK6Duration } from '../loadtests/runner/duration.js';
import type { ScenarioModule } from '../loadtests/load/scenario-module.js';
import { PLANNER_THINK_S, STUDIER_THINK_S, options as handoutOptions } from '../loadtests/scenarios/planners-and-studiers.options.js';
import { HANDOUT_STUDIERS } from './calibrate.js';

export const LAB_SCENARIO = 'planners-and-studiers';
export type LabVariant = 'buggy' | 'fixed';

/** Each planner iteration sends two requests (create, delete), each followed by one check, and thinks twice. */
const PLANNER_REQUESTS_PER_ITERATION = 2;

/** The planners of one lab run (before the runner's --vu-scale). */
export interface LabPlanners {
  vus: number;
  iterations: number;
}

/**
 * The handout's run: its students see 94 % of the checks pass while all 800 planner checks (400 iterations × 2)
 * fail, so about 13,000 checks in all: the planners' checks are 800 / 13,000 ≈ 6 % of them.
 */
const HANDOUT_CHECKS = 13_000;
const HANDOUT_PLANNER_CHECKS = handoutOptions.scenarios.planners.iterations * PLANNER_REQUESTS_PER_ITERATION;

/** Fewer planner iterations than this and the two client bugs are no longer unmistakable in the report. */
export const MIN_PLANNER_ITERATIONS = 20;

export function studierThinkS(timeScale: number): number {
  return STUDIER_THINK_S * timeScale;
}

/**
 * The checks the studiers make with `studiersPeak` at the peak, by the closed model below the knee (R ≪ Z): each
 * studier checks once when it starts and once every Z it stays, so VU-seconds / Z + one half-iteration per
 * studier. The time scale shortens the stages and Z alike, so it cancels: 1.9 × the peak for the lab's ramp
 * (measured: 1.6–1.8 ×, the overloaded peak's response times lengthen the iterations).
 */
export function studierChecks(studiersPeak: number): number {
  const { stages } = handoutOptions.scenarios.studiers;
  let vus = 0;
  let vuSeconds = 0;
  for (const s of stages) {
    const target = (s.target / HANDOUT_STUDIERS) * studiersPeak;
    vuSeconds += ((vus + target) / 2) * (parseK6Duration(s.duration)! / 1000);
    vus = target;
  }
  return vuSeconds / STUDIER_THINK_S + studiersPeak / 2;
}

/**
 * The planners that keep the handout's proportions in the compressed run: their checks the handout's share of all
 * checks, P / (P + S) = 800 / 13,000, so P = S × 800 / 12,200 for the studiers' S checks (studierChecks); at least
 * MIN_PLANNER_ITERATIONS. The handout's 400 iterations are not the same factor of its 2,500 studiers as the
 * compression: by the closed model those studiers make only ~4,750 checks, and 800 of ~5,550 would cap the checks
 * passed at 86 %, not the handout's 94 %. The VUs keep the handout's 20 iterations each, so the planners run as
 * long as the studiers' ramp (20 × 2 × their think time), as in the handout (400 s against the ramp's 360 s).
 */
export function labPlanners(studiersPeak: number): LabPlanners {
  const handout = handoutOptions.scenarios.planners;
  const plannerChecks = (studierChecks(studiersPeak) * HANDOUT_PLANNER_CHECKS) / (HANDOUT_CHECKS - HANDOUT_PLANNER_CHECKS);
  const iterations = Math.max(MIN_PLANNER_ITERATIONS, Math.round(plannerChecks / PLANNER_REQUESTS_PER_ITERATION));
  return { vus: Math.max(1, Math.round(iterations / (handout.iterations / handout.vus))), iterations };
}

/** The planners' arrival rate while they run, req/s: VUs × 2 requests per 2 × think time (--vu-scale applied). */
export function plannerRps(planners: LabPlanners, timeScale: number, vuScale: number): number {
  const vus = Math.max(1, Math.round(planners.vus * vuScale));
  return (vus * PLANNER_REQUESTS_PER_ITERATION) / (2 * PLANNER_THINK_S * timeScale);
}

/**
 * The scenario module with `studiersPeak` studiers at the peak and the given planners. The runner's --vu-scale
 * still applies on top (the lab passes 1 for the studiers' sake and scales the planners through it only when asked),
 * so the peak is given here already divided by it.
 */
export function labScenarioModule(variant: LabVariant, studiersPeak: number, planners: LabPlanners, vuScale: number): ScenarioModule {
  const base = SCENARIOS[LAB_SCENARIO]!.module(variant);
  const { studiers } = handoutOptions.scenarios;
  const factor = studiersPeak / HANDOUT_STUDIERS / vuScale;
  const stages = studiers.stages.map((s) => ({ ...s, target: Math.max(s.target === 0 ? 0 : 1, Math.round(s.target * factor)) }));
  return {
    ...base,
    options: {
      ...handoutOptions,
      scenarios: { studiers: { ...studiers, stages }, planners: { ...handoutOptions.scenarios.planners, ...planners } },
    },
  };
}
