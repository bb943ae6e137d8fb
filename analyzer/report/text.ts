/** Number formats shared by the text renderers. */
export function fmtMs(v: number): string {
  if (!Number.isFinite(v)) return '-';
  if (v >= 10_000) return `${(v / 1000).toFixed(1)}s`;
  if (v >= 100) return `${v.toFixed(0)}ms`;
  return `${v.toFixed(1)}ms`;
}

export function fmtPct(fraction: number): string {
  const v = fraction * 100;
  return `${v === 0 || v >= 10 ? v.toFixed(0) : v.toFixed(1)}%`;
}

export function fmtTime(epochMs: number): string {
  return new Date(epochMs).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}
