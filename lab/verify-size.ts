/**
 * Which size the lab can verify here, and what to try on AWS. The capacity plan recommends workers (Node: one per
 * vCPU); this machine has a few cores, shared with the load generator and PostgreSQL, and more workers than that
 * only take turns on the same cores. So the lab verifies the recommended size when the machine can host it, else
 * the largest size it can, and says so — the AWS size to try comes from the plan either way.
 */
import type { CapacityReport } from '../analyzer/index.js';

export interface AwsSize {
  cpuUnits: number;
  memoryMiB: number;
  tasks: number;
  workersPerTask: number;
  /** the terraform/variables.tf settings for that size */
  terraform: string;
  dbInstanceClass?: string;
}

export interface VerifyPlan {
  /** workers the capacity plan asks for (1 = the current size is enough) */
  recommendedWorkers: number;
  /** workers this machine can run beside the load generator and PostgreSQL */
  hostableWorkers: number;
  /** what the verification step runs */
  workers: number;
  canHost: boolean;
  cores: number;
  aws?: AwsSize;
}

/**
 * One core stays with the load generator and PostgreSQL when there are more than two; on a two-core machine two
 * workers is the most worth trying (they already share a core with the load generator).
 */
export function hostableWorkers(cores: number): number {
  return Math.max(2, cores - 1);
}

export function planVerification(capacity: CapacityReport | undefined, cores: number, currentWorkers = 1): VerifyPlan {
  const plan = capacity?.plan;
  // without a plan (no capacity section) the next size up is the one to try
  const recommended = plan ? plan.workersPerTask * plan.tasks : currentWorkers + 1;
  const hostable = hostableWorkers(cores);
  // when the plan finds the current size enough, the next size up is still measured: that is what --verify asks
  const workers = Math.min(Math.max(recommended, currentWorkers + 1), hostable);
  const aws: AwsSize | undefined =
    plan?.fargate
      ? {
          cpuUnits: plan.fargate.cpuUnits,
          memoryMiB: plan.fargate.memoryMiB,
          tasks: plan.tasks,
          workersPerTask: plan.workersPerTask,
          terraform:
            `app_cpu = ${plan.fargate.cpuUnits}, app_memory = ${plan.fargate.memoryMiB}, web_concurrency = ${plan.workersPerTask}, ` +
            `app_desired_count = ${plan.tasks}${plan.dbFits || !plan.smallestDbClass ? '' : `, db_instance_class = "${plan.smallestDbClass}"`}`,
          ...(plan.dbFits || !plan.smallestDbClass ? {} : { dbInstanceClass: plan.smallestDbClass }),
        }
      : undefined;
  return { recommendedWorkers: recommended, hostableWorkers: hostable, workers, canHost: recommended <= hostable, cores, ...(aws ? { aws } : {}) };
}
