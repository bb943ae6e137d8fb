/**
 * Figures for the reliability tests: each test prints one line a person (and docs/reliability.md) can quote, on
 * stderr so it never mixes with data, and asserts the behaviour separately. Pure helpers apart from the print.
 */

/** Print one figure line on stderr, tagged so it can be grepped out of a test run. */
export function reportFigure(name: string, text: string): void {
  process.stderr.write(`[figure] ${name}: ${text}\n`);
}

/** Nearest-rank percentile (p in 0..100) of a list of numbers; NaN for an empty list. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

/** Milliseconds for a figure line: whole ms from 10 ms up, one decimal below. */
export function ms(value: number): string {
  return `${value >= 10 ? Math.round(value) : value.toFixed(1)} ms`;
}

/** Seconds with one decimal, for durations on the scale of timeouts. */
export function seconds(valueMs: number): string {
  return `${(valueMs / 1000).toFixed(1)} s`;
}
