/**
 * One run from source to report object: aggregate, findings, capacity math, thresholds. `logjam analyze`,
 * `logjam capacity` and the one-command lab all go through here, so they can never disagree about a run.
 * I/O is limited to the source read; everything after it is pure.
 */
import { analyze } from './analyses/index.js';
import { nearestRuns, RunNotFoundError } from './aggregate/nearest-runs.js';
import { computeCapacity } from './capacity/index.js';
import type { CapacityReport, DeploymentFacts } from './capacity/index.js';
import type { ClientView, Finding, RunAggregate } from './model.js';
import { buildReport, type AnalysisReport } from './report/report.js';
import type { RunSource } from './sources/source.js';
import { evaluateThresholds, type Threshold } from './thresholds.js';

/**
 * Aggregate the run (or, runId undefined, the source's time window); a run with no lines names the nearest runs the
 * source has (whatever the source).
 */
export async function aggregateRun(source: RunSource, runId: string | undefined): Promise<RunAggregate> {
  // A source either throws RunNotFoundError itself (CloudWatch: it already searched for the run and holds the
  // listing) or returns an empty aggregate; LJ_RUN_NOT_FOUND has no other thrower (common/errors.ts). An empty
  // window is the source's LJ_WINDOW_EMPTY.
  const agg = await source.aggregate(runId);
  if (runId === undefined) return agg;
  if (agg.firstTime === 0 && agg.totals.requests === 0 && agg.totals.unfinished === 0 && agg.totals.aborts === 0) {
    throw new RunNotFoundError(runId, nearestRuns(runId, await source.listRuns()), source.description);
  }
  return agg;
}

export interface RunAnalysis {
  aggregate: RunAggregate;
  findings: Finding[];
  capacity?: CapacityReport;
  report: AnalysisReport;
}

export interface AnalyzeRunInput {
  source: RunSource;
  /** undefined: the source's time window (--since/--until, or its whole input), whatever the run ids */
  runId: string | undefined;
  client?: ClientView;
  thresholds?: Threshold[];
  /** deployment facts for the capacity section; without them the report has no capacity section */
  facts?: DeploymentFacts;
}

export async function analyzeRun(input: AnalyzeRunInput): Promise<RunAnalysis> {
  const aggregate = await aggregateRun(input.source, input.runId);
  return analyzeAggregate(aggregate, input);
}

/** The pure part: everything the report says, from an aggregate. */
export function analyzeAggregate(
  aggregate: RunAggregate,
  input: Pick<AnalyzeRunInput, 'client' | 'thresholds' | 'facts'>,
): RunAnalysis {
  const findings = analyze(aggregate, input.client);
  const capacity = input.facts ? computeCapacity(aggregate, input.client, input.facts) : undefined;
  const thresholds = input.thresholds?.length ? evaluateThresholds(input.thresholds, aggregate) : undefined;
  const report = buildReport({ aggregate, findings, client: input.client, thresholds, capacity });
  return { aggregate, findings, capacity, report };
}
