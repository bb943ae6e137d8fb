/** --json: the report object as is (its shape is documented in docs/analyzer.md and only ever extended). */
import type { AnalysisReport } from './report.js';

export function renderJson(report: AnalysisReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
