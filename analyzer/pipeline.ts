/**
 * One run from source to report object: aggregate, findings, capacity math, thresholds. `logjam analyze`,
 * `logjam capacity` and the one-command lab all go through here, so they can never disagree about a run.
 * I/O is limited to the source read; everything after it is pure.
 */
import { analyze } from './analyses/index.js';
import { nearestRuns, RunNotFoundError } from './aggregate/nearest-runs.js';
import { computeCapacity } from './capacity/index.js';
import type { CapacityReport, DeploymentFacts } from './capacity/index.js';
import { measuredFacts } from './capacity/measured.js';
import { describeMissing, missingFacts, resolveDeployment } from './capacity/resolve.js';
import type { ClientView, Finding, RunAggregate } from './model.js';
import { buildReport, type AnalysisReport, type CapacityMissing } from './report/report.js';
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
  /**
   * deployment facts from flags for the capacity section (what the service logged fills in what they leave to a
   * default); without them the report has no capacity section
   */
  facts?: DeploymentFacts;
  /**
   * `require` (analyze): the section only when the facts it needs are given or logged, else one line naming the
   * missing ones (report.capacityMissing); `assume` (capacity, the lab): always, defaults marked assumed
   */
  capacityFacts?: 'require' | 'assume';
}

export async function analyzeRun(input: AnalyzeRunInput): Promise<RunAnalysis> {
  const aggregate = await aggregateRun(input.source, input.runId);
  return analyzeAggregate(aggregate, input);
}

/** The pure part: everything the report says, from an aggregate. */
export function analyzeAggregate(
  aggregate: RunAggregate,
  input: Pick<AnalyzeRunInput, 'client' | 'thresholds' | 'facts' | 'capacityFacts'>,
): RunAnalysis {
  const findings = analyze(aggregate, input.client);
  let capacity: CapacityReport | undefined;
  let capacityMissing: CapacityMissing | undefined;
  if (input.facts) {
    const measured = measuredFacts(aggregate);
    const { facts, notes } = resolveDeployment(input.facts, measured);
    const missing = input.capacityFacts === 'require' ? missingFacts(facts, aggregate) : [];
    if (missing.length > 0) capacityMissing = { line: describeMissing(missing, measured), missing };
    else capacity = computeCapacity(aggregate, input.client, facts, notes);
  }
  const thresholds = input.thresholds?.length ? evaluateThresholds(input.thresholds, aggregate) : undefined;
  const report = buildReport({ aggregate, findings, client: input.client, thresholds, capacity, capacityMissing });
  return { aggregate, findings, capacity, report };
}
