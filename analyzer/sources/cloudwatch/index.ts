/**
 * The CloudWatch source: a log group read with Logs Insights. Everything is computed by Logs Insights itself with
 * `stats … by` queries, so a run of millions of requests costs at most ten queries (issue 20), each scanning the
 * run's time range once: the run's range, the summary, the dimensions and a few combined queries grouped by every
 * key a set of sections needs (combined-queries.ts), whose rows become the sections' tables (derive-sections.ts);
 * raw rows are fetched only for a trace. The tables become raw counts (assemble.ts), finished into the RunAggregate
 * by the same layer as the local source's (analyzer/aggregate/finish.ts).
 *
 * The AWS endpoint can be redirected with AWS_ENDPOINT_URL_CLOUDWATCH_LOGS (the SDK honours it), which is how the
 * tests run this source against a local fake.
 */
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { FIELDS as F } from '../../../middleware/schema.js';
import { nearestRuns, RunNotFoundError, WindowEmptyError, windowOf } from '../../aggregate/nearest-runs.js';
import { LogjamError } from '../../../common/errors.js';
import { chooseBinMs } from '../../aggregate/bins.js';
import { timeSliceMs } from '../../aggregate/dimension-stats.js';
import type { EvidenceQuery, RunAggregate } from '../../model.js';
import { binColumn, buildQueries, insightsQueries, type InsightsQueryId, type QueryParams } from './queries.js';
import type { AggregateOptions, RunInventory, RunListing, RunSource, TraceLine, UntaggedRequests } from '../source.js';
import { assembleAggregate } from './assemble.js';
import { combinedQueries, SECTIONS_OF, type CombinedQueryId } from './combined-queries.js';
import { deriveSections, runServices, type CombinedRows } from './derive-sections.js';
import { toSourceError, type ErrorContext } from './errors.js';
import { RowReader, type InsightsRow } from './rows.js';
import { QueryRunner, type RangeS, type RunnerTuning } from './runner.js';
import { createProgress, type ProgressOption } from './spinner.js';

export interface CloudWatchSourceOptions {
  logGroup: string;
  region?: string;
  profile?: string;
  /** time range (epoch ms); found from the run itself when absent */
  since?: number;
  until?: number;
  /** our Logs Insights queries running at once (the account allows 30 by default, shared with others) */
  maxParallelQueries?: number;
  /** true: spinner on stderr when it is a terminal; a function: progress messages to it; false: silent */
  progress?: ProgressOption;
  /** how far back to look for a run (or a request, or the list of runs) when no --since is given; default 7 days */
  lookbackMs?: number;
  /** stops running queries (StopQuery) and fails the pending operation */
  signal?: AbortSignal;
  /** polling and retry timings (tests shorten them) */
  tuning?: Partial<RunnerTuning>;
  /** stop queries on Ctrl-C (default true) */
  stopOnSigint?: boolean;
  now?: () => number;
}

export const DEFAULT_LOOKBACK_MS = 7 * 24 * 60 * 60 * 1000;
/** Added around the run's own range: CloudWatch event timestamps may differ a little from the lines' `time`. */
const RANGE_MARGIN_MS = 60_000;
/** The one bin-width rule (analyzer/aggregate/bins.ts): the source queries bins at the width finish.ts will use. */
export { chooseBinMs };

function toRangeS(startMs: number, endMs: number): RangeS {
  return { start: Math.floor(startMs / 1000), end: Math.ceil(endMs / 1000) };
}

