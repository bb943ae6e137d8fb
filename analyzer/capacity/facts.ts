/**
 * Deployment flags (strings from the command line) to DeploymentFacts, validated. Pure, so every rule is unit
 * tested; the command only forwards what commander parsed. Bad values throw a UsageError naming the flag.
 */
import { UsageError } from '../../common/errors.js';
import { describeFargateRow, FARGATE_TABLE, isValidFargateSize } from './fargate.js';
import { findRdsClass } from './rds.js';
import type { DeploymentFacts, WorkerModel } from './types.js';

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
}

export const DEFAULTS = { workerModel: 'node-cluster', threads: 1, tasks: 1, poolSize: 10, dbInstanceClass: 'db.t3.micro', headroom: 0.3 } as const;

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
  const model = (flags.workerModel ?? 'node').trim().toLowerCase();
  let workerModel: WorkerModel;
  if (model === 'node' || model === 'node-cluster') workerModel = 'node-cluster';
  else if (model === 'gunicorn') workerModel = 'gunicorn';
  else throw new UsageError(`--worker-model must be "node" or "gunicorn", got "${flags.workerModel}"`);

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
  }

  let cpus: number;
  if (flags.cpus !== undefined) cpus = positive('--cpus', flags.cpus);
  else if (fargate) cpus = fargate.cpuUnits / 1024;
  else {
    cpus = 1;
    defaulted.push('--cpus 1');
  }

  if (flags.targetRps !== undefined && flags.targetVus !== undefined) {
    throw new UsageError('give --target-rps or --target-vus, not both');
  }
  let target: DeploymentFacts['target'];
  if (flags.targetRps !== undefined) target = { kind: 'rps', rps: positive('--target-rps', flags.targetRps) };
  if (flags.targetVus !== undefined) target = { kind: 'vus', vus: positive('--target-vus', flags.targetVus, { integer: true }) };

  const poolSize = flags.poolSize !== undefined ? positive('--pool-size', flags.poolSize, { integer: true }) : DEFAULTS.poolSize;
  if (flags.poolSize === undefined) defaulted.push(`--pool-size ${DEFAULTS.poolSize} (node-postgres's default max)`);
  const dbInstanceClass = findRdsClass(flags.dbInstanceClass ?? DEFAULTS.dbInstanceClass).name;
  if (flags.dbInstanceClass === undefined) defaulted.push(`--db-instance-class ${DEFAULTS.dbInstanceClass}`);

  const facts: DeploymentFacts = {
    cpus,
    workerModel,
    threads: flags.threads !== undefined ? positive('--threads', flags.threads, { integer: true }) : DEFAULTS.threads,
    tasks: flags.tasks !== undefined ? positive('--tasks', flags.tasks, { integer: true }) : DEFAULTS.tasks,
    poolSize,
    dbInstanceClass,
    headroom: flags.headroom !== undefined ? headroomFraction(flags.headroom) : DEFAULTS.headroom,
  };
  if (flags.workers !== undefined) facts.workers = positive('--workers', flags.workers, { integer: true });
  if (fargate) facts.fargate = fargate;
  if (target) facts.target = target;
  if (flags.thinkTime !== undefined) facts.thinkTimeS = positive('--think-time', flags.thinkTime, { zeroOk: true });
  if (defaulted.length > 0) facts.defaulted = defaulted;
  return facts;
}
