/**
 * Valid Fargate task sizes (Linux). Source: AWS, "Amazon ECS task definition parameters — Task size" and the
 * RegisterTaskDefinition API reference (`memory`): 256 CPU units: 0.5, 1, 2 GB; 512: 1–4 GB; 1024: 2–8 GB;
 * 2048: 4–16 GB in 1 GB steps; 4096: 8–30 GB in 1 GB steps; 8192: 16–60 GB in 4 GB steps and 16384: 32–120 GB in
 * 8 GB steps (both need platform version 1.4.0 or later).
 */
import { gb, vcpu } from './format.js';
import type { FargateSize } from './types.js';

export const FARGATE_SOURCE =
  'AWS ECS docs, "Task size" / RegisterTaskDefinition `memory` (Linux; 8 and 16 vCPU need platform 1.4.0+)';

const GiB = 1024;

interface CpuRow {
  cpuUnits: number;
  memoryMiB: number[];
}

function range(fromGiB: number, toGiB: number, stepGiB: number): number[] {
  const out: number[] = [];
  for (let g = fromGiB; g <= toGiB; g += stepGiB) out.push(g * GiB);
  return out;
}

export const FARGATE_TABLE: readonly CpuRow[] = [
  { cpuUnits: 256, memoryMiB: [512, 1 * GiB, 2 * GiB] },
  { cpuUnits: 512, memoryMiB: range(1, 4, 1) },
  { cpuUnits: 1024, memoryMiB: range(2, 8, 1) },
  { cpuUnits: 2048, memoryMiB: range(4, 16, 1) },
  { cpuUnits: 4096, memoryMiB: range(8, 30, 1) },
  { cpuUnits: 8192, memoryMiB: range(16, 60, 4) },
  { cpuUnits: 16384, memoryMiB: range(32, 120, 8) },
];

export const FARGATE_MAX_CPU_UNITS = 16384;

export function isValidFargateSize(size: FargateSize): boolean {
  const row = FARGATE_TABLE.find((r) => r.cpuUnits === size.cpuUnits);
  return row !== undefined && row.memoryMiB.includes(size.memoryMiB);
}

/** Every valid size, smallest first (by CPU, then memory) — the order "smallest that fits" walks. */
export function fargateSizes(): FargateSize[] {
  return FARGATE_TABLE.flatMap((r) => r.memoryMiB.map((memoryMiB) => ({ cpuUnits: r.cpuUnits, memoryMiB })));
}

/**
 * The smallest valid size with at least `cpuUnits` and `memoryMiB`. Smallest CPU first (CPU is what costs most and
 * what the math asks for), then the least memory in that row. Undefined when even 16 vCPU / 120 GB is too small.
 */
export function smallestFargateFit(cpuUnits: number, memoryMiB: number): FargateSize | undefined {
  return fargateSizes().find((s) => s.cpuUnits >= cpuUnits && s.memoryMiB >= memoryMiB);
}

export function describeFargate(size: FargateSize): string {
  return `${vcpu(size.cpuUnits)} / ${gb(size.memoryMiB)}`;
}

/** Valid memory values for a CPU value, for error messages. */
export function describeFargateRow(cpuUnits: number): string | undefined {
  const row = FARGATE_TABLE.find((r) => r.cpuUnits === cpuUnits);
  if (!row) return undefined;
  return row.memoryMiB.map((m) => String(m)).join(', ');
}
