/**
 * k6's shared-iterations executor: `vus` VUs take iterations from one shared counter until `iterations` have been
 * started or maxDuration has passed; iterations still running then get gracefulStop to finish.
 */
import type { SharedIterationsPlan } from '../types.js';
import type { ExecutorEnv } from './executor.js';
import { runIterationLoops } from './iteration-loops.js';

export function runSharedIterations(plan: SharedIterationsPlan, env: ExecutorEnv): Promise<void> {
  let claimed = 0;
  const claim = (): boolean => {
    if (claimed >= plan.iterations) return false;
    claimed++;
    return true;
  };
  return runIterationLoops(Math.min(plan.vus, plan.iterations), claim, plan, env);
}
