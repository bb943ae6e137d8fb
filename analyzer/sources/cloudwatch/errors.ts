/**
 * AWS SDK errors -> LogjamError (exit 2) with a message that names the fix. The SDK raises modelled exceptions
 * (ResourceNotFoundException…) by class, and unmodelled ones (ThrottlingException) as a generic error carrying the
 * name, so everything here goes by `name`/`message`, never instanceof.
 */
import { classifyAwsFailure, type AwsRetryRule } from '../../../common/aws-retry.js';
import { LogjamError } from '../../../common/errors.js';

export interface ErrorContext {
  logGroup: string;
  region?: string;
  /** the query being run, when the error came from one */
  query?: string;
}

interface AwsLikeError {
  name?: string;
  message?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
}

function asAws(error: unknown): AwsLikeError {
  return typeof error === 'object' && error !== null ? (error as AwsLikeError) : { message: String(error) };
}

/**
 * The queries' rule for retrying (the mechanism is common/aws-retry.ts, shared with the sink): throttling, the
 * account's concurrent-query limit (LimitExceededException), 5xx, a dropped connection. Unlike the sink, an error
 * with no HTTP answer and no network code does not retry: it is a local problem (no credentials, no region) that
 * waiting does not fix, and the user is waiting for the answer.
 */
export const QUERY_RETRY_RULE: AwsRetryRule = {
  retryableNames: new Set([
    'ThrottlingException',
    'LimitExceededException',
    'TooManyRequestsException',
    'RequestLimitExceeded',
    'ServiceUnavailableException',
    'TimeoutError',
  ]),
  networkCodes: new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND']),
  retryWithoutResponse: false,
  retry429: false,
};

/** Worth another try with backoff. */
export function isRetryable(error: unknown): boolean {
  return classifyAwsFailure(error, QUERY_RETRY_RULE) === 'retryable';
}

/** The message shown for a query, indented so it can be copied. */
export function showQuery(query: string): string {
  return query
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}

const PERMISSIONS = 'logs:StartQuery, logs:GetQueryResults, logs:StopQuery and logs:DescribeLogGroups';

export function toSourceError(error: unknown, ctx: ErrorContext): LogjamError {
  if (error instanceof LogjamError) return error;
  const e = asAws(error);
  const name = e.name ?? '';
  const message = e.message ?? String(error);
  const where = `log group "${ctx.logGroup}"${ctx.region ? ` (${ctx.region})` : ''}`;
  const forQuery = ctx.query ? `\n  query:\n${showQuery(ctx.query)}` : '';

  if (name === 'CredentialsProviderError' || /could not load credentials/i.test(message)) {
    return new LogjamError('LJ_CW_CREDENTIALS', `no AWS credentials found to read ${where}`, {
      cause: error,
      hint:
        'set AWS_PROFILE (or --profile), run `aws configure`, or in AWS Academy Learner Lab copy the credentials ' +
        'from "AWS Details" into ~/.aws/credentials (they expire when the lab session ends)',
    });
  }
  if (/region is missing/i.test(message)) {
    return new LogjamError('LJ_CW_REGION', `no AWS region given for ${where}`, {
      cause: error,
      hint: 'pass --region (e.g. --region us-east-1) or set AWS_REGION',
    });
  }
  if (['UnrecognizedClientException', 'InvalidSignatureException', 'ExpiredTokenException', 'ExpiredToken'].includes(name)) {
    return new LogjamError('LJ_CW_CREDENTIALS', `AWS rejected the credentials (${name}) reading ${where}`, {
      cause: error,
      hint: 'the credentials are wrong or expired: refresh them (Learner Lab sessions expire) or pick another --profile',
    });
  }
  if (name === 'ResourceNotFoundException') {
    return new LogjamError('LJ_CW_LOG_GROUP', `log group "${ctx.logGroup}" not found in region ${ctx.region ?? '(default)'}`, {
      cause: error,
      hint: `list the log groups with: aws logs describe-log-groups --region ${ctx.region ?? '<region>'} --query 'logGroups[].logGroupName'`,
    });
  }
  if (name === 'AccessDeniedException' || name === 'AccessDenied' || e.$metadata?.httpStatusCode === 403) {
    return new LogjamError('LJ_CW_ACCESS', `access denied reading ${where}: ${message}`, {
      cause: error,
      hint: `the identity needs ${PERMISSIONS} on the log group`,
    });
  }
  if (name === 'MalformedQueryException') {
    return new LogjamError('LJ_CW_MALFORMED', `Logs Insights rejected a query as malformed: ${message}${forQuery}`, { cause: error });
  }
  if (isRetryable(error)) {
    return new LogjamError('LJ_CW_THROTTLED', `CloudWatch Logs kept refusing a request (${name || e.code || 'network'}) reading ${where}: ${message}${forQuery}`, {
      cause: error,
      hint: 'too many queries at once in this account/region: retry later or lower --max-parallel-queries',
    });
  }
  return new LogjamError('LJ_CW', `CloudWatch Logs error reading ${where}: ${name ? `${name}: ` : ''}${message}${forQuery}`, { cause: error });
}

/** A query that ended Failed, Cancelled, Timeout or Unknown. */
export function queryEndedError(status: string, query: string, ctx: ErrorContext): LogjamError {
  const hint =
    status === 'Timeout'
      ? 'the query ran past the 60-minute limit: narrow the time range with --since/--until'
      : status === 'Cancelled'
        ? 'someone (or a previous run of logjam) stopped the query; run the command again'
        : 'run the query in the Logs Insights console to see the service’s reason';
  return new LogjamError('LJ_CW_QUERY_FAILED', `Logs Insights query ended with status ${status} on ${ctx.logGroup}\n  query:\n${showQuery(query)}`, {
    hint,
  });
}
