/**
 * The source flags shared by `analyze`, `runs` and `trace`, and the one place that turns them into a RunSource.
 * Exactly one of --logs (local NDJSON) or --log-group (CloudWatch Logs Insights) must be given.
 */
import { Option, type Command } from 'commander';
import { parseDuration } from '../common/duration.js';
import { UsageError } from '../common/errors.js';
import { createCloudWatchSource, createLocalSource, type RunSource } from '../analyzer/index.js';

export interface SourceFlags {
  logs?: string;
  logGroup?: string;
  region?: string;
  profile?: string;
  since?: string;
  until?: string;
  maxParallelQueries?: string;
  followSymlinks?: boolean;
  /** analyze only: ALB access logs read with --logs (docs/analyzer.md, "The front door") */
  albLogs?: string;
}

export const DEFAULT_MAX_PARALLEL_QUERIES = 4;

export function addSourceOptions(cmd: Command): Command {
  return cmd
    .option('--logs <file|dir|->', 'read NDJSON logs from a file, a directory (*.ndjson, *.jsonl, *.log, .gz) or - (stdin); logjam and pino-http lines, detected per line')
    .option('--follow-symlinks', 'with a --logs directory: walk symlinked folders too (each file is read once)')
    .option('--log-group <name>', 'read from a CloudWatch log group with Logs Insights')
    .option('--region <region>', 'AWS region of the log group (default: AWS_REGION / profile)')
    .option('--profile <name>', 'AWS profile (default: AWS_PROFILE / default chain)')
    .option('--since <time>', 'start of the time range: ISO time or relative (30m, 2h, 1d ago); with --run it narrows the run; without, it starts the window analyzed (default: start of the input; CloudWatch: 7 days ago)')
    .option('--until <time>', 'end of the time range: ISO time or relative; default: end of the run / of the input (CloudWatch: now)')
    .addOption(
      new Option('--max-parallel-queries <n>', 'Logs Insights queries run at the same time').default(
        String(DEFAULT_MAX_PARALLEL_QUERIES),
      ),
    );
}

/** the largest time a JavaScript Date holds (ECMA-262: ±8.64e15 ms) */
const MAX_DATE_MS = 8.64e15;

/**
 * "2h" means two hours before `now`; an ISO date/time (or epoch milliseconds) is taken as is.
 * Returns epoch milliseconds; bad input is a UsageError (exit 2).
 */
export function parseTimeFlag(flag: string, value: string, now = Date.now()): number {
  const text = value.trim();
  const ago = parseDuration(text.replace(/\s+ago$/i, ''));
  let t: number;
  if (ago !== undefined) {
    t = now - ago;
  } else if (/^\d{11,}$/.test(text)) {
    t = Number(text);
  } else {
    t = Date.parse(text);
    if (Number.isNaN(t)) {
      throw new UsageError(
        `${flag} "${value}" is not a time`,
        'use an ISO time (2025-01-31T12:00:00Z) or a relative one (30m, 2h, 1d)',
      );
    }
  }
  // "99999999d" parses, but lands before the epoch or beyond what a Date holds: every later step (the ISO time in
  // messages, Logs Insights' epoch seconds) would fail on it with a RangeError instead of this one line
  if (!Number.isFinite(t) || t < 0 || t > MAX_DATE_MS) {
    throw new UsageError(
      `${flag} "${value}" is out of range: it must fall between 1970-01-01 and the year 275760`,
      'use an ISO time (2025-01-31T12:00:00Z) or a relative one (30m, 2h, 1d)',
    );
  }
  return t;
}

export function parsePositiveInt(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 100) {
    throw new UsageError(`${flag} "${value}" must be a whole number from 1 to 100`);
  }
  return n;
}

export interface ResolvedSourceFlags {
  since?: number;
  until?: number;
}

/** Validates the time flags (shared by both sources: the local source filters lines by them too). */
export function resolveTimeRange(opts: SourceFlags, now = Date.now()): ResolvedSourceFlags {
  const since = opts.since === undefined ? undefined : parseTimeFlag('--since', opts.since, now);
  const until = opts.until === undefined ? undefined : parseTimeFlag('--until', opts.until, now);
  if (since !== undefined && until !== undefined && since > until) {
    throw new UsageError(`--since (${new Date(since).toISOString()}) is after --until (${new Date(until).toISOString()})`);
  }
  return { since, until };
}

export async function openSource(opts: SourceFlags): Promise<RunSource> {
  const hasLogs = opts.logs !== undefined && opts.logs !== '';
  const hasGroup = opts.logGroup !== undefined && opts.logGroup !== '';
  if (hasLogs === hasGroup) {
    throw new UsageError(
      hasLogs ? 'give either --logs or --log-group, not both' : 'no log source given',
      'use --logs <file|dir|-> for local NDJSON logs, or --log-group <name> for CloudWatch Logs',
    );
  }
  if (opts.albLogs !== undefined && !hasLogs) {
    throw new UsageError(
      '--alb-logs needs --logs: ALB access logs are never in CloudWatch Logs (an ALB delivers them to S3 only), so they cannot be joined to a --log-group',
      'download both: aws s3 sync s3://<bucket>/<prefix>/AWSLogs/ alb/ and the app logs (aws logs tail <group> --since 1h --format short, or the file sink), then --logs <app logs> --alb-logs alb/',
    );
  }
  if (opts.albLogs === '-') throw new UsageError('--alb-logs takes a file or a directory (stdin is for --logs -)');
  const { since, until } = resolveTimeRange(opts);
  if (!hasLogs && opts.followSymlinks) throw new UsageError('--follow-symlinks applies to --logs only');
  if (hasLogs) {
    if (opts.region !== undefined || opts.profile !== undefined) {
      throw new UsageError('--region and --profile apply to --log-group only');
    }
    return createLocalSource(opts.logs!, {
      since,
      until,
      followSymlinks: opts.followSymlinks,
      ...(opts.albLogs ? { extraPaths: [opts.albLogs] } : {}),
    });
  }
  const maxParallelQueries = parsePositiveInt(
    '--max-parallel-queries',
    opts.maxParallelQueries ?? String(DEFAULT_MAX_PARALLEL_QUERIES),
  );
  // the front door loads the CloudWatch source (and the AWS SDK) only now
  return createCloudWatchSource({
    logGroup: opts.logGroup!,
    region: opts.region,
    profile: opts.profile,
    since,
    until,
    maxParallelQueries,
    // a spinner only when a person is watching stderr
    progress: Boolean(process.stderr.isTTY),
  });
}
