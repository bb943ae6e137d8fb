/**
 * The source flags shared by `analyze`, `runs` and `trace`, and the one place that turns them into a RunSource.
 * Exactly one of --logs (local NDJSON) or --log-group (CloudWatch Logs Insights) must be given.
 */
import { assertAwsSdkInstalled } from '../../middleware/sinks/cloudwatch/sdk-check.js';
import { Option, type Command } from 'commander';
import { UsageError } from '../errors.js';
import type { RunSource } from '../sources/source.js';
import { createLocalSource } from '../sources/ndjson/index.js';

export interface SourceFlags {
  logs?: string;
  logGroup?: string;
  region?: string;
  profile?: string;
  since?: string;
  until?: string;
  maxParallelQueries?: string;
}

export const DEFAULT_MAX_PARALLEL_QUERIES = 4;

export function addSourceOptions(cmd: Command): Command {
  return cmd
    .option('--logs <file|dir|->', 'read NDJSON logs from a file, a directory (*.ndjson, *.jsonl, *.log, .gz) or - (stdin)')
    .option('--log-group <name>', 'read from a CloudWatch log group with Logs Insights')
    .option('--region <region>', 'AWS region of the log group (default: AWS_REGION / profile)')
    .option('--profile <name>', 'AWS profile (default: AWS_PROFILE / default chain)')
    .option('--since <time>', 'start of the time range: ISO time or relative (30m, 2h, 1d ago); default: found from the run')
    .option('--until <time>', 'end of the time range: ISO time or relative; default: now / end of the run')
    .addOption(
      new Option('--max-parallel-queries <n>', 'Logs Insights queries run at the same time').default(
        String(DEFAULT_MAX_PARALLEL_QUERIES),
      ),
    );
}

const RELATIVE = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)$/i;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * "2h" means two hours before `now`; an ISO date/time (or epoch milliseconds) is taken as is.
 * Returns epoch milliseconds; bad input is a UsageError (exit 2).
 */
export function parseTimeFlag(flag: string, value: string, now = Date.now()): number {
  const text = value.trim();
  const rel = RELATIVE.exec(text.replace(/\s+ago$/i, ''));
  if (rel) {
    const unit = UNIT_MS[rel[2]!.toLowerCase()]!;
    return now - Number(rel[1]) * unit;
  }
  if (/^\d{11,}$/.test(text)) return Number(text);
  const t = Date.parse(text);
  if (Number.isNaN(t)) {
    throw new UsageError(
      `${flag} "${value}" is not a time`,
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
  const { since, until } = resolveTimeRange(opts);
  if (hasLogs) {
    if (opts.region !== undefined || opts.profile !== undefined) {
      throw new UsageError('--region and --profile apply to --log-group only');
    }
    return createLocalSource(opts.logs!, { since, until });
  }
  const maxParallelQueries = parsePositiveInt(
    '--max-parallel-queries',
    opts.maxParallelQueries ?? String(DEFAULT_MAX_PARALLEL_QUERIES),
  );
  // Loaded lazily: the AWS SDK is large, and local analyses should not pay for it at startup.
  try {
    assertAwsSdkInstalled('--log-group (the CloudWatch source)');
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/^logjam: /, ''));
  }
  const { createCloudWatchSource } = await import('../sources/cloudwatch/index.js');
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
