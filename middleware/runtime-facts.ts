/**
 * The facts about where a service runs that capacity math needs (CPUs, a CPU quota, the memory limit, the Node
 * version, cluster workers, the pool's max), and serviceStartFields(): the service.start line that carries them, so
 * the analyzer can size from what the service itself said instead of assuming.
 *
 * Why cgroups: in a container (ECS/Fargate, Kubernetes, docker --memory) os.totalmem() is the HOST's memory and
 * os.availableParallelism() the host's CPUs (affinity, not the CPU quota); the cgroup files hold the real bounds.
 * The parsers are pure; readRuntimeFacts takes the file reader so tests can give it any machine.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';
import type { Pool } from 'pg';
import { EVENTS, FIELDS } from './schema.js';
import type { MemoryLimitSource, Platform } from './schema.js';
import { poolMaxOf } from './pg.js';

const BYTES_PER_MB = 1024 * 1024;

export interface RuntimeFacts {
  cpus: number;
  /** Cores of CPU time the cgroup allows; undefined when no quota is set. */
  cpuQuota: number | undefined;
  memoryLimitMb: number;
  memoryLimitSource: MemoryLimitSource;
  nodeVersion: string;
  /** ECS (Fargate or EC2) when its variables are set; undefined elsewhere */
  platform: Platform | undefined;
}

/** Reads a file's text, undefined when it does not exist or cannot be read. */
export type FileReader = (path: string) => string | undefined;

const readIfPresent: FileReader = (path) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