export function createCloudWatchSource(opts: CloudWatchSourceOptions): RunSource {
  if (!opts.logGroup) throw new LogjamError('LJ_CW', 'no log group given', { hint: 'pass --log-group <name>' });
  const now = opts.now ?? Date.now;
  const lookback = opts.lookbackMs ?? DEFAULT_LOOKBACK_MS;
  const regionHint = opts.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  const description = `cloudwatch:${opts.logGroup}${regionHint ? ` (${regionHint})` : ''}`;
  // Retries are ours (bounded, with jitter, counted), so the SDK's own retry layer is off.
  const client = new CloudWatchLogsClient({
    ...(opts.region ? { region: opts.region } : {}),
    ...(opts.profile ? { profile: opts.profile } : {}),
    maxAttempts: 1,
  });

  async function context(): Promise<ErrorContext> {
    let region = regionHint;
    try {
      region = await client.config.region();
    } catch {
      // no region anywhere: the first call fails with "Region is missing", mapped to a clear error
    }
    return { logGroup: opts.logGroup, region };
  }

  /** One operation (listRuns / aggregate / trace): a runner with fresh statistics, its progress stopped after. */
  async function withRunner<T>(work: (runner: QueryRunner) => Promise<T>): Promise<T> {
    const ctx = await context();
    const progress = createProgress(opts.progress);
    const runner = new QueryRunner({
      client,
      context: ctx,
      maxParallelQueries: opts.maxParallelQueries ?? 4,
      progress,
      tuning: opts.tuning,
      signal: opts.signal,
      stopOnSigint: opts.stopOnSigint,
    });
    try {
      return await work(runner);
    } catch (error) {
      throw toSourceError(error, ctx);
    } finally {
      progress.stop();
    }
  }

  /** The user's range, else the lookback window ending now. */
  function searchRange(since = opts.since, until = opts.until): RangeS {
    const end = until ?? now();
    return toRangeS(since ?? end - lookback, end);
  }

  /** The runs, and (the rows with no run id) the request lines that carried none: one query. */
  async function inventoryWith(runner: QueryRunner, range: RangeS): Promise<RunInventory> {
    const rows = await runner.runSplit('runs', insightsQueries.runs({ runId: '' }), range);
    const r = new RowReader();
    const runs = new Map<string, RunListing>();
    let untagged: UntaggedRequests | undefined;
    for (const row of rows) {
      const runId = r.str(row, F.runId);
      const first = r.num(row, 'first_time');
      const last = r.num(row, 'last_time');
      if (first === undefined || last === undefined) continue;
      if (!runId) {
        untagged ??= { requests: 0, firstTime: first, lastTime: last };
        untagged.firstTime = Math.min(untagged.firstTime, first);
        untagged.lastTime = Math.max(untagged.lastTime, last);
        if (row[F.event] === 'request.finish') untagged.requests += r.num0(row, 'requests');
        continue;
      }
      let run = runs.get(runId);
      if (!run) runs.set(runId, (run = { runId, firstTime: first, lastTime: last, requests: 0 }));
      run.firstTime = Math.min(run.firstTime, first);
      run.lastTime = Math.max(run.lastTime, last);
      if (row[F.event] === 'request.finish') run.requests += r.num0(row, 'requests');
    }
    const list = [...runs.values()].sort((a, b) => b.lastTime - a.lastTime);
    return untagged ? { runs: list, untagged } : { runs: list };
  }

  return {
    description,

    inventory() {
      return withRunner((runner) => inventoryWith(runner, searchRange()));
    },

    listRuns() {
      return withRunner(async (runner) => (await inventoryWith(runner, searchRange())).runs);
    },

    aggregate(runId: string | undefined, options: AggregateOptions = {}): Promise<RunAggregate> {
      return withRunner(async (runner) => {
        const since = options.since ?? opts.since;
        const until = options.until ?? opts.until;
        const window: QueryParams = { runId, since, until };

        // 1. Where the run is (one query over the search window). A time window (no run id): where its request
        // lines are, within the window.
        const search = searchRange(since, until);
        const rangeRow = (await runner.run('range', insightsQueries.range(window), search))[0] ?? {};
        const r = new RowReader();
        const lines = r.num0(rangeRow, 'lines');
        const firstTime = r.num(rangeRow, 'first_time');
        const lastTime = r.num(rangeRow, 'last_time');
        if (lines === 0 || firstTime === undefined || lastTime === undefined) {
          if (runId === undefined) throw new WindowEmptyError(description, search.start * 1000, search.end * 1000);
          const { runs } = await inventoryWith(runner, search);
          throw new RunNotFoundError(runId, nearestRuns(runId, runs), `${description} (${new Date(search.start * 1000).toISOString()} → ${new Date(search.end * 1000).toISOString()})`);
        }
        // a time window's queries never scan beyond it (StartQuery's start and end times are the window's)
        const range =
          runId === undefined
            ? toRangeS(Math.max(firstTime - RANGE_MARGIN_MS, search.start * 1000), Math.min(lastTime + RANGE_MARGIN_MS, search.end * 1000))
            : toRangeS(firstTime - RANGE_MARGIN_MS, lastTime + RANGE_MARGIN_MS);
        const binMs = options.binMs ?? chooseBinMs(firstTime, lastTime);
        const params: QueryParams = { ...window, binMs };

        // 2. Everything else at once (the limiter bounds how many run together): ten queries at most in all, each
        // grouped by every key a set of sections needs (combined-queries.ts), the sections derived from their rows.
        const run = (id: InsightsQueryId, p: QueryParams = params) => runner.runSplit(id, insightsQueries[id](p), range);
        // runtime.stats and log.dropped carry no run id: scoped to the run's own time range and services
        const contextWindow = { since: Math.max(firstTime, since ?? -Infinity), until: Math.min(lastTime, until ?? Infinity) };
        // a --since before the run widens this one query, so it finds service.start lines (the facts capacity math
        // sizes from) of processes that started long before the run; the other queries keep the run's range
        const processes = runner.runSplit(
          'processes',
          combinedQueries.processes(params, contextWindow),
          since !== undefined && since < firstTime - RANGE_MARGIN_MS ? toRangeS(since, lastTime + RANGE_MARGIN_MS) : range,
        );
        const contextParams = processes.then((rows): QueryParams => ({ ...params, ...contextWindow, services: runServices(rows, runId) }));
        // the dimensions query counts requests above the run's p95, so it waits for the summary that has it
        const summary = run('summary');
        const sliceMs = timeSliceMs(firstTime, lastTime, binMs);
        const dimensionParams = summary.then((rows): QueryParams | undefined => {
          const row = rows[0];
          const p95 = row ? r.num(row, 'p95') : undefined;
          return row && r.num0(row, 'requests') > 0 && p95 !== undefined ? { ...params, slowThresholdMs: p95, sliceMs } : undefined;
        });
        const queried: Record<keyof CombinedRows, Promise<InsightsRow[]>> = {
          summary,
          duplicates: run('duplicates'),
          unfinishedRoutes: run('unfinished-routes'),
          suspiciousPaths: run('suspicious-paths'),
          routes: runner.runSplit('routes', combinedQueries.routes(params), range),
          requestCounts: runner.runSplit('request-counts', combinedQueries['request-counts'](params), range),
          timeline: contextParams.then((p) => runner.runSplit('timeline', combinedQueries.timeline(params, p), range)),
          processes,
          dimensions: dimensionParams.then((p) => (p ? run('slow-request-dimensions', p) : [])),
        };
        // allSettled, then rethrow the first failure: no query is left unobserved (an unhandled rejection)
        const settled = await Promise.allSettled(Object.values(queried));
        const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
        if (failed) throw failed.reason;
        const keys = Object.keys(queried) as (keyof CombinedRows)[];
        const combined = Object.fromEntries(keys.map((k, i) => [k, (settled[i] as PromiseFulfilledResult<InsightsRow[]>).value])) as unknown as CombinedRows;
        const derived = deriveSections(combined, runId);

        // the evidence: each section's own query, which pasted alone gives the table derived here
        const ctxParams = await contextParams;
        const dimParams = await dimensionParams;
        const queries = {
          ...buildQueries(params),
          ...pick(buildQueries(ctxParams), ['runtime', 'timeline-runtime', 'dropped', 'pool-timeouts']),
          ...(dimParams ? pick(buildQueries(dimParams), ['slow-request-dimensions']) : {}),
        };
        const { aggregate, oddValues } = assembleAggregate({
          runId,
          source: description,
          firstTime,
          lastTime,
          binMs,
          binColumn: binColumn(binMs),
          ...(options.binMs !== undefined ? { requestedBinMs: options.binMs } : {}),
          examples: options.examples ?? 3,
          rows: derived.rows,
          queries,
          scanned: { ...runner.scanned },
          ...(dimParams?.slowThresholdMs !== undefined ? { dimensions: { slowThresholdMs: dimParams.slowThresholdMs } } : {}),
        });
        const unreadable = oddValues + derived.oddValues;
        if (runner.truncated.length > 0 || unreadable > 0) {
          aggregate.input.warnings = [
            ...(aggregate.input.warnings ?? []),
            ...(runner.truncated.length > 0
              ? [`Logs Insights queries still at the 10,000-row cap after splitting the time range (incomplete): ${describeTruncated(runner.truncated)}`]
              : []),
            ...(unreadable > 0 ? [`${unreadable} unreadable values in Logs Insights results were ignored`] : []),
          ];
        }
        // without --since/--until the window is the lookback (7 days by default) ending now: the report says so
        if (runId === undefined) aggregate.window = windowOf(since ?? search.start * 1000, until ?? search.end * 1000);
        return aggregate;
      });
    },

    trace(requestId: string): Promise<TraceLine[]> {
      return withRunner(async (runner) => {
        const rows = await runner.runSplit('trace', insightsQueries.trace({ runId: '', requestId }), searchRange());
        const lines: TraceLine[] = [];
        let unreadable = 0;
        const seen = new Set<string>();
        for (const row of rows) {
          // a split can return a boundary event twice; @ptr identifies an event
          const ptr = row['@ptr'];
          if (ptr !== undefined) {
            if (seen.has(ptr)) continue;
            seen.add(ptr);
          }
          const line = parseLine(row);
          if (line) lines.push(line);
          else unreadable++;
        }
        if (unreadable > 0) {
          createProgress(opts.progress).warn(`${unreadable} lines of request ${requestId} were not JSON log lines and were skipped`);
        }
        return lines.map((l, i) => [l, i] as const).sort((a, b) => a[0].time - b[0].time || a[1] - b[1]).map(([l]) => l);
      });
    },
  };
}

/** Truncated query names, each combined one with the sections it feeds ("timeline (timeline, timeline-errors, …)"). */
function describeTruncated(names: readonly string[]): string {
  return [...new Set(names)]
    .map((name) => (Object.hasOwn(SECTIONS_OF, name) ? `${name} (${SECTIONS_OF[name as CombinedQueryId].join(', ')})` : name))
    .join(', ');
}

function pick(record: Record<string, EvidenceQuery>, keys: string[]): Record<string, EvidenceQuery> {
  return Object.fromEntries(keys.filter((k) => record[k] !== undefined).map((k) => [k, record[k]!]));
}

/** A trace row's @message as a line; its time from the line, else from @timestamp. */
function parseLine(row: InsightsRow): TraceLine | undefined {
  const message = row['@message'];
  if (message === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(message);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
    const line = parsed as Record<string, unknown>;
    const time = typeof line[F.time] === 'number' ? (line[F.time] as number) : new RowReader().time(row, '@timestamp');
    if (time === undefined) return undefined;
    return { ...line, time };
  } catch {
    return undefined;
  }
}
