/**
 * Runs Logs Insights queries: StartQuery (epoch seconds), GetQueryResults polled with backoff, retries with
 * exponential backoff and jitter on throttling and the account's concurrent-query limit, a limiter that keeps our
 * own parallel queries under a bound, StopQuery on abort/Ctrl-C (an abandoned query keeps running — and costing —
 * in AWS for up to an hour), and the 10,000-row cap handled by splitting the time range.
 */
import {
  GetQueryResultsCommand,
  StartQueryCommand,
  StopQueryCommand,
  type CloudWatchLogsClient,
} from '@aws-sdk/client-cloudwatch-logs';
import { backoffDelay } from '../../../common/aws-retry.js';
import { LogjamError } from '../../../common/errors.js';
import { MAX_ROWS } from './queries.js';
import { isRetryable, queryEndedError, toSourceError, type ErrorContext } from './errors.js';
import { Limiter } from './limiter.js';
import { toRows, type InsightsRow } from './rows.js';
import type { Progress } from './spinner.js';

/** Inclusive range of epoch SECONDS, as StartQuery takes it. */
export interface RangeS {
  start: number;
  end: number;
}

export interface RunnerTuning {
  /** first GetQueryResults delay; doubles up to pollMaxMs */
  pollStartMs: number;
  pollMaxMs: number;
  /** retry backoff: base * 2^attempt, capped, with jitter */
  retryBaseMs: number;
  retryMaxMs: number;
  /** retries per call before giving up (bounded: a throttled account must not hang the CLI) */
  maxRetries: number;
  /** a capped query is split in halves at most this deep (2^depth pieces) */
  maxSplitDepth: number;
}

export const DEFAULT_TUNING: RunnerTuning = {
  pollStartMs: 250,
  pollMaxMs: 2000,
  retryBaseMs: 500,
  retryMaxMs: 10_000,
  maxRetries: 6,
  maxSplitDepth: 8,
};

export interface ScanTotals {
  queries: number;
  recordsMatched: number;
  recordsScanned: number;
  bytesScanned: number;
}

export interface RunnerOptions {
  client: CloudWatchLogsClient;
  context: ErrorContext;
  maxParallelQueries: number;
  progress: Progress;
  tuning?: Partial<RunnerTuning>;
  signal?: AbortSignal;
  /** stop running queries on Ctrl-C, then let the signal terminate the process (default true) */
  stopOnSigint?: boolean;
}

const TERMINAL_FAILURES = new Set(['Failed', 'Cancelled', 'Timeout', 'Unknown']);

export class QueryRunner {
  readonly scanned: ScanTotals = { queries: 0, recordsMatched: 0, recordsScanned: 0, bytesScanned: 0 };
  /** retries made after throttling/limit errors (for the report and tests) */
  retries = 0;
  /** queries still at the row cap after the deepest split: their results are incomplete */
  readonly truncated: string[] = [];
  private readonly tuning: RunnerTuning;
  private readonly limiter: Limiter;
  private readonly running = new Set<string>();
  private done = 0;
  private sigintHandler?: () => void;

  constructor(private readonly opts: RunnerOptions) {
    this.tuning = { ...DEFAULT_TUNING, ...opts.tuning };
    this.limiter = new Limiter(opts.maxParallelQueries);
    opts.signal?.addEventListener('abort', () => void this.stopAll(), { once: true });
  }

  /** One query over one range. Throws LogjamError. */
  run(name: string, query: string, range: RangeS): Promise<InsightsRow[]> {
    return this.limiter.run(() => this.runNow(name, query, range));
  }

  /**
   * One query, split into halves of the time range (recursively, bounded) while a piece returns the row cap.
   * The rows of the pieces are concatenated: callers merge groups that appear in several pieces.
   */
  async runSplit(name: string, query: string, range: RangeS, depth = 0): Promise<InsightsRow[]> {
    const rows = await this.run(name, query, range);
    if (rows.length < MAX_ROWS) return rows;
    if (depth >= this.tuning.maxSplitDepth || range.end <= range.start) {
      this.truncated.push(name);
      this.opts.progress.warn(
        `query "${name}" returned the ${MAX_ROWS}-row cap even over ${range.end - range.start + 1}s: its results are incomplete`,
      );
      return rows;
    }
    const mid = Math.floor((range.start + range.end) / 2);
    const [a, b] = await Promise.all([
      this.runSplit(name, query, { start: range.start, end: mid }, depth + 1),
      this.runSplit(name, query, { start: mid + 1, end: range.end }, depth + 1),
    ]);
    return [...a, ...b];
  }

