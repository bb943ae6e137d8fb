/**
 * What the deployment needs for a target load, with headroom:
 *   required = target × (1 + headroom)
 *   workers  = ⌈required × S / threads⌉           (the capacity formula solved for workers)
 *   per task: workers spread over the current task count; vCPUs from the worker model (Node: one per worker;
 *   gunicorn: 2 × cores + 1 ≥ workers); tasks grow only when one task would need more than the largest Fargate size
 *   then (an AWS deployment only) the smallest valid Fargate size with those vCPUs, keeping the current memory per
 *   vCPU (2 GB per vCPU when the current size is not given), and the DB connections all those pools can open
 *   (checked against the RDS class when one is given).
 */
import { closedModelThroughput } from './closed-model.js';
import { describeFargate, FARGATE_MAX_CPU_UNITS, smallestFargateFit } from './fargate.js';
import { num, pct } from './format.js';
import { connectionsNeeded, findRdsClass, smallestRdsClassFor, usableConnectionsOf } from './rds.js';
import type { DeploymentFacts, FargateSize, FormulaLine, PlanSection } from './types.js';

export const DEFAULT_MEMORY_MIB_PER_VCPU = 2048;

export interface PlanInputs {
  facts: DeploymentFacts;
  /** service time S, seconds */
  serviceTimeS: number;
  /** measured mean response time R, seconds (for a VU target) */
  responseTimeS: number;
  thinkTimeS: number;
}

/** ⌈x⌉ that ignores floating-point dust: 260 × 0.05 is 13.000000000000002, which needs 13 workers, not 14. */
export function ceilTolerant(x: number): number {
  return Math.ceil(x - 1e-9);
}

function vcpusFor(model: DeploymentFacts['workerModel'], workersPerTask: number): number {
  return model === 'gunicorn' ? Math.max(1, Math.ceil((workersPerTask - 1) / 2)) : workersPerTask;
}

export function planForTarget(input: PlanInputs): { plan: PlanSection; lines: FormulaLine[] } | undefined {
  const { facts, serviceTimeS, responseTimeS, thinkTimeS } = input;
  const target = facts.target;
  if (!target) return undefined;
  const lines: FormulaLine[] = [];
  const notes: string[] = [];

  let targetRps: number;
  if (target.kind === 'rps') {
    targetRps = target.rps;
  } else {
    const x = closedModelThroughput(target.vus, responseTimeS, thinkTimeS);
    lines.push({ ...x, name: 'plan.target-throughput', note: `${num(target.vus)} users at the measured R` });
    targetRps = x.result;
    if (thinkTimeS === 0) notes.push('think time Z = 0 (not given): every user sends its next request at once');
  }

  const required = targetRps * (1 + facts.headroom);
  lines.push({
    name: 'plan.required',
    formula: 'required = target × (1 + headroom)',
    substituted: `required = ${num(targetRps)} req/s × (1 + ${num(facts.headroom)})`,
    result: required,
    unit: 'req/s',
  });

  const workers = Math.max(1, ceilTolerant((required * serviceTimeS) / facts.threads));
  lines.push({
    name: 'plan.workers',
    formula: 'workers = ⌈required × S / threads⌉',
    substituted: `workers = ⌈${num(required)} req/s × ${num(serviceTimeS)} s / ${num(facts.threads)}⌉`,
    result: workers,
    unit: 'workers',
  });

  let tasks = Math.max(1, facts.tasks);
  let workersPerTask = Math.ceil(workers / tasks);
  let vcpusPerTask = vcpusFor(facts.workerModel, workersPerTask);
  while (vcpusPerTask * 1024 > FARGATE_MAX_CPU_UNITS) {
    tasks++;
    workersPerTask = Math.ceil(workers / tasks);
    vcpusPerTask = vcpusFor(facts.workerModel, workersPerTask);
  }
  if (tasks > facts.tasks) notes.push(`more than ${FARGATE_MAX_CPU_UNITS / 1024} vCPUs in one task (the largest Fargate size): ${tasks} tasks`);
  lines.push({
    name: 'plan.vcpus-per-task',
    formula: facts.workerModel === 'gunicorn' ? 'vCPUs = ⌈(workers per task − 1) / 2⌉' : 'vCPUs = workers per task',
    substituted: facts.workerModel === 'gunicorn' ? `vCPUs = ⌈(${workersPerTask} − 1) / 2⌉` : `vCPUs = ${workersPerTask}`,
    result: vcpusPerTask,
    unit: 'vCPU per task',
    note: `${workers} workers over ${tasks} task${tasks === 1 ? '' : 's'}`,
  });

  // Fargate sizes only for an AWS deployment that is not ECS on EC2 (whose tasks take any CPU/memory values).
  const onFargate = facts.awsBy !== undefined && facts.platform !== 'ecs-ec2';
  const currentFargate: FargateSize | undefined = facts.fargate
    ? { cpuUnits: facts.fargate.cpuUnits, memoryMiB: facts.fargate.memoryMiB }
    : undefined;
  let fargate: FargateSize | undefined;
  let fargateChange: string | undefined;
  if (onFargate) {
    const mibPerVcpu = currentFargate ? currentFargate.memoryMiB / (currentFargate.cpuUnits / 1024) : DEFAULT_MEMORY_MIB_PER_VCPU;
    fargate = smallestFargateFit(vcpusPerTask * 1024, Math.ceil(vcpusPerTask * mibPerVcpu));
    if (fargate) {
      fargateChange = currentFargate ? `${describeFargate(currentFargate)} → ${describeFargate(fargate)}` : describeFargate(fargate);
    } else {
      notes.push('no Fargate size has that much memory per vCPU');
    }
  }

  const connections = connectionsNeeded(facts.poolSize, workersPerTask, tasks, 'plan.connections-needed');
  lines.push(connections);
  let dbFits: boolean | undefined;
  let smallest: ReturnType<typeof smallestRdsClassFor>;
  if (facts.awsBy !== undefined && facts.dbInstanceClass !== undefined) {
    const cls = findRdsClass(facts.dbInstanceClass);
    dbFits = usableConnectionsOf(cls) >= connections.result;
    smallest = smallestRdsClassFor(connections.result, cls.name);
    if (!dbFits) {
      notes.push(
        smallest
          ? `${cls.name} takes ${usableConnectionsOf(cls)} connections: use ${smallest.name}, a smaller pool, or a pooler (RDS Proxy, PgBouncer)`
          : `no class in the table takes ${connections.result} connections: use a smaller pool or a pooler (RDS Proxy, PgBouncer)`,
      );
    }
  }
  if (facts.headroom > 0) notes.push(`headroom ${pct(facts.headroom)} on top of the target`);

  const plan: PlanSection = {
    target: { kind: target.kind, value: target.kind === 'rps' ? target.rps : target.vus },
    targetRps,
    requiredRps: required,
    workers,
    workersPerTask,
    vcpus: vcpusPerTask * tasks,
    tasks,
    dbConnectionsNeeded: connections.result,
    notes,
  };
  if (dbFits !== undefined) plan.dbFits = dbFits;
  if (currentFargate) plan.currentFargate = currentFargate;
  if (fargate) plan.fargate = fargate;
  if (fargateChange) plan.fargateChange = fargateChange;
  if (smallest) plan.smallestDbClass = smallest.name;
  return { plan, lines };
}
