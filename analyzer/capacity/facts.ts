/**
 * Deployment flags (strings from the command line) to DeploymentFacts, validated. Pure, so every rule is unit
 * tested; the command only forwards what commander parsed. Bad values throw a UsageError naming the flag.
 * Every fact is marked `given` (a flag) or `assumed` (a default) in `provenance`; resolve.ts then replaces the
 * assumed ones with what the service logged (`measured`).
 */
import { UsageError } from '../../common/errors.js';
import { describeFargateRow, FARGATE_TABLE, isValidFargateSize } from './fargate.js';
import { findRdsClass } from './rds.js';
import type { DeploymentFacts, FactKey, FactOrigin, WorkerModel } from './types.js';

export interface DeploymentFlags {
  cpus?: string;
  workerModel?: string;
  workers?: string;
  threads?: string;
  tasks?: string;
  poolSize?: string;
  dbInstanceClass?: string;
  fargateCpu?: string;
  fargateMemory?: string;
  targetRps?: string;
  targetVus?: string;
  thinkTime?: string;
  headroom?: string;
  /** `aws`: the deployment is AWS (RDS and Fargate lines); `other`: not AWS, whatever platform the service logged */
  deployment?: string;
}

export const DEFAULTS = { workerModel: 'node-cluster', cpus: 1, threads: 1, tasks: 1, poolSize: 10, headroom: 0.3 } as const;

const NUMBER = /^\d+(\.\d+)?$/;

function positive(flag: string, raw: string, { integer = false, zeroOk = false } = {}): number {
  const text = raw.trim();
  const n = NUMBER.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(n) || (zeroOk ? n < 0 : n <= 0) || (integer && !Number.isInteger(n))) {
    throw new UsageError(`${flag} must be ${integer ? 'a whole number' : 'a number'} ${zeroOk ? '≥ 0' : '> 0'}, got "${raw}"`);
  }
  return n;
}

/** CPU units (256 … 16384) or vCPUs (0.25 … 16): values up to 16 are vCPUs. */
function fargateCpuUnits(raw: string): number {
  const n = positive('--fargate-cpu', raw.replace(/\s*vcpu$/i, ''));
  const units = n <= 16 ? Math.round(n * 1024) : n;
  if (!FARGATE_TABLE.some((r) => r.cpuUnits === units)) {
    throw new UsageError(
      `--fargate-cpu ${raw} is not a Fargate CPU size`,
      `use CPU units ${FARGATE_TABLE.map((r) => r.cpuUnits).join(', ')} (or vCPUs 0.25, 0.5, 1, 2, 4, 8, 16)`,
    );
  }
  return units;
}

/** MiB, or GB with a "GB" suffix; a bare number below 256 is read as GB (no Fargate size has less than 512 MiB). */
function fargateMemoryMiB(raw: string): number {
  const text = raw.trim();
  const gbMatch = /^(\d+(?:\.\d+)?)\s*gb$/i.exec(text);
  if (gbMatch) return Math.round(Number(gbMatch[1]) * 1024);
  const n = positive('--fargate-memory', text.replace(/\s*mib$/i, ''));
  return n < 256 ? Math.round(n * 1024) : n;
}

/** "30%", "0.3" or "30" (a bare number above 1 is a percentage). */
function headroomFraction(raw: string): number {
  const text = raw.trim();
  const percent = text.endsWith('%');
  const n = positive('--headroom', percent ? text.slice(0, -1) : text, { zeroOk: true });
  const fraction = percent || n > 1 ? n / 100 : n;
  if (fraction > 10) throw new UsageError(`--headroom ${raw} is more than 1000%`);
  return fraction;
}

