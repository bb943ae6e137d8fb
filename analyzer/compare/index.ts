/**
 * `logjam compare`'s analyzer side: two runs through the one pipeline (analyzeRun), then the pure comparison and its
 * renderers. What the CLI and the lab use, re-exported by the analyzer's front door (analyzer/index.ts).
 */
import { analyzeRun, type AnalyzeRunInput, type RunAnalysis } from '../pipeline.js';
import { compareRuns, type CompareOptions } from './compare.js';
import { renderComparisonHtml } from './render-html.js';
import { renderComparisonText } from './render-text.js';
import type { RunComparison } from './types.js';

export { compareRuns, DEFAULT_THRESHOLDS, type CompareOptions } from './compare.js';
export { parseGateLimits, describeGateResult, type GateLimit } from './gate.js';
export type * from './types.js';

export interface CompareRunsInput {
  base: AnalyzeRunInput;
  run: AnalyzeRunInput;
  options?: CompareOptions;
}

export interface CompareRunsResult {
  base: RunAnalysis;
  run: RunAnalysis;
  comparison: RunComparison;
}

/**
 * Analyzes the base run, then the run (one after the other: two runs from one CloudWatch source share its query
 * limit), exactly as `logjam analyze` would, and compares them. The cost is the two analyses' and nothing more.
 */
export async function analyzeAndCompare(input: CompareRunsInput): Promise<CompareRunsResult> {
  const base = await analyzeRun(input.base);
  const run = await analyzeRun(input.run);
  return { base, run, comparison: compareRuns(base, run, input.options) };
}

/** The comparison's output formats: one RunComparison, every renderer. */
export const COMPARE_FORMATS = {
  terminal: (c: RunComparison, o: { queries?: boolean } = {}) => renderComparisonText(c, { markdown: false, queries: o.queries }),
  markdown: (c: RunComparison) => renderComparisonText(c, { markdown: true }),
  json: (c: RunComparison) => `${JSON.stringify(c, null, 2)}\n`,
  html: (c: RunComparison, o: { title?: string } = {}) => renderComparisonHtml(c, o),
} as const;
