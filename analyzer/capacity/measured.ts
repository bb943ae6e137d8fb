/**
 * The deployment facts a run's own lines tell (pure): what the processes that served the run said in their
 * service.start lines (CPUs and CPU quota, memory limit, Node version, workers, pool max, platform), the pool max
 * of runtime.stats, and the processes and hosts that logged the run. These are "measured" in the capacity report;
 * resolve.ts puts them in place of defaults.
 */
import type { RunAggregate } from '../model.js';
import type { ServiceFacts } from '../aggregate/processes.js';
import { num } from './format.js';

export interface MeasuredFact<T> {
  value: T;
  /** where in the logs, e.g. "service.start cpus" */
  detail: string;
}

export interface MeasuredFacts {
  cpus?: MeasuredFact<number>;
  workersPerTask?: MeasuredFact<number>;
  tasks?: MeasuredFact<number>;
  poolSize?: MeasuredFact<number>;
  memoryLimitMb?: MeasuredFact<number>;
  nodeVersion?: MeasuredFact<string>;
  platform?: MeasuredFact<string>;
  /** processes that served the run, and how many of them logged a service.start with facts */
  processes: number;
  processesWithFacts: number;
}

function distinct<T>(values: T[]): T[] {
  return [...new Set(values)];
}

/** One value for the run from the processes' values: the only one, else the largest (with the spread said). */
function agreed(values: number[], field: string, count: number): MeasuredFact<number> | undefined {
  if (values.length === 0) return undefined;
  const all = distinct(values).sort((a, b) => a - b);
  const of = values.length < count ? ` (${values.length} of ${count} processes)` : '';
  if (all.length === 1) return { value: all[0]!, detail: `service.start ${field}${of}` };
  return { value: all[all.length - 1]!, detail: `service.start ${field}: processes said ${all.map(num).join(', ')}; the largest${of}` };
}

/** CPUs one process may use: the cgroup quota when it is below the CPUs it sees (a container's real share). */
function effectiveCpus(f: ServiceFacts): { value: number; quota: boolean } | undefined {
  if (f.cpus === undefined && f.cpuQuota === undefined) return undefined;
  if (f.cpuQuota !== undefined && (f.cpus === undefined || f.cpuQuota < f.cpus)) return { value: f.cpuQuota, quota: true };
  return { value: f.cpus!, quota: false };
}

export function measuredFacts(agg: RunAggregate): MeasuredFacts {
  const processes = agg.processes ?? [];
  const facts = processes.map((p) => p.facts).filter((f): f is ServiceFacts => f !== undefined);
  const out: MeasuredFacts = { processes: processes.length || agg.workers, processesWithFacts: facts.length };
  const count = processes.length;

  const cpus = facts.map(effectiveCpus).filter((c): c is { value: number; quota: boolean } => c !== undefined);
  const byCpus = agreed(cpus.map((c) => c.value), cpus.some((c) => c.quota) ? 'cpu_quota (the cgroup CPU quota)' : 'cpus', count);
  if (byCpus) out.cpus = byCpus;

  const workers = agreed(facts.flatMap((f) => (f.workers !== undefined ? [f.workers] : [])), 'workers', count);
  if (count > 0) {
    const perHost = new Map<string, number>();
    for (const p of processes) perHost.set(p.host, (perHost.get(p.host) ?? 0) + 1);
    const most = Math.max(...perHost.values());
    out.workersPerTask = workers ?? {
      value: most,
      detail: perHost.size === 1 ? `${most} process${most === 1 ? '' : 'es'} served the run` : `up to ${most} processes per host served the run`,
    };
    out.tasks = { value: perHost.size, detail: `${perHost.size} host${perHost.size === 1 ? '' : 's'} served the run` };
  } else if (workers) {
    out.workersPerTask = workers;
  }

  const pool = agreed(facts.flatMap((f) => (f.poolMax !== undefined ? [f.poolMax] : [])), 'pool_max', count);
  if (pool) out.poolSize = pool;
  else if (agg.runtime?.poolMax !== undefined) out.poolSize = { value: agg.runtime.poolMax, detail: 'runtime.stats pool_max' };

  const memory = facts.flatMap((f) => (f.memoryLimitMb !== undefined ? [f] : []));
  if (memory.length > 0) {
    // the tightest limit binds
    const tightest = memory.reduce((a, b) => (b.memoryLimitMb! < a.memoryLimitMb! ? b : a));
    out.memoryLimitMb = {
      value: tightest.memoryLimitMb!,
      detail: `service.start memory_limit_mb${tightest.memoryLimitSource ? ` (${tightest.memoryLimitSource})` : ''}`,
    };
  }
  const versions = distinct(facts.flatMap((f) => (f.nodeVersion !== undefined ? [f.nodeVersion] : [])));
  if (versions.length > 0) out.nodeVersion = { value: versions.join(', '), detail: 'service.start node_version' };
  const platforms = distinct(facts.flatMap((f) => (f.platform !== undefined ? [f.platform] : [])));
  if (platforms.length > 0) out.platform = { value: platforms.join(', '), detail: 'service.start platform' };
  return out;
}
