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
import { LogjamError, UsageError } from '../common/errors.js';
import { ClientJoiner } from './aggregate/client-join.js';
import type { ClientJoinSummary, ClientView, Finding, RunAggregate } from './model.js';
import { loadClientLog } from './sources/client-log/index.js';
import { buildReport, type AnalysisReport, type CapacityMissing } from './report/report.js';
import type { AggregateOptions, RunSource } from './sources/source.js';
import { evaluateThresholds, type Threshold } from './thresholds.js';

/**
 * Aggregate the run (or, runId undefined, the source's time window); a run with no lines names the nearest runs the
 * source has (whatever the source).
 */
export async function aggregateRun(source: RunSource, runId: string | undefined, options?: AggregateOptions): Promise<RunAggregate> {
  // A source either throws RunNotFoundError itself (CloudWatch: it already searched for the run and holds the
  // listing) or returns an empty aggregate; LJ_RUN_NOT_FOUND has no other thrower (common/errors.ts). An empty
  // window is the source's LJ_WINDOW_EMPTY.
  const agg = await source.aggregate(runId, options);
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
  join?: ClientJoinSummary;
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
  /** a client request log (logjam's client.ndjson or k6 --out json): joined to the server's lines by request id */
  clientLog?: string;
  /**
   * `require` (analyze): the section only when the facts it needs are given or logged, else one line naming the
   * missing ones (report.capacityMissing); `assume` (capacity, the lab): always, defaults marked assumed
   */
  capacityFacts?: 'require' | 'assume';
}

export async function analyzeRun(input: AnalyzeRunInput): Promise<RunAnalysis> {
  if (input.clientLog === undefined) return analyzeAggregate(await aggregateRun(input.source, input.runId), input);
  if (!input.source.streamsRunLines) {
    throw new LogjamError('LJ_CLIENT_LOG_SOURCE', `--client-log joins every server line of the run, which ${input.source.description} cannot stream`, {
      hint: 'export the run\'s lines to a file and pass it with --logs',
    });
  }
  // the join is per run: the client log's lines and the server's are matched within one run id
  if (input.runId === undefined) throw new UsageError('--client-log needs --run <id>', 'the join matches one run\'s requests');
  // the client side first (the compact table), then the server side streams past it in the aggregating pass
  const { table, accounting } = await loadClientLog(input.clientLog, input.runId);
  const joiner = new ClientJoiner(table, accounting);
  const aggregate = await aggregateRun(input.source, input.runId, { onRunLine: (line) => joiner.push(line), knownIds: joiner });
  return analyzeAggregate(aggregate, { ...input, join: joiner.result() });
}

/** The pure part: everything the report says, from an aggregate. */
export function analyzeAggregate(
  aggregate: RunAggregate,
  input: Pick<AnalyzeRunInput, 'client' | 'thresholds' | 'facts' | 'capacityFacts'> & { join?: ClientJoinSummary },
): RunAnalysis {
  const findings = analyze(aggregate, input.client, input.join);
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
  const report = buildReport({ aggregate, findings, client: input.client, thresholds, capacity, capacityMissing, join: input.join });
  return { aggregate, findings, capacity, report, ...(input.join ? { join: input.join } : {}) };
}
