/**
 * A source of one or more runs' log lines: a local NDJSON file/dir/stdin, or a CloudWatch log group queried with
 * Logs Insights. Sources are thin I/O adapters; the analyses downstream are pure functions of what they return.
 */
import type { KnownRequestIds } from '../aggregate/aggregator.js';
import type { RunAggregate } from '../model.js';

export interface RunListing {
  runId: string;
  firstTime: number;
  lastTime: number;
  /** request.finish lines of the run */
  requests: number;
}

/** Requests of a source that carried no run id (a service's own traffic): what `logjam runs` says about them. */
export interface UntaggedRequests {
  /** finished requests (request.finish lines, by request id) with no run id */
  requests: number;
  firstTime: number;
  lastTime: number;
}

export interface RunInventory {
  runs: RunListing[];
  /** absent when every request line carried a run id */
  untagged?: UntaggedRequests;
}

/** One log line of a traced request, as parsed (fields per middleware/schema.ts). */
export type TraceLine = Record<string, unknown> & { time: number };

export interface AggregateOptions {
  /** time bin width for the timelines; the source picks one from the run's length when absent */
  binMs?: number;
  /** only lines in [since, until] (epoch ms) */
  since?: number;
  until?: number;
  /** how many example request ids to keep per finding/route */
  examples?: number;
  /** sees every line of the run as it streams past (the client-log join); only sources with streamsRunLines call it */
  onRunLine?: (line: TraceLine) => void;
  /** ids the caller's structure already dedupes (the client-log join's table): see aggregate/aggregator.ts */
  knownIds?: KnownRequestIds;
}

export interface RunSource {
  /** for the report header and messages, e.g. "runs/lab.ndjson" or "cloudwatch:taskoverflow (us-east-1)" */
  readonly description: string;
  /** true when aggregate() calls onRunLine for every line of the run (the local source; not Logs Insights) */
  readonly streamsRunLines?: boolean;
  listRuns(): Promise<RunListing[]>;
  /** The runs, and the finished requests that carried no run id (in one read, or one query). */
  inventory(): Promise<RunInventory>;
  /**
   * Everything the analyses need for one run, or (runId undefined) for every request of the time window (the
   * source's --since/--until, else its whole input) whatever its run id: RunAggregate.window is then set. Throws a
   * LogjamError (exit 2) when the run has no lines.
   */
  aggregate(runId: string | undefined, options?: AggregateOptions): Promise<RunAggregate>;
  /** Every line of one request, in time order. */
  trace(requestId: string): Promise<TraceLine[]>;
}
