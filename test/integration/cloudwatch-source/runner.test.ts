/**
 * The Logs Insights protocol through the real SDK client against the fake: statuses, failures, retries, limits,
 * the 10,000-row cap, StopQuery, and the clear errors (exit 2) for a missing group, credentials or region.
 */
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LogjamError } from '../../../common/errors.js';
import { MAX_ROWS } from '../../../analyzer/sources/cloudwatch/queries.js';
import { createCloudWatchSource } from '../../../analyzer/sources/cloudwatch/index.js';
import { QueryRunner, type RangeS } from '../../../analyzer/sources/cloudwatch/runner.js';
import { createProgress } from '../../../analyzer/sources/cloudwatch/spinner.js';
import { FAST, putLines, setAwsEnv, startFake, type Fake } from './helpers.js';

const GROUP = 'runner-group';
const BASE = Date.now() - 30 * 60_000;
let fake: Fake;

/** `n` request.finish lines of run r1, one request per line, spread over `spanMs`. */
function finishLines(n: number, spanMs: number, extra: (i: number) => Record<string, unknown> = () => ({})) {
  return Array.from({ length: n }, (_, i) => ({
    time: BASE + Math.floor((i * spanMs) / n),
    level: 'info',
    msg: 'request',
    schema: 1,
    service: 'svc',
    host: 'h',
    pid: 1,
    event: 'request.finish',
    run_id: 'r1',
    request_id: `id-${i}`,
    method: 'GET',
    path: '/a',
    route: '/a',
    status: 200,
    duration_ms: 1 + (i % 10),
    bytes_out: 1,
    db_ms: 0,
    db_queries: 0,
    pool_wait_ms: 0,
    ...extra(i),
  }));
}

const RANGE: RangeS = { start: Math.floor(BASE / 1000) - 60, end: Math.ceil(BASE / 1000) + 600 };
const COUNT = 'filter run_id = "r1" | stats count(*) as n';

function runner(overrides: Partial<ConstructorParameters<typeof QueryRunner>[0]> = {}) {
  return new QueryRunner({
    client: new CloudWatchLogsClient({ maxAttempts: 1 }),
    context: { logGroup: GROUP, region: 'us-east-1' },
    maxParallelQueries: 4,
    progress: createProgress(false),
    tuning: FAST,
    stopOnSigint: false,
    ...overrides,
  });
}

async function failure(p: Promise<unknown>): Promise<LogjamError> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LogjamError);
  return error as LogjamError;
}

beforeAll(async () => {
  fake = await startFake({ scheduledPolls: 1, runningPolls: 2 });
  putLines(fake, GROUP, finishLines(50, 60_000));
});
afterEach(() => fake.cw.clearFaults());
afterAll(async () => {
  fake.restoreEnv();
  await fake.cw.close();
});

