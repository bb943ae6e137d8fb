/**
 * k6's per-vu-iterations executor: each of `vus` VUs runs exactly `iterations` iterations, back to back, until
 * they are done or maxDuration has passed; iterations still running then get gracefulStop to finish.
 */
import type { PerVuIterationsPlan } from '../types.js';
import type { ExecutorEnv } from './executor.js';
import { runIterationLoops } from './iteration-loops.js';

export function runPerVuIterations(plan: PerVuIterationsPlan, env: ExecutorEnv): Promise<void> {
  return runIterationLoops(plan.vus, (_vu, doneByThisVu) => doneByThisVu < plan.iterations, plan, env);
}
