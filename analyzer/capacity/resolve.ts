/**
 * The deployment the capacity math uses, from three sources in order: a flag (given) wins, then what the service
 * itself logged (measured: measured.ts), then a default (assumed). Pure. Also: which facts are still assumed that
 * the math cannot be right without (`missingFacts`), said in one line with the flag that gives each.
 */
import type { RunAggregate } from '../model.js';
import { describeFargate, isValidFargateSize } from './fargate.js';
import { num } from './format.js';
import type { MeasuredFact, MeasuredFacts } from './measured.js';
import type { DeploymentFacts, FactKey, FactOrigin, FactRow } from './types.js';

export interface ResolvedDeployment {
  facts: DeploymentFacts;
  /** where a flag and the service's own lines disagree (the flag wins), in plain words */
  notes: string[];
}

type NumericFact = 'cpus' | 'workers' | 'tasks' | 'poolSize';

const LABELS: Record<NumericFact, string> = {
  cpus: 'CPUs per task',
  workers: 'workers per task',
  tasks: 'tasks',
  poolSize: 'pool size per worker',
};

export function resolveDeployment(input: DeploymentFacts, measured: MeasuredFacts): ResolvedDeployment {
  const facts: DeploymentFacts = { ...input, provenance: { ...input.provenance } };
  const notes: string[] = [];
  const current: Record<NumericFact, number | undefined> = {
    cpus: facts.cpus,
    workers: facts.workers,
    tasks: facts.tasks,
    poolSize: facts.poolSize,
  };
  const set: Record<NumericFact, (v: number) => void> = {
    cpus: (v) => (facts.cpus = v),
    workers: (v) => (facts.workers = v),
    tasks: (v) => (facts.tasks = v),
    poolSize: (v) => (facts.poolSize = v),
  };
  const take = (key: NumericFact, m: MeasuredFact<number> | undefined): void => {
    if (m === undefined) return;
    const origin = facts.provenance[key];
    if (origin?.source === 'given') {
      if (current[key] !== m.value) {
        notes.push(`${LABELS[key]}: ${num(current[key] ?? 0)} given (${origin.detail}); the service logged ${num(m.value)} (${m.detail})`);
      }
      return;
    }
    set[key](m.value);
    facts.provenance[key] = { source: 'measured', detail: m.detail };
  };
  take('cpus', measured.cpus);
  take('workers', measured.workersPerTask);
  take('tasks', measured.tasks);
  take('poolSize', measured.poolSize);

  if (measured.memoryLimitMb) {
    facts.memoryLimitMb = measured.memoryLimitMb.value;
    facts.provenance.memoryLimit = { source: 'measured', detail: measured.memoryLimitMb.detail };
  }
  if (measured.nodeVersion) {
    facts.nodeVersion = measured.nodeVersion.value;
    facts.provenance.nodeVersion = { source: 'measured', detail: measured.nodeVersion.detail };
  }
  if (measured.platform) {
    facts.platform = measured.platform.value;
    facts.provenance.platform = { source: 'measured', detail: measured.platform.detail };
    if (facts.awsBy === undefined && facts.deployment !== 'other' && facts.platform.startsWith('ecs')) {
      facts.awsBy = `the service logged platform ${facts.platform}`;
    }
  }
  // On Fargate, the task's CPU quota and memory limit are its size when they form a valid one.
  if (!facts.fargate && facts.platform === 'ecs-fargate' && facts.memoryLimitMb !== undefined && facts.provenance.cpus?.source === 'measured') {
    const size = { cpuUnits: Math.round(facts.cpus * 1024), memoryMiB: Math.round(facts.memoryLimitMb) };
    if (isValidFargateSize(size)) {
      facts.fargate = size;
      facts.provenance.fargate = { source: 'measured', detail: 'service.start cpu quota and memory_limit_mb on ecs-fargate' };
    }
  }
  return { facts, notes };
}

export interface MissingFact {
  key: FactKey;
  /** in words: "the CPUs per task" */
  what: string;
  /** the flag that gives it: "--cpus <n>" */
  flag: string;
}

/** The run used the database: then the pool size matters (connections, pool wait). */
function usesDatabase(agg: RunAggregate): boolean {
  return agg.totals.dbQueries > 0 || (agg.runtime?.poolTotalMax ?? 0) > 0 || agg.totals.poolTimeouts > 0;
}

/**
 * Facts the capacity section cannot be right without that are still defaults: the CPUs (workers, vCPUs of a plan),
 * and the pool size when the run used the database (connections, the pool as a bottleneck). Workers and tasks are
 * always known from the processes that logged the run; threads of a Node worker are 1 by what Node is.
 */
export function missingFacts(facts: DeploymentFacts, agg: RunAggregate): MissingFact[] {
  const missing: MissingFact[] = [];
  if (facts.provenance.cpus?.source === 'assumed') missing.push({ key: 'cpus', what: 'the CPUs per task', flag: '--cpus <n>' });
  if (facts.provenance.poolSize?.source === 'assumed' && usesDatabase(agg)) {
    missing.push({ key: 'poolSize', what: 'the DB pool size per worker', flag: '--pool-size <n>' });
  }
  return missing;
}

/** "capacity: needs the CPUs per task (--cpus <n>): …" — one line for the report in place of the section. */
export function describeMissing(missing: MissingFact[], measured: MeasuredFacts): string {
  const needs = missing.map((m) => `${m.what} (${m.flag})`).join(' and ');
  const why =
    measured.processesWithFacts === 0
      ? "the run's processes logged no service.start line with them (serviceStartFields() writes one)"
      : `the service.start line${measured.processesWithFacts === 1 ? '' : 's'} of the run's processes did not say`;
  return `capacity: needs ${needs}: ${why}`;
}

/** The facts table of the report, in a fixed order: each fact with its value and where it came from. */
export function factRows(facts: DeploymentFacts, workersPerTask: number): FactRow[] {
  const rows: FactRow[] = [];
  const row = (key: FactKey, label: string, value: string, fallback: FactOrigin): void => {
    const origin = facts.provenance[key] ?? fallback;
    rows.push({ key, label, value, source: origin.source, detail: origin.detail });
  };
  const formula: FactOrigin = { source: 'assumed', detail: `the ${facts.workerModel} formula from the CPUs` };
  row('cpus', 'CPUs per task', num(facts.cpus), { source: 'assumed', detail: 'a default' });
  row('workers', 'workers per task', num(workersPerTask), formula);
  row('threads', 'threads per worker', num(facts.threads), { source: 'assumed', detail: 'a default' });
  row('tasks', 'tasks', num(facts.tasks), { source: 'assumed', detail: 'a default' });
  row('poolSize', 'DB pool per worker', num(facts.poolSize), { source: 'assumed', detail: 'a default' });
  const info = (key: FactKey, label: string, value: string | undefined): void => {
    const origin = facts.provenance[key];
    if (value !== undefined && origin) rows.push({ key, label, value, source: origin.source, detail: origin.detail });
  };
  info('memoryLimit', 'memory limit', facts.memoryLimitMb !== undefined ? `${num(facts.memoryLimitMb)} MiB` : undefined);
  info('nodeVersion', 'Node', facts.nodeVersion);
  info('platform', 'platform', facts.platform);
  if (facts.awsBy !== undefined) {
    info('fargate', 'Fargate task', facts.fargate ? describeFargate(facts.fargate) : undefined);
    info('dbInstanceClass', 'RDS class', facts.dbInstanceClass);
  }
  return rows;
}
