/** Number formatting shared by the formula lines and the renderers: short, exact enough to check by hand. */

/** 3 significant digits below 100, whole numbers above; integers as they are. */
export function num(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Number.isInteger(n)) return String(n);
  if (Math.abs(n) >= 100) return String(Math.round(n));
  return String(Number(n.toPrecision(3)));
}

/** Seconds from milliseconds, formatted, e.g. 850 -> "0.85 s". */
export function secs(ms: number): string {
  return `${num(ms / 1000)} s`;
}

export function pct(fraction: number): string {
  return `${num(fraction * 100)}%`;
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
