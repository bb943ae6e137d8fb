/** Units for the formula lines and the renderers, on top of the shared number formats (common/format.ts). */
import { num } from '../../common/format.js';

export { num, formatPercentPrecise as pct } from '../../common/format.js';

/** Seconds from milliseconds, formatted, e.g. 850 -> "0.85 s". */
export function secs(ms: number): string {
  return `${num(ms / 1000)} s`;
}

export function gb(memoryMiB: number): string {
  return `${num(memoryMiB / 1024)} GB`;
}

export function vcpu(cpuUnits: number): string {
  return `${num(cpuUnits / 1024)} vCPU`;
}

export function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}
