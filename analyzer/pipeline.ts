/**
 * One run from source to report object: aggregate, findings, capacity math, thresholds. `logjam analyze`,
 * `logjam capacity` and the one-command lab all go through here, so they can never disagree about a run.
 * I/O is limited to the source read; everything after it is pure.
 */
import { analyze } from './analyses/index.js';
import { nearestRuns, RunNotFoundError } from './aggregate/nearest-runs.js';
import { computeCapacity } from './capacity/index.js';
import type { CapacityReport, DeploymentFacts } from './capacity/index.js';
import { LogjamError } from '../common/errors.js';
import { ClientJoiner } from './aggregate/client-join.js';
import type { ClientJoinSummary, ClientView, Finding, RunAggregate } from './model.js';
import { loadClientLog } from './sources/client-log/index.js';
import { buildReport, type AnalysisReport } from './report/report.js';
import type { AggregateOptions, RunSource } from './sources/source.js';
import { evaluateThresholds, type Threshold } from './thresholds.js';

/** Aggregate the run; a run with no lines names the nearest runs the source has (whatever the source). */
export async function aggregateRun(source: RunSource, runId: string, options?: AggregateOptions): Promise<RunAggregate> {
  // A source either throws RunNotFoundError itself (CloudWatch: it already searched for the run and holds the
  // listing) or returns an empty aggregate; LJ_RUN_NOT_FOUND has no other thrower (common/errors.ts).
  const agg = await source.aggregate(runId, options);
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
  runId: string;
  client?: ClientView;
  thresholds?: Threshold[];
  /** deployment facts for the capacity section; without them the report has no capacity section */
  facts?: DeploymentFacts;
  /** a client request log (logjam's client.ndjson or k6 --out json): joined to the server's lines by request id */
  clientLog?: string;
}

export async function analyzeRun(input: AnalyzeRunInput): Promise<RunAnalysis> {
  if (input.clientLog === undefined) return analyzeAggregate(await aggregateRun(input.source, input.runId), input);
  if (!input.source.streamsRunLines) {
    throw new LogjamError('LJ_CLIENT_LOG_SOURCE', `--client-log joins every server line of the run, which ${input.source.description} cannot stream`, {
      hint: 'export the run\'s lines to a file and pass it with --logs',
    });
  }
  // the client side first (the compact table), then the server side streams past it in the aggregating pass
  const { table, accounting } = await loadClientLog(input.clientLog, input.runId);
  const joiner = new ClientJoiner(table, accounting);
  const aggregate = await aggregateRun(input.source, input.runId, { onRunLine: (line) => joiner.push(line), knownIds: joiner });
  return analyzeAggregate(aggregate, { ...input, join: joiner.result() });
}

/** The pure part: everything the report says, from an aggregate. */
export function analyzeAggregate(
  aggregate: RunAggregate,
  input: Pick<AnalyzeRunInput, 'client' | 'thresholds' | 'facts'> & { join?: ClientJoinSummary },
): RunAnalysis {
  const findings = analyze(aggregate, input.client, input.join);
  const capacity = input.facts ? computeCapacity(aggregate, input.client, input.facts) : undefined;
  const thresholds = input.thresholds?.length ? evaluateThresholds(input.thresholds, aggregate) : undefined;
  const report = buildReport({ aggregate, findings, client: input.client, thresholds, capacity, join: input.join });
  return { aggregate, findings, capacity, report, ...(input.join ? { join: input.join } : {}) };
}