describe('query runner', () => {
  it('starts with epoch seconds and polls Scheduled -> Running -> Complete', async () => {
    const r = runner();
    const rows = await r.run('count', COUNT, RANGE);
    expect(rows).toEqual([{ n: '50' }]);
    const started = fake.engine.started.at(-1)!;
    expect(started.startTime).toBe(RANGE.start);
    expect(started.endTime).toBe(RANGE.end);
    // one Scheduled poll, two Running polls, then Complete
    expect(started.polls).toBe(4);
    expect(r.scanned).toMatchObject({ queries: 1, recordsMatched: 50, recordsScanned: 50 });
    expect(r.scanned.bytesScanned).toBeGreaterThan(0);
  });

  it.each(['Failed', 'Cancelled', 'Timeout'] as const)('a query that ends %s is a clear error naming the query', async (status) => {
    fake.engine.forceStatus(status, 1);
    const error = await failure(runner().run('count', COUNT, RANGE));
    expect(error.code).toBe('LJ_CW_QUERY_FAILED');
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain(`status ${status}`);
    expect(error.message).toContain('stats count(*) as n');
  });

  it('a malformed query is a clear error with the query text', async () => {
    const error = await failure(runner().run('bad', 'filter run_id = "r1" | stats frobnicate(x)', RANGE));
    expect(error.code).toBe('LJ_CW_MALFORMED');
    expect(error.message).toContain('malformed');
    expect(error.message).toContain('frobnicate(x)');
  });

  it('retries throttling and the concurrent-query limit with backoff, then succeeds', async () => {
    fake.engine.throwNext('StartQuery', 'LimitExceededException', 2);
    fake.cw.fail('GetQueryResults', { type: 'ThrottlingException', times: 2 });
    const r = runner();
    expect(await r.run('count', COUNT, RANGE)).toEqual([{ n: '50' }]);
    expect(r.retries).toBe(4);
  });

  it('gives up after a bounded number of retries with a clear error', async () => {
    fake.cw.fail('StartQuery', { type: 'ThrottlingException', times: Infinity });
    const r = runner({ tuning: { ...FAST, maxRetries: 3 } });
    const error = await failure(r.run('count', COUNT, RANGE));
    expect(error.code).toBe('LJ_CW_THROTTLED');
    expect(error.hint).toContain('--max-parallel-queries');
    expect(r.retries).toBe(3);
  });

  it('keeps parallel queries under --max-parallel-queries', async () => {
    const own = await startFake();
    try {
      putLines(own, GROUP, finishLines(50, 60_000));
      const r = runner({ maxParallelQueries: 2 });
      const all = await Promise.all(Array.from({ length: 8 }, () => r.run('count', COUNT, RANGE)));
      expect(all.every((rows) => rows[0]!.n === '50')).toBe(true);
      expect(own.engine.started.length).toBe(8);
      expect(own.engine.peakConcurrent()).toBe(2);
      expect(r.retries).toBe(0);
    } finally {
      own.restoreEnv();
      await own.cw.close();
    }
  });

  it('when the account limit is below ours, LimitExceededException is retried until every query ran', async () => {
    const own = await startFake({ maxConcurrentQueries: 2 });
    try {
      putLines(own, GROUP, finishLines(50, 60_000));
      const r = runner({ maxParallelQueries: 4, tuning: { ...FAST, maxRetries: 20 } });
      const all = await Promise.all(Array.from({ length: 6 }, () => r.run('count', COUNT, RANGE)));
      expect(all.every((rows) => rows[0]!.n === '50')).toBe(true);
      expect(own.engine.peakConcurrent()).toBe(2);
      expect(r.retries).toBeGreaterThan(0);
    } finally {
      own.restoreEnv();
      await own.cw.close();
    }
  });

  it('splits the time range while a query returns the 10,000-row cap, and merges', async () => {
    const group = 'big-group';
    putLines(fake, group, finishLines(12_345, 10 * 60_000));
    const r = new QueryRunner({
      client: new CloudWatchLogsClient({ maxAttempts: 1 }),
      context: { logGroup: group },
      maxParallelQueries: 4,
      progress: createProgress(false),
      tuning: FAST,
      stopOnSigint: false,
    });
    const before = fake.engine.started.length;
    const rows = await r.runSplit('raw', 'filter run_id = "r1" | fields request_id', RANGE);
    expect(rows.length).toBe(12_345);
    expect(new Set(rows.map((row) => row.request_id)).size).toBe(12_345);
    expect(fake.engine.started.length - before).toBe(3); // the whole range, then its two halves
    expect(r.truncated).toEqual([]);
  });

  it('reports a query still capped at the deepest split instead of dropping rows silently', async () => {
    const group = 'dense-group';
    // 10,001 lines in the same second: no split can get under the cap
    putLines(fake, group, finishLines(MAX_ROWS + 1, 1));
    const warnings: string[] = [];
    const r = new QueryRunner({
      client: new CloudWatchLogsClient({ maxAttempts: 1 }),
      context: { logGroup: group },
      maxParallelQueries: 4,
      progress: createProgress((m) => warnings.push(m)),
      tuning: { ...FAST, maxSplitDepth: 2 },
      stopOnSigint: false,
    });
    const rows = await r.runSplit('raw', 'filter run_id = "r1" | fields request_id', { start: Math.floor(BASE / 1000), end: Math.floor(BASE / 1000) + 3 });
    expect(rows.length).toBe(MAX_ROWS);
    expect(r.truncated).toEqual(['raw']);
    expect(warnings.some((w) => w.includes('incomplete'))).toBe(true);
  });

  it('stops running queries (StopQuery) when aborted', async () => {
    const slow = await startFake({ scheduledPolls: 1000 });
    try {
      putLines(slow, GROUP, finishLines(5, 1000));
      const controller = new AbortController();
      const r = new QueryRunner({
        client: new CloudWatchLogsClient({ maxAttempts: 1 }),
        context: { logGroup: GROUP },
        maxParallelQueries: 4,
        progress: createProgress(false),
        tuning: FAST,
        signal: controller.signal,
        stopOnSigint: false,
      });
      const pending = r.run('count', COUNT, RANGE);
      // abort once the query is being polled
      await new Promise<void>((resolve) => {
        const check = () => (slow.engine.started[0]?.polls ? resolve() : setTimeout(check, 5));
        check();
      });
      controller.abort();
      const error = await failure(pending);
      expect(error.code).toBe('LJ_CW_ABORTED');
      await new Promise<void>((resolve) => {
        const check = () => (slow.engine.stopped.length > 0 ? resolve() : setTimeout(check, 5));
        check();
      });
      expect(slow.engine.stopped).toEqual([slow.engine.started[0]!.id]);
    } finally {
      slow.restoreEnv();
      await slow.cw.close();
    }
  });
});

describe('clear errors from the source (exit 2)', () => {
  const source = (logGroup = GROUP, extra = {}) =>
    createCloudWatchSource({ logGroup, progress: false, tuning: FAST, stopOnSigint: false, ...extra });

  it('an unknown log group names the group, the region and how to list groups', async () => {
    const error = await failure(source('no-such-group').aggregate('r1'));
    expect(error.code).toBe('LJ_CW_LOG_GROUP');
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe('log group "no-such-group" not found in region us-east-1');
    expect(error.hint).toContain('aws logs describe-log-groups --region us-east-1');
  });

  it('access denied names the permissions needed', async () => {
    fake.cw.fail('StartQuery', { type: 'AccessDeniedException', message: 'User is not authorized to perform logs:StartQuery' });
    const error = await failure(source().listRuns());
    expect(error.code).toBe('LJ_CW_ACCESS');
    expect(error.hint).toContain('logs:StartQuery, logs:GetQueryResults, logs:StopQuery');
  });

  it('no credentials: the fix is named', async () => {
    const restore = setAwsEnv({ AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined });
    try {
      const error = await failure(source().listRuns());
      expect(error.code).toBe('LJ_CW_CREDENTIALS');
      expect(error.exitCode).toBe(2);
      expect(error.hint).toMatch(/AWS_PROFILE.*aws configure.*Learner Lab/);
    } finally {
      restore();
    }
  });

  it('no region: the fix is named', async () => {
    const restore = setAwsEnv({ AWS_REGION: undefined, AWS_DEFAULT_REGION: undefined });
    try {
      const error = await failure(source().listRuns());
      expect(error.code).toBe('LJ_CW_REGION');
      expect(error.hint).toContain('--region');
    } finally {
      restore();
    }
  });
});