  /** Best effort: stop every query still running (bounded by the SDK's own timeouts). */
  async stopAll(): Promise<void> {
    const ids = [...this.running];
    this.running.clear();
    await Promise.allSettled(ids.map((queryId) => this.opts.client.send(new StopQueryCommand({ queryId }))));
  }

  private async runNow(name: string, query: string, range: RangeS): Promise<InsightsRow[]> {
    this.throwIfAborted();
    const ctx = { ...this.opts.context, query };
    const started = await this.withRetry(ctx, () =>
      this.opts.client.send(
        new StartQueryCommand({
          logGroupNames: [this.opts.context.logGroup],
          startTime: range.start,
          endTime: range.end,
          queryString: query,
          limit: MAX_ROWS,
        }),
      ),
    );
    const queryId = started.queryId;
    if (!queryId) throw new LogjamError('LJ_CW', `StartQuery returned no query id for "${name}"`);
    this.scanned.queries++;
    this.track(queryId);
    try {
      let delay = this.tuning.pollStartMs;
      for (;;) {
        await this.sleep(delay);
        delay = Math.min(delay * 2, this.tuning.pollMaxMs);
        const answer = await this.withRetry(ctx, () => this.opts.client.send(new GetQueryResultsCommand({ queryId })));
        const status = answer.status ?? 'Unknown';
        if (status === 'Complete') {
          this.scanned.recordsMatched += answer.statistics?.recordsMatched ?? 0;
          this.scanned.recordsScanned += answer.statistics?.recordsScanned ?? 0;
          this.scanned.bytesScanned += answer.statistics?.bytesScanned ?? 0;
          this.done++;
          return toRows(answer.results);
        }
        if (TERMINAL_FAILURES.has(status)) throw queryEndedError(status, query, this.opts.context);
        this.report();
      }
    } finally {
      this.untrack(queryId);
    }
  }

  private async withRetry<T>(ctx: ErrorContext, call: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      this.throwIfAborted();
      try {
        return await call();
      } catch (error) {
        if (!isRetryable(error) || attempt >= this.tuning.maxRetries || this.opts.signal?.aborted) {
          throw toSourceError(error, ctx);
        }
        this.retries++;
        // "equal jitter": half the exponential delay plus a random half, so clients throttled together spread out
        await this.sleep(backoffDelay(attempt, { baseMs: this.tuning.retryBaseMs, capMs: this.tuning.retryMaxMs, jitter: 'equal' }));
      }
    }
  }

  private track(queryId: string): void {
    this.running.add(queryId);
    if (this.opts.stopOnSigint !== false && !this.sigintHandler) {
      this.sigintHandler = () => {
        this.opts.progress.stop();
        process.stderr.write('logjam: stopping Logs Insights queries…\n');
        // Stop our queries, then terminate as the signal would have (exit 130).
        void this.stopAll().finally(() => process.exit(130));
      };
      process.once('SIGINT', this.sigintHandler);
    }
    this.report();
  }

  private untrack(queryId: string): void {
    this.running.delete(queryId);
    if (this.running.size === 0 && this.sigintHandler) {
      process.removeListener('SIGINT', this.sigintHandler);
      this.sigintHandler = undefined;
    }
    this.report();
  }

  private report(): void {
    // decimal MB, as the report's "bytes scanned" line (report/text.ts fmtBytes) and AWS's console count them
    const mb = (this.scanned.bytesScanned / 1e6).toFixed(1);
    this.opts.progress.update(
      `Logs Insights: ${this.running.size} running, ${this.done} done, ${this.scanned.recordsScanned} records / ${mb} MB scanned`,
    );
  }

  private throwIfAborted(): void {
    if (this.opts.signal?.aborted) {
      throw new LogjamError('LJ_CW_ABORTED', `Logs Insights queries on ${this.opts.context.logGroup} were stopped`);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const signal = this.opts.signal;
      const onAbort = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
