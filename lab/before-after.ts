/**
 * Before and after, from two of the lab's measured steps (the fixed test at one worker, then at the size the
 * capacity plan recommends): timeouts, ρ and p95 side by side, and a verdict that only says what was measured.
 * A small stand-in for `logjam compare` (analyzer/compare/compareRuns, built in parallel): the arc can swap to it
 * without changing what it prints, since both read the same two analyses.
 */
import type { StepNumbers } from './lab-step.js';

export interface BeforeAfterRow {
  metric: string;
  before?: number;
  after?: number;
  unit: string;
}

export type Verdict = 'timeouts gone' | 'timeouts reduced' | 'timeouts not reduced' | 'no timeouts before';

export interface BeforeAfter {
  rows: BeforeAfterRow[];
  verdict: Verdict;
  rhoBelowOne: boolean;
}

export function beforeAfter(before: StepNumbers, after: StepNumbers): BeforeAfter {
  const rows: BeforeAfterRow[] = [
    { metric: 'requests with no response', before: before.noResponse, after: after.noResponse, unit: '' },
    { metric: 'failed checks', before: before.checksFailed, after: after.checksFailed, unit: '' },
    { metric: 'ρ = X / capacity', before: before.rho, after: after.rho, unit: '' },
    { metric: 'capacity', before: before.capacityRps, after: after.capacityRps, unit: 'req/s' },
    { metric: 'p95 (server)', before: before.serverP95Ms, after: after.serverP95Ms, unit: 'ms' },
    { metric: 'p95 (client)', before: before.clientP95Ms, after: after.clientP95Ms, unit: 'ms' },
  ];
  const verdict: Verdict =
    before.noResponse === 0
      ? 'no timeouts before'
      : after.noResponse === 0
        ? 'timeouts gone'
        : after.noResponse < before.noResponse
          ? 'timeouts reduced'
          : 'timeouts not reduced';
  return { rows, verdict, rhoBelowOne: after.rho !== undefined && after.rho < 1 };
}

function cell(value: number | undefined, unit: string): string {
  if (value === undefined) return '–';
  const digits = unit === '' && !Number.isInteger(value) ? 2 : 0;
  return `${value.toFixed(digits)}${unit ? ` ${unit}` : ''}`;
}

export function renderBeforeAfter(ba: BeforeAfter, labels: { before: string; after: string }): string[] {
  const width = Math.max(...ba.rows.map((r) => r.metric.length));
  const left = Math.max(labels.before.length, ...ba.rows.map((r) => cell(r.before, r.unit).length));
  const out = [`${''.padEnd(width)}  ${labels.before.padStart(left)}  →  ${labels.after}`];
  for (const r of ba.rows) out.push(`${r.metric.padEnd(width)}  ${cell(r.before, r.unit).padStart(left)}  →  ${cell(r.after, r.unit)}`);
  return out;
}
