/** The text renderers' compact forms of common/format.ts ("12.5ms" in table cells). */
import { formatMs, formatPercent } from '../../common/format.js';

export function fmtMs(v: number): string {
  return Number.isFinite(v) ? formatMs(v, '') : '-';
}

export function fmtPct(fraction: number): string {
  return formatPercent(fraction);
}

export function fmtTime(epochMs: number): string {
  return new Date(epochMs).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}