export function parseDeploymentFacts(flags: DeploymentFlags): DeploymentFacts {
  const defaulted: string[] = [];
  const provenance: Partial<Record<FactKey, FactOrigin>> = {};
  const given = (key: FactKey, detail: string) => (provenance[key] = { source: 'given', detail });
  const assumed = (key: FactKey, detail: string) => (provenance[key] = { source: 'assumed', detail });
  const model = (flags.workerModel ?? 'node').trim().toLowerCase();
  let workerModel: WorkerModel;
  if (model === 'node' || model === 'node-cluster') workerModel = 'node-cluster';
  else if (model === 'gunicorn') workerModel = 'gunicorn';
  else throw new UsageError(`--worker-model must be "node" or "gunicorn", got "${flags.workerModel}"`);

  let deployment: DeploymentFacts['deployment'];
  if (flags.deployment !== undefined) {
    const d = flags.deployment.trim().toLowerCase();
    if (d !== 'aws' && d !== 'other') throw new UsageError(`--deployment must be "aws" or "other", got "${flags.deployment}"`);
    deployment = d;
  }

  let fargate: DeploymentFacts['fargate'];
  if (flags.fargateCpu !== undefined || flags.fargateMemory !== undefined) {
    if (flags.fargateCpu === undefined || flags.fargateMemory === undefined) {
      throw new UsageError('--fargate-cpu and --fargate-memory go together (the current task size)');
    }
    const cpuUnits = fargateCpuUnits(flags.fargateCpu);
    const memoryMiB = fargateMemoryMiB(flags.fargateMemory);
    if (!isValidFargateSize({ cpuUnits, memoryMiB })) {
      throw new UsageError(
        `Fargate has no ${cpuUnits} CPU / ${memoryMiB} MiB size`,
        `valid memory (MiB) for ${cpuUnits} CPU units: ${describeFargateRow(cpuUnits)}`,
      );
    }
    fargate = { cpuUnits, memoryMiB };
    given('fargate', `--fargate-cpu ${flags.fargateCpu} --fargate-memory ${flags.fargateMemory}`);
  }

  let cpus: number;
  if (flags.cpus !== undefined) {
    cpus = positive('--cpus', flags.cpus);
    given('cpus', `--cpus ${flags.cpus}`);
  } else if (fargate) {
    cpus = fargate.cpuUnits / 1024;
    given('cpus', `--fargate-cpu ${flags.fargateCpu}`);
  } else {
    cpus = DEFAULTS.cpus;
    defaulted.push(`--cpus ${DEFAULTS.cpus}`);
    assumed('cpus', 'a default');
  }

  if (flags.targetRps !== undefined && flags.targetVus !== undefined) {
    throw new UsageError('give --target-rps or --target-vus, not both');
  }
  let target: DeploymentFacts['target'];
  if (flags.targetRps !== undefined) target = { kind: 'rps', rps: positive('--target-rps', flags.targetRps) };
  if (flags.targetVus !== undefined) target = { kind: 'vus', vus: positive('--target-vus', flags.targetVus, { integer: true }) };

  let poolSize: number;
  if (flags.poolSize !== undefined) {
    poolSize = positive('--pool-size', flags.poolSize, { integer: true });
    given('poolSize', `--pool-size ${flags.poolSize}`);
  } else {
    poolSize = DEFAULTS.poolSize;
    defaulted.push(`--pool-size ${DEFAULTS.poolSize} (node-postgres's default max)`);
    assumed('poolSize', "node-postgres's default max");
  }
  let dbInstanceClass: string | undefined;
  if (flags.dbInstanceClass !== undefined) {
    dbInstanceClass = findRdsClass(flags.dbInstanceClass).name;
    given('dbInstanceClass', `--db-instance-class ${flags.dbInstanceClass}`);
  }

  let threads: number = DEFAULTS.threads;
  if (flags.threads !== undefined) {
    threads = positive('--threads', flags.threads, { integer: true });
    given('threads', `--threads ${flags.threads}`);
  } else {
    assumed('threads', workerModel === 'gunicorn' ? "gunicorn's default (sync workers)" : 'a Node worker: one event loop');
  }
  let tasks: number = DEFAULTS.tasks;
  if (flags.tasks !== undefined) {
    tasks = positive('--tasks', flags.tasks, { integer: true });
    given('tasks', `--tasks ${flags.tasks}`);
  } else {
    assumed('tasks', 'a default');
  }

  const facts: DeploymentFacts = {
    cpus,
    workerModel,
    threads,
    tasks,
    poolSize,
    headroom: flags.headroom !== undefined ? headroomFraction(flags.headroom) : DEFAULTS.headroom,
    provenance,
  };
  if (dbInstanceClass !== undefined) facts.dbInstanceClass = dbInstanceClass;
  if (flags.workers !== undefined) {
    facts.workers = positive('--workers', flags.workers, { integer: true });
    given('workers', `--workers ${flags.workers}`);
  } else {
    assumed('workers', `the ${workerModel} formula from the CPUs`);
  }
  if (deployment) facts.deployment = deployment;
  // AWS-only flags describe an AWS deployment; --deployment other overrides them
  const awsBy =
    deployment === 'aws'
      ? '--deployment aws'
      : fargate
        ? '--fargate-cpu/--fargate-memory'
        : dbInstanceClass !== undefined
          ? '--db-instance-class'
          : undefined;
  if (awsBy !== undefined && deployment === 'other') {
    throw new UsageError(`--deployment other contradicts ${awsBy}: those describe an AWS deployment`);
  }
  if (awsBy !== undefined) facts.awsBy = awsBy;
  if (fargate) facts.fargate = fargate;
  if (target) facts.target = target;
  if (flags.thinkTime !== undefined) facts.thinkTimeS = positive('--think-time', flags.thinkTime, { zeroOk: true });
  if (defaulted.length > 0) facts.defaulted = defaulted;
  return facts;
}