export interface MachineFacts {
  read?: FileReader;
  cpus?: number;
  totalMemoryBytes?: number;
  nodeVersion?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * The platform from the variables ECS sets in every task's containers (AWS: "Amazon ECS environment variables"):
 * AWS_EXECUTION_ENV is AWS_ECS_FARGATE or AWS_ECS_EC2; ECS_CONTAINER_METADATA_URI_V4 (and the older _URI) point at
 * the task metadata endpoint. Pure. Any other AWS_EXECUTION_ENV (Lambda's AWS_Lambda_nodejs20.x) is not ECS.
 */
export function platformOf(env: NodeJS.ProcessEnv): Platform | undefined {
  const execution = env.AWS_EXECUTION_ENV;
  if (execution === 'AWS_ECS_FARGATE') return 'ecs-fargate';
  if (execution === 'AWS_ECS_EC2') return 'ecs-ec2';
  if (env.ECS_CONTAINER_METADATA_URI_V4 || env.ECS_CONTAINER_METADATA_URI) return 'ecs';
  return undefined;
}

export function readRuntimeFacts(machine: MachineFacts = {}): RuntimeFacts {
  const read = machine.read ?? readIfPresent;
  const total = machine.totalMemoryBytes ?? totalmem();
  const v2Dirs = cgroupV2Dirs(read('/proc/self/cgroup'));
  const v2Memory = smallest(v2Dirs.map((dir) => parseCgroupV2Limit(read(`${dir}/memory.max`))));
  const v1Memory = v2Memory === undefined ? parseCgroupV1MemoryLimit(read('/sys/fs/cgroup/memory/memory.limit_in_bytes')) : undefined;
  const memory = memoryLimit({ cgroupV2Bytes: v2Memory, cgroupV1Bytes: v1Memory, totalBytes: total });
  const cpuQuota =
    smallest(v2Dirs.map((dir) => parseCgroupV2CpuMax(read(`${dir}/cpu.max`)))) ??
    parseCgroupV1CpuQuota(read('/sys/fs/cgroup/cpu/cpu.cfs_quota_us'), read('/sys/fs/cgroup/cpu/cpu.cfs_period_us'));
  return {
    cpus: machine.cpus ?? availableParallelism(),
    cpuQuota,
    memoryLimitMb: memory.mb,
    memoryLimitSource: memory.source,
    nodeVersion: machine.nodeVersion ?? process.version,
    platform: platformOf(machine.env ?? process.env),
  };
}

/**
 * The cgroup v2 folders whose limits bind this process: its own cgroup (from /proc/self/cgroup's `0::/path` line)
 * and every parent up to the root, since a limit set on a parent (a systemd slice, the container's cgroup seen from
 * a nested one) applies too. Just the root when the file is missing or has no v2 line (inside a container's
 * namespace the root IS the container's cgroup).
 */
export function cgroupV2Dirs(procSelfCgroup: string | undefined): string[] {
  const line = procSelfCgroup?.split('\n').find((l) => l.startsWith('0::'));
  const own = line?.slice(3).trim() ?? '/';
  const parts = own.split('/').filter((p) => p !== '' && p !== '..');
  const dirs: string[] = [];
  for (let i = parts.length; i >= 0; i--) dirs.push(['/sys/fs/cgroup', ...parts.slice(0, i)].join('/'));
  return dirs;
}

/** memory.max: a byte count, or `max` (no limit). */
export function parseCgroupV2Limit(text: string | undefined): number | undefined {
  const value = text?.trim();
  if (value === undefined || value === '' || value === 'max') return undefined;
  return positiveInteger(value);
}

/** memory.limit_in_bytes: a byte count; "no limit" is a huge number (page-rounded 2^63−1), left to memoryLimit. */
export function parseCgroupV1MemoryLimit(text: string | undefined): number | undefined {
  const value = text?.trim();
  return value === undefined ? undefined : positiveInteger(value);
}

/** cpu.max: `<quota> <period>` in µs, or `max <period>` (no quota). Cores = quota / period. */
export function parseCgroupV2CpuMax(text: string | undefined): number | undefined {
  const [quota, period] = text?.trim().split(/\s+/) ?? [];
  if (quota === undefined || quota === 'max' || period === undefined) return undefined;
  return cores(positiveInteger(quota), positiveInteger(period));
}

/** cpu.cfs_quota_us (-1: no quota) and cpu.cfs_period_us. */
export function parseCgroupV1CpuQuota(quota: string | undefined, period: string | undefined): number | undefined {
  if (quota === undefined || period === undefined) return undefined;
  return cores(positiveInteger(quota.trim()), positiveInteger(period.trim()));
}

/** The binding memory limit: a cgroup's when it is below the host's memory (an "unlimited" cgroup is not). */
export function memoryLimit(input: {
  cgroupV2Bytes: number | undefined;
  cgroupV1Bytes: number | undefined;
  totalBytes: number;
}): { mb: number; source: MemoryLimitSource } {
  const { cgroupV2Bytes, cgroupV1Bytes, totalBytes } = input;
  if (cgroupV2Bytes !== undefined && cgroupV2Bytes < totalBytes) return { mb: toMb(cgroupV2Bytes), source: 'cgroup_v2' };
  if (cgroupV1Bytes !== undefined && cgroupV1Bytes < totalBytes) return { mb: toMb(cgroupV1Bytes), source: 'cgroup_v1' };
  return { mb: toMb(totalBytes), source: 'host_total' };
}

function cores(quota: number | undefined, period: number | undefined): number | undefined {
  if (quota === undefined || period === undefined) return undefined;
  return Math.round((quota / period) * 1000) / 1000;
}

function positiveInteger(text: string): number | undefined {
  if (!/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

function smallest(values: (number | undefined)[]): number | undefined {
  let min: number | undefined;
  for (const v of values) if (v !== undefined && (min === undefined || v < min)) min = v;
  return min;
}

function toMb(bytes: number): number {
  return Math.round((bytes / BYTES_PER_MB) * 10) / 10;
}

let processFacts: RuntimeFacts | undefined;

export interface ServiceStartOptions {
  /** An (instrumented) pg pool: its max becomes `pool_max`. */
  pool?: Pool;
  /** Cluster workers the service runs (the primary's count; pass it in the workers too). */
  workers?: number;
}

/**
 * The fields of a service.start line (write it when the server listens):
 * `logger.info(serviceStartFields({ pool }), 'listening on port 3000')`. The machine is read once per process.
 */
export function serviceStartFields(options: ServiceStartOptions = {}): Record<string, unknown> {
  processFacts ??= readRuntimeFacts();
  return startFieldsOf(processFacts, options);
}

/** Pure: the service.start fields for given facts. */
export function startFieldsOf(facts: RuntimeFacts, options: ServiceStartOptions = {}): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    [FIELDS.event]: EVENTS.serviceStart,
    [FIELDS.cpus]: facts.cpus,
  };
  if (facts.cpuQuota !== undefined) fields[FIELDS.cpuQuota] = facts.cpuQuota;
  fields[FIELDS.memoryLimitMb] = facts.memoryLimitMb;
  fields[FIELDS.memoryLimitSource] = facts.memoryLimitSource;
  fields[FIELDS.nodeVersion] = facts.nodeVersion;
  if (options.workers !== undefined) fields[FIELDS.workers] = options.workers;
  if (facts.platform !== undefined) fields[FIELDS.platform] = facts.platform;
  const poolMax = options.pool === undefined ? undefined : poolMaxOf(options.pool);
  if (poolMax !== undefined) fields[FIELDS.poolMax] = poolMax;
  return fields;
}
