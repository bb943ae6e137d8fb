/**
 * The analyzer's front door: what the CLI (cli/) and the lab (lab/) may use. Everything behind it — sources,
 * the finishing layer, analyses, capacity math, renderers — can move without touching its callers; the
 * architecture test (test/unit/architecture/dependency-rule.test.ts) keeps cli/ and lab/ from reaching past it.
 */
import { UsageError } from '../common/errors.js';
import { assertAwsSdkInstalled } from '../middleware/sinks/cloudwatch/sdk-check.js';
import type { CloudWatchSourceOptions } from './sources/cloudwatch/index.js';
import type { RunSource } from './sources/source.js';

export type { ClientView, Finding, RunAggregate } from './model.js';
export type { RunSource, RunListing, RunInventory, UntaggedRequests } from './sources/source.js';
export type { CloudWatchSourceOptions } from './sources/cloudwatch/index.js';
export { analyzeRun, analyzeAggregate, aggregateRun, type RunAnalysis, type AnalyzeRunInput } from './pipeline.js';
export { RunNotFoundError } from './aggregate/nearest-runs.js';
export { createLocalSource, type LocalSourceOptions } from './sources/ndjson/index.js';
export { loadClientView } from './sources/client-summary.js';
export { parseThresholds, describeResult, type Threshold } from './thresholds.js';
export { parseDeploymentFacts, renderCapacityMarkdown, renderCapacityTerminal } from './capacity/index.js';
export type { CapacityReport, DeploymentFacts, DeploymentFlags } from './capacity/index.js';
export type { AnalysisReport } from './report/report.js';
export { OUTPUT_FORMATS, stdoutFormat, type FormatName, type OutputFormat, type RenderOptions } from './report/formats.js';
export { useColor } from './report/terminal.js';
export { renderTrace } from './report/trace.js';
export { table } from './report/table.js';
export { fmtTime } from './report/text.js';
export { sanitizeOutput, sanitizeText } from './report/sanitize.js';

/**
 * The CloudWatch Logs Insights source, loaded on first use: the AWS SDK is large, and local analyses (and
 * `logjam --help`) should not pay for it at startup.
 */
export async function createCloudWatchSource(opts: CloudWatchSourceOptions): Promise<RunSource> {
  // the SDK is an optional peer of the published package (docs/packaging.md): one clear line when it is missing
  try {
    assertAwsSdkInstalled('--log-group (the CloudWatch source)');
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/^logjam: /, ''));
  }
  const cloudwatch = await import('./sources/cloudwatch/index.js');
  return cloudwatch.createCloudWatchSource(opts);
}
